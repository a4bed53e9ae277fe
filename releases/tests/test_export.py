"""The Markdown export read back by the importer, and the bulk download of the archive."""

import datetime
import gzip
import json
import tarfile
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import timezone

from releases.exporting import export_releases, write_bulk_download
from releases.importing import import_releases
from releases.models import (
    ImportRun,
    Minister,
    MinisterAlias,
    Portfolio,
    PortfolioAlias,
    Release,
)

from .conftest import FIXTURES, release_text

pytestmark = pytest.mark.django_db

STATE = ["status", "published_at", "withdrawn_at", "withdrawal_reason"]


def snapshot():
    """Every release as a reader and a restore would compare it, by slug."""
    releases = Release.objects.prefetch_related("ministers", "portfolios")
    through = {
        field: list(
            getattr(Release, field)
            .through.objects.order_by("pk")
            .values_list("release_id", f"{field[:-1]}__name")
        )
        for field in ("ministers", "portfolios")
    }
    return {
        release.slug: {
            "title": release.title,
            "date": release.date,
            "source_url": release.source_url,
            "body": release.body,
            "body_html": release.body_html,
            "attachments": release.attachments,
            # In the order linked: the first portfolio is the release's main one.
            **{
                field: [name for pk, name in through[field] if pk == release.pk]
                for field in through
            },
            **{field: getattr(release, field) for field in STATE},
        }
        for release in releases
    }


def forget_everything():
    """An empty database, as a restore into a new site starts from."""
    Release.objects.all().delete()
    for model in (MinisterAlias, PortfolioAlias, Minister, Portfolio, ImportRun):
        model.objects.all().delete()


def imported_fixtures():
    result = import_releases([FIXTURES])
    assert result.created == 251 and not result.errors
    return Release.objects.order_by("pk")


def in_every_state():
    """The fixtures with one release of each state beside the published ones."""
    releases = list(imported_fixtures()[:4])
    releases[0].status, releases[0].published_at = Release.Status.DRAFT, None
    releases[1].status = Release.Status.DRAFT  # a draft that keeps a planned time
    releases[2].published_at = timezone.now() + datetime.timedelta(days=3)  # scheduled
    releases[3].status, releases[3].withdrawn_at = Release.Status.WITHDRAWN, timezone.now()
    releases[3].withdrawal_reason = 'Issued in error: "wrong figures".'
    for release in releases:
        release.save()
    return releases


def read_back(destination):
    result = import_releases([destination])
    assert not result.errors, [str(p) for p in result.problems if p.level == "error"]
    return result


@pytest.mark.parametrize("name", ["export", "export.tar.gz", "export.zip"])
def test_restoring_a_backup_gives_back_every_release(tmp_path, name):
    """A staff backup imported into an empty site gives back every release exactly: text,
    dates, addresses, attachments, ministers and portfolios in order, state and times."""
    in_every_state()
    before = snapshot()
    result = export_releases(tmp_path / name, include_drafts=True)
    assert result.releases == len(before) == 251 and result.astray == []
    forget_everything()
    assert read_back(tmp_path / name).created == 251
    after = snapshot()
    assert after.keys() == before.keys()
    assert [slug for slug in before if before[slug] != after[slug]] == []


def test_published_export_leaves_out_what_is_not_public(tmp_path):
    """Without --include-drafts, drafts, scheduled and withdrawn releases are not exported,
    and the published ones read back as published."""
    hidden = {release.slug for release in in_every_state()}
    public = Release.objects.published().count()  # less those, and the fixtures' copies
    call_command("export_releases", str(tmp_path / "public"), verbosity=0)
    exported = {path.stem for path in (tmp_path / "public").rglob("*.md")}
    assert len(exported) == public == 241
    assert not any(stem.endswith(tuple(hidden)) for stem in exported)
    forget_everything()
    read_back(tmp_path / "public")
    assert Release.objects.published().count() == public
    assert not Release.objects.filter(slug__in=hidden).exists()


def test_files_are_laid_out_as_the_corpus_is(tmp_path):
    """Each file is at releases/YYYY/MM/YYYY-MM-DD-<slug>.md (undated: releases/undated/),
    in a folder and inside both kinds of archive."""
    imported_fixtures()
    dated = Release.objects.filter(slug="trade-minister-lead-first-virtual-trade-mission-japan-0")
    assert dated.exists()
    expected = (
        "releases/2021/06/2021-06-01-trade-minister-lead-first-virtual-trade-mission-japan-0.md"
    )
    undated = Release.objects.filter(date=None).values_list("slug", flat=True)
    assert undated
    export_releases(tmp_path / "folder")
    export_releases(tmp_path / "a.tar.gz")
    export_releases(tmp_path / "a.zip")
    with tarfile.open(tmp_path / "a.tar.gz") as tar:
        in_tar = set(tar.getnames())
    in_zip = set(zipfile.ZipFile(tmp_path / "a.zip").namelist())
    in_folder = {
        str(p.relative_to(tmp_path / "folder")) for p in (tmp_path / "folder").rglob("*.md")
    }
    assert in_folder == in_tar == in_zip
    assert len(in_folder) == Release.objects.published().count() == 245
    assert expected in in_folder
    assert {f"releases/undated/{slug}.md" for slug in undated} <= in_folder
    text = (tmp_path / "folder" / expected).read_text()
    assert text.startswith(
        '---\ntitle: "Trade Minister to lead first virtual trade mission to Japan"\n'
        "date: 2021-06-01\n"
        'url: "https://www.beehive.govt.nz/release/trade-minister-lead-first-virtual-trade-mission-japan-0"\n'
        'slug: "trade-minister-lead-first-virtual-trade-mission-japan-0"\n'
        'ministers:\n  - "Damien O\'Connor"\nportfolios:\n  - "Trade and Export Growth"\n---\n\n'
    )
    front_matter = text.split("\n---\n", 1)[0]
    assert "status:" not in front_matter and "published:" not in front_matter


def test_renamed_and_merged_names_map_back_to_their_records(tmp_path):
    """A minister renamed in the admin is written with the new name, which a later import
    maps to the same record, not a new one; a fresh site gets the new name."""
    imported_fixtures()
    minister = Minister.objects.get(name="Damien O'Connor")
    # The releases exported: published, so not a copy of another (editorial/duplicates.py).
    linked = set(minister.releases.published().values_list("slug", flat=True))
    minister.name = "Damien Peter O'Connor"
    minister.save()
    portfolio = Portfolio.objects.get(name="Trade and Export Growth")
    portfolio.name = "Trade, Export Growth"
    portfolio.save()
    counts = (Minister.objects.count(), Portfolio.objects.count())
    export_releases(tmp_path / "export")
    Release.objects.all().delete()
    read_back(tmp_path / "export")
    assert (Minister.objects.count(), Portfolio.objects.count()) == counts
    assert (
        set(Minister.objects.get(pk=minister.pk).releases.values_list("slug", flat=True)) == linked
    )
    assert Portfolio.objects.get(pk=portfolio.pk).releases.exists()
    forget_everything()
    read_back(tmp_path / "export")
    assert (
        set(
            Minister.objects.get(name="Damien Peter O'Connor").releases.values_list(
                "slug", flat=True
            )
        )
        == linked
    )
    assert Portfolio.objects.filter(name="Trade, Export Growth").exists()


def test_a_name_the_importer_would_not_read_back_is_reported(tmp_path):
    """A minister renamed to something the importer takes for link text is named in a
    warning, so staff can fix it before relying on the export."""
    imported_fixtures()
    minister = Minister.objects.get(name="Damien O'Connor")
    minister.name = "Download the PDF"
    minister.save()
    assert export_releases(tmp_path / "export").astray == ["Download the PDF"]


def test_awkward_text_reads_back_exactly(write, tmp_path):
    """Titles, names, attachments and bodies with YAML's traps (quotes, colons, backslashes,
    leading dashes, "null", line separators, a body with --- lines) come back unchanged.
    (Titles are the importer's to tidy: it collapses white space, as in any file.)"""
    body = "---\n\nA rule above.\n\n---\n\n\\[1\\] note: `code` and “quotes”\u2028end\x85."
    Release.objects.create(
        title='"Null": a \\ title: with # odd characters – Māori & co',
        slug="null",
        source_url="",
        body=body,
        attachments=["https://example.govt.nz/a b.pdf", "- not a list"],
        status=Release.Status.PUBLISHED,
        date=datetime.date(2024, 2, 29),
    ).portfolios.add(Portfolio.objects.create(name="Māori Crown Relations: Te Arawhiti", slug="m"))
    before = snapshot()
    export_releases(tmp_path / "export.zip")
    forget_everything()
    read_back(tmp_path / "export.zip")
    assert snapshot() == before


def test_export_refuses_a_folder_that_is_not_empty(tmp_path):
    """Exporting into a folder holding files stops with a message, writing nothing, since
    an import of the folder would read the old files too."""
    imported_fixtures()
    (tmp_path / "old.md").write_text("old")
    with pytest.raises(CommandError, match="not an empty folder"):
        call_command("export_releases", str(tmp_path), verbosity=0)
    assert [p.name for p in tmp_path.iterdir()] == ["old.md"]


def test_command_prints_what_it_wrote(tmp_path, capsys):
    """The command says how many releases it exported and where."""
    imported_fixtures()
    call_command("export_releases", str(tmp_path / "a.tar.gz"))
    assert "Exported 245 release(s)" in capsys.readouterr().out  # the 251 less 6 copies
    with pytest.raises(CommandError, match="either DEST or --jsonl"):
        call_command("export_releases")


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        (["slug: has spaces"], "slug"),
        (["status: archived"], "status"),
        (["published: 2021-06-01"], "published"),
        (["published: soon"], "published"),
    ],
)
def test_bad_state_in_a_file_is_an_error_naming_the_field(write, lines, field):
    """A file with a slug, status or publish time the site cannot take is skipped with an
    error naming that field."""
    text = release_text().replace("---\n\n", "\n".join(lines) + "\n---\n\n", 1)
    result = import_releases([write("a.md", text)])
    assert [(p.field, p.level) for p in result.problems if p.level == "error"] == [(field, "error")]
    assert not Release.objects.exists()


def test_an_import_never_changes_the_state_of_a_release_it_holds(write):
    """A changed file whose status says draft updates its release's text, not its state:
    unpublishing is a publisher's decision in the admin."""
    import_releases([write("a.md", release_text())])
    import_releases(
        [
            write(
                "a.md",
                release_text(title="New title").replace("---\n\n", "status: draft\n---\n\n", 1),
            )
        ]
    )
    release = Release.objects.get()
    assert (release.title, release.status) == ("New title", Release.Status.PUBLISHED)


# The bulk download -----------------------------------------------------------------------


@pytest.fixture
def downloads(settings, tmp_path):
    settings.DOWNLOADS_ROOT = str(tmp_path / "downloads")
    settings.SITE_URL = "https://beehive.example"
    return tmp_path / "downloads" / "releases.jsonl.gz"


def test_bulk_download_holds_every_public_release(downloads):
    """The bulk download is one JSON line per public release with its fields, ministers and
    portfolios by name and slug, and its public address; nothing unpublished is in it."""
    hidden = {release.pk for release in in_every_state()}
    result = call_command("export_releases", "--jsonl", verbosity=0)
    lines = gzip.open(downloads, "rt", encoding="utf-8").read().splitlines()
    assert len(lines) == Release.objects.published().count() == 241
    records = {record["id"]: record for record in map(json.loads, lines)}
    assert not hidden & records.keys()
    release = Release.objects.get(slug="trade-minister-lead-first-virtual-trade-mission-japan-0")
    record = records[release.pk]
    assert record["title"] == "Trade Minister to lead first virtual trade mission to Japan"
    assert record["date"] == "2021-06-01"
    assert record["first_published"] == record["last_updated"] == "2021-06-01T00:00:00+00:00"
    assert record["ministers"] == [{"name": "Damien O'Connor", "slug": "damien-oconnor"}]
    assert record["portfolios"][0]["name"] == "Trade and Export Growth"
    assert record["government"]["name"] == "Sixth Labour Government"
    assert record["url"] == f"https://beehive.example/releases/{release.slug}/"
    assert record["body_markdown"] == release.body and record["body_html"] == release.body_html
    assert record["source_url"] == release.source_url
    assert result is None


def test_bulk_download_is_served_with_its_length_and_date(
    client, downloads, django_assert_num_queries
):
    """The file is sent whole, as a gzip download with Content-Length and Last-Modified,
    and a browser asking again with its validators gets 304."""
    assert client.get("/downloads/releases.jsonl.gz").status_code == 404
    imported_fixtures()
    write_bulk_download()
    with django_assert_num_queries(0):  # a file, not a page built from the database
        response = client.get("/downloads/releases.jsonl.gz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    assert int(response["Content-Length"]) == downloads.stat().st_size
    assert "attachment" in response["Content-Disposition"]
    assert "Content-Encoding" not in response
    data = b"".join(response.streaming_content)
    assert len(gzip.decompress(data).splitlines()) == 245
    again = client.get(
        "/downloads/releases.jsonl.gz", headers={"if-modified-since": response["Last-Modified"]}
    )
    assert again.status_code == 304
    tagged = client.get("/downloads/releases.jsonl.gz", headers={"if-none-match": response["ETag"]})
    assert tagged.status_code == 304


def test_data_page_include_shows_the_download_or_says_it_is_missing(
    downloads, django_assert_num_queries
):
    """The include shows "not generated yet" until the file exists, then its link, size and
    date."""
    assert "has not been generated yet" in render_to_string("includes/bulk_download.html")
    imported_fixtures()
    write_bulk_download()
    with django_assert_num_queries(0):
        html = render_to_string("includes/bulk_download.html")
    assert 'href="/downloads/releases.jsonl.gz"' in html
    assert filesizeformat(downloads.stat().st_size) in html
    assert f"{timezone.localtime():%-d %B %Y}" in html


def test_regenerating_replaces_the_file_whole(downloads):
    """A second generation replaces the file with the current archive and leaves no
    temporary file beside it."""
    imported_fixtures()
    write_bulk_download()
    Release.objects.filter(pk__in=Release.objects.order_by("pk").values("pk")[:10]).update(
        status=Release.Status.DRAFT
    )
    assert write_bulk_download().releases == Release.objects.published().count() == 235
    assert [p.name for p in downloads.parent.iterdir()] == ["releases.jsonl.gz"]
    assert len(gzip.open(downloads).read().splitlines()) == 235
