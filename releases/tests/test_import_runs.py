"""Every import is recorded and readable in the admin, and an import never overwrites an
edit made in the admin since the file was last imported."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from releases.editorial import diffs, revisions
from releases.importing import StrictModeError, import_releases
from releases.models import ImportRun, Minister, Release

from .conftest import release_text

pytestmark = pytest.mark.django_db

RUNS = "/admin/releases/importrun/"


def test_each_run_is_recorded_with_its_counts_and_problems(write, tmp_path):
    """A run of the command leaves one record: who ran it, what it read, its counts and
    every problem, as --report would write them."""
    write("good.md", release_text())
    write("bad.md", release_text(date="2021-13-45"))
    with pytest.raises(CommandError):
        call_command("load_releases", str(tmp_path))
    run = ImportRun.objects.get()
    assert run.started_by.startswith("manage.py load_releases, by ")
    assert run.paths == [str(tmp_path)]
    assert (run.outcome, run.files, run.created, run.skipped) == ("completed", 2, 1, 1)
    assert run.problems == [
        {
            "path": str(tmp_path / "bad.md"),
            "field": "date",
            "message": "“2021-13-45” is not a valid date (expected YYYY-MM-DD)",
            "level": "error",
        }
    ]
    assert run.started_at <= run.finished_at


def test_strict_and_dry_runs_are_recorded_though_they_write_nothing(write, tmp_path):
    """A --strict run stopped by an error and a dry run are recorded for what they were."""
    write("bad.md", release_text(url="javascript:alert(1)"))
    with pytest.raises(StrictModeError):
        import_releases([tmp_path], strict=True)
    import_releases([tmp_path], dry_run=True)
    assert list(ImportRun.objects.order_by("pk").values_list("outcome", "dry_run")) == [
        ("strict", False),
        ("completed", True),
    ]
    assert not Release.objects.exists()


def test_import_runs_are_read_only_in_the_admin(write, tmp_path, client):
    """Staff read an import's record and its problems, and cannot add, change or delete
    one, even by a forged request."""
    write("bad.md", release_text(title="", body=""))
    import_releases([tmp_path], started_by="a test")
    run = ImportRun.objects.get()
    client.force_login(User.objects.create_superuser("admin"))
    listing = client.get(RUNS)
    assert listing.status_code == 200
    assert "a test" in listing.content.decode()
    page = client.get(f"{RUNS}{run.pk}/change/")
    assert page.status_code == 200
    assert f"warning: {tmp_path / 'bad.md'}: title: empty; shown as" in page.content.decode()
    assert client.get(f"{RUNS}add/").status_code == 403
    assert client.post(f"{RUNS}{run.pk}/change/", {"started_by": "me"}).status_code == 403
    assert client.post(f"{RUNS}{run.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ImportRun.objects.get().started_by == "a test"


def test_an_edit_in_the_admin_is_kept_when_its_file_changes(write, tmp_path):
    """A file changed since its last import whose release was edited in the admin
    meanwhile is not applied: the edit stays, the file is named, and it is named again on
    the next run until someone resolves it. The history keeps both versions, the file's
    once, to compare. Other changed files update as before."""
    edited = write("edited.md", release_text(title="First title"))
    other = write("other.md", release_text(url="https://www.beehive.govt.nz/release/other"))
    import_releases([tmp_path])
    release = Release.objects.get(slug="minister-opens-new-bridge")
    editor = User.objects.create_user("editor")
    revisions.keep_imported_states([release.pk])  # as the admin does before a save
    with revisions.recorded(editor, "Changed title."):
        release.title = "Title corrected by an editor"
        release.save()
    edited.write_text(
        release_text(
            title="Title from the changed file",
            ministers=["Hon Damien O'Connor", "Hon Unknown Person"],
        ),
        encoding="utf-8",
    )
    other.write_text(
        release_text(url="https://www.beehive.govt.nz/release/other", title="Other, changed"),
        encoding="utf-8",
    )
    for _ in range(2):
        result = import_releases([tmp_path])
        assert (result.updated, result.kept) == (0 if _ else 1, 1)
        assert [(w.path, w.field) for w in result.warnings] == [(str(edited), "release")]
        assert "was edited in the admin on " in result.warnings[0].message
        assert result.warnings[0].message.endswith("the admin's version is kept")
    assert Release.objects.get(slug="minister-opens-new-bridge").title == (
        "Title corrected by an editor"
    )
    assert Release.objects.get(slug="other").title == "Other, changed"
    assert ImportRun.objects.latest().kept == 1
    unapplied, admin, imported = revisions.history(release)
    assert [v.field_dict["title"] for v in (unapplied, admin, imported)] == [
        "Title from the changed file",
        "Title corrected by an editor",
        "First title",
    ]
    assert admin.revision.user == editor
    assert unapplied.revision.comment.startswith("Not applied by load_releases: the file's")
    # A name the file gives that is no minister yet is left out, not made a record of.
    assert unapplied.field_dict["ministers"] == list(release.ministers.values_list("pk", flat=True))
    changes = diffs.compare(admin, unapplied)
    assert "<del>corrected</del>" in changes.title and "<ins>from</ins>" in changes.title
    assert (
        not Release.objects.get(slug="minister-opens-new-bridge")
        .ministers.filter(name__contains="Unknown")
        .exists()
    )
    assert not Minister.objects.filter(name__contains="Unknown").exists()


def test_an_import_that_changes_a_release_keeps_both_versions(write, tmp_path):
    """A changed file updates its release and keeps a revision of each state: the one the
    first import wrote and the one the changed file made, so the two can be compared."""
    path = write("bridge.md", release_text(title="Bridge opens"))
    import_releases([tmp_path])
    release = Release.objects.get()
    path.write_text(release_text(title="Harbour bridge opens"), encoding="utf-8")
    assert import_releases([tmp_path]).updated == 1
    new, old = revisions.history(release)
    assert (old.field_dict["title"], new.field_dict["title"]) == (
        "Bridge opens",
        "Harbour bridge opens",
    )
    assert old.revision.comment == "Imported by load_releases."
    assert new.revision.comment == "Updated by load_releases: its file changed."
