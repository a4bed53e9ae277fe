"""The importer on synthetic files: identity, idempotence, updates and bad input."""

import io
import json
import os
import tarfile
import zipfile

import pytest
from django.core.management import CommandError, call_command

from releases.importing import StrictModeError, import_releases, writing
from releases.models import Minister, MinisterAlias, Portfolio, Release

from .conftest import release_text

pytestmark = pytest.mark.django_db


def test_imports_a_release_with_its_links(write):
    """A file becomes a published release linked to its minister and portfolio."""
    path = write("a.md", release_text())
    result = import_releases([path])
    assert (result.created, result.skipped) == (1, 0)
    release = Release.objects.get()
    assert release.title == "Minister opens new bridge"
    assert release.slug == "minister-opens-new-bridge"
    assert str(release.date) == "2021-06-01"
    assert release.status == Release.Status.PUBLISHED
    assert Release.objects.published().count() == 1
    assert [m.name for m in release.ministers.all()] == ["Damien O'Connor"]
    assert [p.name for p in release.portfolios.all()] == ["Transport"]
    assert release.body_html == "<p>The bridge is open.</p>\n"
    assert 'title: "Minister opens new bridge"' in release.front_matter


def test_a_release_never_takes_the_address_of_one_of_the_sites_pages(write, client):
    """A file asking for /releases/feed/ or /releases/csv/ (by its URL or its slug) gets the
    date-qualified address instead, as for a reused one: those are the feed and the CSV."""
    write("a.md", release_text(url="https://www.beehive.govt.nz/release/feed"))
    by_slug = release_text(title="The CSV", url="").replace("\n---\n", "\nslug: csv\n---\n")
    assert import_releases([write("b.md", by_slug).parent]).errors == []
    assert sorted(Release.objects.values_list("slug", flat=True)) == [
        "csv-2021-06-01",
        "feed-2021-06-01",
    ]
    for release in Release.objects.all():
        assert release.title in client.get(release.get_absolute_url()).content.decode()


def test_rerun_changes_nothing(write):
    """Importing the same files again creates and rewrites nothing."""
    path = write("a.md", release_text())
    import_releases([path])
    before = Release.objects.values_list("id", "slug", "updated_at").get()
    result = import_releases([path])
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert Release.objects.values_list("id", "slug", "updated_at").get() == before


def test_changed_file_updates_in_place(write):
    """An edited file updates its release: same id, same slug, new content and links."""
    path = write("a.md", release_text())
    import_releases([path])
    original = Release.objects.get()
    write("a.md", release_text(title="Bridge opening delayed", ministers=["Hon Chris Bishop"]))
    result = import_releases([path])
    assert (result.created, result.updated) == (0, 1)
    release = Release.objects.get()
    assert (release.pk, release.slug) == (original.pk, original.slug)
    assert release.title == "Bridge opening delayed"
    assert [m.name for m in release.ministers.all()] == ["Chris Bishop"]


def test_reused_url_keeps_both_releases(write, tmp_path):
    """The old site reused some addresses: both releases are kept, with distinct slugs."""
    url = "https://www.beehive.govt.nz/release/appointment-queens-counsel-1"
    write("1997.md", release_text(title="QCs appointed 1997", date="1997-07-01", url=url))
    write("2017.md", release_text(title="QCs appointed 2017", date="2017-03-15", url=url))
    assert import_releases([tmp_path]).created == 2
    assert sorted(Release.objects.values_list("slug", flat=True)) == [
        "appointment-queens-counsel-1",
        "appointment-queens-counsel-1-2017-03-15",
    ]
    assert import_releases([tmp_path]).unchanged == 2


def test_spellings_of_one_person_make_one_minister(write, tmp_path):
    """'Hon Damien O'Connor', 'Damien O'Connor' and the curly apostrophe are one person."""
    spellings = ["Hon Damien O'Connor", "Damien O'Connor", "Hon Damien O’Connor"]
    for i, spelling in enumerate(spellings):
        url = f"https://www.beehive.govt.nz/release/r{i}"
        write(f"r{i}.md", release_text(url=url, ministers=[spelling]))
    import_releases([tmp_path])
    minister = Minister.objects.get()
    assert minister.name == "Damien O'Connor"
    assert minister.releases.count() == 3
    assert set(minister.aliases.values_list("spelling", flat=True)) == {
        "Hon Damien O'Connor",
        "Damien O'Connor",
        "Hon Damien O’Connor",
    }


def test_alias_maps_later_imports_to_a_renamed_minister(write):
    """Staff may rename a minister; later imports of any known spelling still find them."""
    import_releases([write("a.md", release_text(ministers=["Hon Damien O'Connor"]))])
    Minister.objects.update(name="Damien O’Connor (Labour)")
    url = "https://www.beehive.govt.nz/release/b"
    import_releases([write("b.md", release_text(url=url, ministers=["Damien O'Connor"]))])
    assert Minister.objects.count() == 1
    assert MinisterAlias.objects.count() == 2


def test_portfolio_variants_make_one_portfolio(write, tmp_path):
    """A double space or a case variant does not create a second portfolio."""
    write("a.md", release_text(portfolios=["Associate Minister of State Services"]))
    url = "https://www.beehive.govt.nz/release/b"
    write("b.md", release_text(url=url, portfolios=["Associate  Minister of State services"]))
    import_releases([tmp_path])
    assert list(Portfolio.objects.values_list("name", flat=True)) == [
        "Associate Minister of State Services"
    ]


def test_junk_minister_is_a_warning_not_a_minister(write):
    """Scraper junk is reported, not stored as a person, and stays in the raw front matter."""
    path = write(
        "a.md", release_text(ministers=["Hon Damien O'Connor", "View/download as PDF file"])
    )
    result = import_releases([path])
    assert result.skipped == 0
    assert [str(w) for w in result.warnings] == [
        f"{path}: ministers: “View/download as PDF file” is not a name (kept only in the raw front matter)"
    ]
    assert list(Minister.objects.values_list("name", flat=True)) == ["Damien O'Connor"]
    assert "View/download as PDF file" in Release.objects.get().front_matter


BAD_FILES = [
    (b"---\ntitle: \"Caf\xe9\"\n---\n", "file", "not valid UTF-8 (byte 0xe9 at offset 15)"),
    (release_text().replace("\n---\n\nThe", "\n\nThe"), "front matter", "no closing '---' line"),
    ("No front matter here.\n", "front matter", "missing: the file must start with a '---' line"),
    ("---\ntitle: [unclosed\n---\nBody", "front matter", "invalid YAML on line 3"),
    ("---\n- just\n- a list\n---\nBody", "front matter", "must be a mapping of fields such as 'title:'"),
    (release_text().replace("date: 2021-06-01\n", ""), "date", "missing (required)"),
    (release_text().replace("url: https://www.beehive.govt.nz/release/minister-opens-new-bridge\n", ""), "url", "missing (required)"),
    (release_text().replace('title: "Minister opens new bridge"\n', ""), "title", "missing (required)"),
    (release_text(date="2021-13-45"), "date", "“2021-13-45” is not a valid date (expected YYYY-MM-DD)"),
    (release_text(url="javascript:alert(1)"), "url", "“javascript:alert(1)” is not an http(s) URL"),
    (release_text(url="ftp://example.com/a"), "url", "“ftp://example.com/a” is not an http(s) URL"),
    # Hostile YAML: a list inside itself, a list as a key, nesting deeper than Python recurses.
    (release_text().replace("ministers:", "tags: &a [*a]\nministers:"), "front matter", "invalid YAML: a list or mapping inside itself"),
    (release_text().replace("ministers:", "? [a, b]\n: c\nministers:"), "front matter", "invalid YAML: a key that is not text"),
    (release_text().replace("ministers:", f"tags: {'[' * 990}{']' * 990}\nministers:"), "front matter", "invalid YAML: nested too deeply"),
]  # fmt: skip


@pytest.mark.parametrize(("content", "field", "message"), BAD_FILES)
def test_bad_file_is_skipped_with_a_clear_error(write, content, field, message, capsys):
    """A bad file is named with its field and problem; the good files still import."""
    write("good.md", release_text())
    bad = write("bad.md", content)
    with pytest.raises(CommandError, match="1 file\\(s\\) skipped"):
        call_command("load_releases", str(bad.parent))
    errors = capsys.readouterr().err
    assert f"error: {bad}: {field}: {message}" in errors
    assert list(Release.objects.values_list("title", flat=True)) == ["Minister opens new bridge"]


def test_strict_writes_nothing_on_error(write, tmp_path):
    """--strict stops at the first error and leaves the database untouched."""
    write("a.md", release_text())
    write("b.md", release_text(url="https://www.beehive.govt.nz/release/b", date="2021-02-30"))
    write("c.md", release_text(url="https://www.beehive.govt.nz/release/c"))
    with pytest.raises(CommandError, match="(?s)b.md: date: .*nothing was written"):
        call_command("load_releases", str(tmp_path), strict=True, batch_size=1)
    assert Release.objects.count() == 0
    assert Minister.objects.count() == 0


def test_strict_error_from_function():
    """import_releases(strict=True) raises StrictModeError naming the file and field."""
    with pytest.raises(StrictModeError, match="does-not-exist.md: path: does not exist"):
        import_releases(["does-not-exist.md"], strict=True)


def test_dry_run_reports_without_writing(write, tmp_path, capsys):
    """--dry-run validates and counts, and writes nothing."""
    write("a.md", release_text())
    write("b.md", release_text(url="https://www.beehive.govt.nz/release/b"))
    call_command("load_releases", str(tmp_path), dry_run=True)
    assert "Dry run, nothing written: would have 2 created" in capsys.readouterr().out
    assert Release.objects.count() == 0
    assert Minister.objects.count() == 0


def test_report_file_lists_errors_and_warnings_as_json(write, tmp_path):
    """--report FILE writes every error and warning with file, field and message."""
    write("in/a.md", release_text(ministers=None))
    bad = write("in/b.md", release_text(url="https://www.beehive.govt.nz/release/b", date="nope"))
    report = tmp_path / "report.json"
    with pytest.raises(CommandError):
        call_command("load_releases", str(bad.parent), report=str(report))
    data = json.loads(report.read_text())
    assert data["created"] == 1 and data["skipped"] == 1
    assert {(p["level"], p["field"]) for p in data["problems"]} == {
        ("error", "date"),
        ("warning", "ministers"),
    }


def test_summary_line(write, capsys):
    """The command ends with counts, elapsed time and speed."""
    call_command("load_releases", str(write("a.md", release_text())))
    out = capsys.readouterr().out
    assert "1 created, 0 updated, 0 unchanged, 0 skipped, 0 warnings; 1 files in" in out
    assert "files/s" in out


def test_missing_path_is_an_error(capsys):
    """A path that does not exist is reported, and the command fails."""
    with pytest.raises(CommandError):
        call_command("load_releases", "/nonexistent/folder")
    assert "/nonexistent/folder: path: does not exist" in capsys.readouterr().err


def test_readme_without_front_matter_is_ignored_with_a_note(write, tmp_path, capsys):
    """README/LICENSE files in an archive or folder are skipped, and the import says so."""
    write("README.md", "# About these files\n")
    write("LICENSE.md", "Crown copyright\n")
    write("a.md", release_text())
    call_command("load_releases", str(tmp_path))
    captured = capsys.readouterr()
    assert "README.md: file: no front matter; ignored" in captured.err
    assert Release.objects.count() == 1


def _archive_members():
    return {
        "releases/2021/06/a.md": release_text().encode(),
        "releases/2021/06/b.md": release_text(url="https://www.beehive.govt.nz/release/b").encode(),
        "README.md": b"# Archive\n",
    }


@pytest.mark.parametrize("suffix", [".tar", ".tar.gz", ".tar.xz", ".tar.bz2"])
def test_tar_archives_import_without_unpacking(tmp_path, suffix):
    """.tar, .tar.gz and .tar.xz archives are read as they are."""
    path = tmp_path / f"releases{suffix}"
    mode = {".tar": "w", ".tar.gz": "w:gz", ".tar.xz": "w:xz", ".tar.bz2": "w:bz2"}[suffix]
    with tarfile.open(path, mode) as archive:
        for name, data in _archive_members().items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    result = import_releases([path])
    assert (result.created, result.ignored, result.skipped) == (2, 1, 0)
    assert result.problems[0].path == f"{path}:README.md"


def test_zip_archive_imports(tmp_path):
    """.zip archives are read as they are."""
    path = tmp_path / "releases.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in _archive_members().items():
            archive.writestr(name, data)
    assert import_releases([path]).created == 2


def test_corrupt_archive_is_a_clear_error(tmp_path):
    """A damaged archive is reported by name; nothing is half-imported from it."""
    path = tmp_path / "broken.tar.xz"
    path.write_bytes(b"\xfd7zXZ\x00 definitely not xz")
    result = import_releases([path])
    assert result.skipped == 1
    assert str(result.errors[0]).startswith(f"{path}: archive: cannot be read")


def test_interrupted_import_keeps_whole_batches_only(write, tmp_path, monkeypatch):
    """Ctrl-C while a batch's links are written leaves earlier batches whole and no release
    without its links."""
    for i in range(3):
        write(f"{i}.md", release_text(url=f"https://www.beehive.govt.nz/release/r{i}"))
    original = writing.insert_rows
    calls = []

    def interrupt_third_batch(model, *args, **kwargs):
        calls.append(model)
        if model is Release.portfolios.through and len(calls) > 6:
            raise KeyboardInterrupt
        return original(model, *args, **kwargs)

    monkeypatch.setattr(writing, "insert_rows", interrupt_third_batch)
    with pytest.raises(KeyboardInterrupt):
        import_releases([tmp_path], batch_size=1)
    assert sorted(Release.objects.values_list("slug", flat=True)) == ["r0", "r1"]
    assert not Release.objects.filter(ministers=None).exists()
    assert not Release.objects.filter(portfolios=None).exists()


def _tar_xz(path, members):
    with tarfile.open(path, "w:xz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_truncated_archive_keeps_what_was_read_and_names_the_archive(tmp_path):
    """An archive cut off part-way imports the complete files before the cut and reports
    the archive as unreadable."""
    members = {
        f"releases/{i:03}.md": release_text(
            url=f"https://www.beehive.govt.nz/release/r{i}", body=os.urandom(3000).hex()
        ).encode()
        for i in range(400)
    }
    whole = _tar_xz(tmp_path / "whole.tar.xz", members).read_bytes()
    cut = tmp_path / "cut.tar.xz"
    cut.write_bytes(whole[: len(whole) // 2])
    result = import_releases([cut])
    assert result.skipped == 1
    assert str(result.errors[0]).startswith(f"{cut}: archive: cannot be read after releases/")
    assert 0 < result.created < 400


def test_strict_stops_inside_an_archive_without_hanging(tmp_path):
    """--strict stops at a bad file in the middle of an archive, with nothing written."""
    members = {
        f"releases/{i:03}.md": release_text(
            url=f"https://www.beehive.govt.nz/release/r{i}"
        ).encode()
        for i in range(300)
    }
    members["releases/150.md"] = b"---\nno closing line\n"
    with pytest.raises(StrictModeError, match="150.md: front matter"):
        import_releases([_tar_xz(tmp_path / "a.tar.xz", members)], strict=True)
    assert Release.objects.count() == 0
