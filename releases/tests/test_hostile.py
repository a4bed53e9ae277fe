"""Hostile and broken input: every bad file is skipped with its path and field named, and
every good file beside it imports, on both databases."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from releases.importing import import_releases, pipeline
from releases.importing.pipeline import chunks
from releases.importing.sources import MAX_FILE_BYTES, SourceFile
from releases.models import Minister, Portfolio, Release

from .conftest import release_text

pytestmark = pytest.mark.django_db

GOOD = [f"good-{i}" for i in range(3)]


def alias_bomb(field):
    """A release whose `field` is under 600 bytes of YAML standing for 10^9 strings: nine
    levels of lists, each of ten aliases of the level below."""
    levels = ["&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"&a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    bomb = f"{field}: [{', '.join(levels)}]"
    text = release_text(
        url=f"https://www.beehive.govt.nz/release/bomb-{field}",
        **{field: None for field in ["ministers", "portfolios"]},
    )
    if field == "title":
        return text.replace('title: "Minister opens new bridge"', bomb)
    return text.replace("---\n\n", f"{bomb}\n---\n\n")


@pytest.fixture
def folder(write, tmp_path):
    """A folder holding three good releases; bad entries are added beside them."""
    for slug in GOOD:
        write(f"{slug}.md", release_text(url=f"https://www.beehive.govt.nz/release/{slug}"))
    return tmp_path


def run_command(folder, *args):
    """load_releases on the folder: (exit status, what it printed on stderr)."""
    try:
        call_command("load_releases", str(folder), *args)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, ""


def assert_good_files_imported():
    slugs = set(Release.objects.values_list("slug", flat=True))
    assert set(GOOD) <= slugs, slugs


def errors_by_path(result):
    return {os.path.basename(p.path): (p.field, p.message) for p in result.errors}


def load(folder):
    """Run load_releases on the folder as a user would, with --report: (exit status,
    {file name: (field, message)} of the errors, every problem reported)."""
    report = folder.parent / f"{folder.name}-report.json"
    status, _ = run_command(folder, "--report", str(report))
    problems = json.loads(report.read_text())["problems"]
    errors = {
        os.path.basename(p["path"]): (p["field"], p["message"])
        for p in problems
        if p["level"] == "error"
    }
    return status, errors, problems


@pytest.mark.parametrize("field", ["title", "ministers", "portfolios", "attachments"])
def test_yaml_alias_bomb_is_an_error_for_its_file_alone(folder, write, field, capsys):
    """Nested YAML aliases are refused in milliseconds, naming the file; the rest imports."""
    bomb = write("bomb.md", alias_bomb(field))
    assert len(alias_bomb(field).split(f"{field}: ")[1].split("\n")[0]) < 600
    started = time.perf_counter()
    status, _ = run_command(folder)
    assert time.perf_counter() - started < 10  # the bomb's 10^9 strings would take minutes
    assert status == 1
    errors = capsys.readouterr().err
    assert f"error: {bomb}: front matter: expands to more than 1,000,000 characters" in errors
    assert_good_files_imported()
    assert Release.objects.count() == len(GOOD)


def test_folder_walk_survives_what_is_not_a_readable_file(folder, write):
    """A folder named x.md is walked, and a broken link, a FIFO and a link to /dev/zero are
    each named and skipped, while every good file around them imports."""
    write("x.md/inside.md", release_text(url="https://www.beehive.govt.nz/release/inside"))
    os.symlink(folder / "nowhere.md", folder / "broken.md")
    os.mkfifo(folder / "pipe.md")
    os.symlink("/dev/zero", folder / "zero.md")
    os.symlink(folder / "x.md", folder / "linked-folder")
    os.symlink(folder / "loop-b.md", folder / "loop-a.md")
    os.symlink(folder / "loop-a.md", folder / "loop-b.md")
    status, errors, problems = load(folder)
    assert status == 1
    assert errors == {
        "broken.md": ("file", f"a broken link: its target {folder / 'nowhere.md'} does not exist"),
        "loop-a.md": ("file", "cannot be read: Too many levels of symbolic links"),
        "loop-b.md": ("file", "cannot be read: Too many levels of symbolic links"),
        "pipe.md": ("file", "not a regular file (a named pipe); skipped"),
        "zero.md": ("file", "not a regular file (a character device); skipped"),
    }
    notes = [p for p in problems if p["level"] == "note"]
    assert [os.path.basename(p["path"]) for p in notes] == ["linked-folder"]
    assert_good_files_imported()
    assert Release.objects.filter(slug="inside").exists()


def test_file_too_large_is_skipped_unread(folder, write):
    """A file past the size limit is named and skipped; nothing of it is parsed."""
    write("huge.md", release_text(body="x" * (MAX_FILE_BYTES + 1)))
    assert load(folder)[:2] == (
        1,
        {"huge.md": ("file", "larger than 2 MB, far beyond any release; skipped")},
    )
    assert_good_files_imported()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"url": "https://www.beehive.govt.nz/release/" + "a" * 500},
            "url",
            "“https://www.beehive.govt.nz/release/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…” "
            "is 536 characters; at most 500",
        ),
        (
            {"ministers": ["Hon Te" + "a" * 300 + " Smith"]},
            "ministers",
            f"“Hon Te{'a' * 54}…” is 312 characters; a name has at most 255",
        ),
        (
            {"portfolios": ["Associate " * 30]},
            "portfolios",
            "“Associate Associate Associate Associate Associate Associate…” is 299 "
            "characters; a name has at most 255",
        ),
        (
            {"url": '"https://www.bee hive.govt.nz/release/x"'},
            "url",
            "“https://www.bee hive.govt.nz/release/x” is not an http(s) URL",
        ),
        (
            {"url": '"https://www.beehive.govt.nz/release/\\nx"'},
            "url",
            "“https://www.beehive.govt.nz/release/\nx” is not an http(s) URL",
        ),
        ({"url": "https:///release/x"}, "url", "“https:///release/x” is not an http(s) URL"),
    ],
)
def test_value_past_the_models_limits_is_an_error_on_both_databases(
    folder, write, changes, field, message
):
    """Values the database would refuse (PostgreSQL) or store past the model's limits
    (SQLite) are one file's error, the same on both, naming the field."""
    write("bad.md", release_text(**changes))
    assert load(folder)[:2] == (1, {"bad.md": (field, message)})
    assert_good_files_imported()
    assert Release.objects.count() == len(GOOD)
    assert not Minister.objects.filter(name__startswith="Teaaa").exists()
    assert not Portfolio.objects.filter(name__startswith="Associate Associate").exists()


def test_nul_characters_are_removed_with_a_warning(folder, write):
    """A NUL byte in a body, or a "\\0" escape in the front matter, is dropped with a
    warning; the release imports (PostgreSQL cannot store NUL in text)."""
    text = release_text(title="Bridge\\0 opens", body="The bridge\x00 is open.")
    bad = write(
        "nul.md", text.replace("portfolios:", 'attachments: ["https://x.nz/a\\0.pdf"]\nportfolios:')
    )
    result = import_releases([folder])
    assert result.errors == []
    assert [(w.field, w.message) for w in result.warnings if w.path == str(bad)] == [
        ("file", "contains NUL characters, which no database can store as text; removed")
    ]
    release = Release.objects.get(slug="minister-opens-new-bridge")
    assert (release.title, release.body) == ("Bridge opens", "The bridge is open.")
    assert release.attachments == ["https://x.nz/a.pdf"]


@pytest.mark.parametrize("value", ["~", "null", "", "'<i></i>'"])
def test_empty_or_null_title_falls_back_on_the_body(write, tmp_path, value):
    """`title: ~` is no title, not the text "~": the body's first sentence stands in."""
    write("r.md", release_text().replace('title: "Minister opens new bridge"', f"title: {value}"))
    result = import_releases([tmp_path])
    assert [(w.field, w.message) for w in result.warnings] == [
        ("title", "empty; shown as “The bridge is open”")
    ]
    assert Release.objects.get().title == "The bridge is open"


@pytest.mark.parametrize(
    ("title", "stored"),
    [
        ("<i>Kiwis</i> &lt;img src=x onerror=alert(1)&gt; win", "Kiwis win"),
        ("Tax &amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; cut", "Tax alert(1) cut"),
        ("Prices &lt; 5% up &amp; rising", "Prices < 5% up & rising"),
    ],
)
def test_escaped_markup_in_a_title_never_becomes_a_tag(write, tmp_path, title, stored):
    """Entities in a title are read as the characters they stand for, but markup they
    spell is dropped, so a feed reader that renders titles as HTML sees no tag."""
    write("r.md", release_text(title=title))
    assert import_releases([tmp_path]).errors == []
    assert Release.objects.get().title == stored


def test_title_too_tangled_for_strip_tags_loses_its_brackets(write, tmp_path):
    """A tag left open for 1,000 characters, which Django's strip_tags refuses to read,
    has its angle brackets removed with a warning instead of failing the file."""
    write("r.md", release_text(title="<img" + "<" * 60 + " onerror=alert(1) " + "x" * 1000))
    result = import_releases([tmp_path])
    assert [(w.field, w.message) for w in result.warnings] == [
        ("title", "markup too tangled to read as text; its < and > were removed"),
        ("title", "longer than 500 characters; shortened"),
    ]
    assert Release.objects.get().title == ("img onerror=alert(1) " + "x" * 1000)[:499] + "…"


def test_body_nested_too_deeply_is_an_error_not_a_hang(folder, write):
    """100,000 nested quotes would take the sanitiser a minute: the file is refused fast."""
    write("deep.md", release_text(body=">" * 100_000))
    started = time.perf_counter()
    status, errors, _ = load(folder)
    assert time.perf_counter() - started < 10
    assert (status, errors) == (
        1,
        {
            "deep.md": (
                "body",
                "blocks or tags nest 100,000 levels deep (quotes inside quotes, lists inside "
                "lists or HTML tags left open); at most 100 can be shown",
            )
        },
    )
    assert_good_files_imported()


REFUSE_TITLE = {
    "sqlite": [
        "CREATE TRIGGER refuse BEFORE INSERT ON releases_release WHEN NEW.title = 'Refused' "
        "BEGIN SELECT RAISE(ABORT, 'titles may not be Refused'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.title = 'Refused' THEN "
        "RAISE EXCEPTION 'titles may not be Refused'; END IF; RETURN NEW; END $$ "
        "LANGUAGE plpgsql",
        "CREATE TRIGGER refuse BEFORE INSERT ON releases_release FOR EACH ROW "
        "EXECUTE FUNCTION refuse()",
    ],
}


@pytest.mark.parametrize("batch_size", [1, 1000])
def test_a_value_the_database_refuses_fails_only_its_own_file(folder, write, batch_size):
    """When the database itself refuses a row (here a trigger does), that file alone is
    reported; its batch's other files and the rest of the import are written."""
    with connection.cursor() as cursor:
        for statement in REFUSE_TITLE[connection.vendor]:
            cursor.execute(statement)
    write("refused.md", release_text(title="Refused", ministers=["Hon New Person"]))
    result = import_releases([folder], batch_size=batch_size)
    assert [(p.path.rsplit("/", 1)[-1], p.field) for p in result.errors] == [
        ("refused.md", "database")
    ]
    assert "titles may not be Refused" in result.errors[0].message
    assert result.created == len(GOOD)
    assert_good_files_imported()
    # The refused file's new minister was rolled back with it, and nothing points nowhere.
    assert not Minister.objects.filter(name="New Person").exists()
    assert sorted(Minister.objects.values_list("name", flat=True)) == ["Damien O'Connor"]
    assert not Release.objects.filter(ministers=None).exists()


def test_stop_between_batches_keeps_whole_batches(folder, write):
    """A stop request (Ctrl-C) ends the import after the batch being written: every
    release written has its links, and the result says how many batches went in."""
    for i in range(10):
        write(f"more-{i}.md", release_text(url=f"https://www.beehive.govt.nz/release/more-{i}"))
    stop, seen = threading.Event(), []

    def progress(source):
        seen.append(source)
        if len(seen) == 3:
            stop.set()

    result = import_releases([folder], batch_size=2, progress=progress, stop=stop)
    assert result.interrupted
    assert (result.batches, result.created) == (2, 3)
    assert Release.objects.count() == 3
    assert not Release.objects.filter(ministers=None).exists()
    again = import_releases([folder], batch_size=2)
    assert (again.created, again.unchanged, again.interrupted) == (10, 3, False)


def test_ctrl_c_exits_130_with_one_line_and_no_traceback(tmp_path):
    """Ctrl-C on the command stops it between batches: status 130, one line saying how
    many batches were written, no traceback, and only whole batches in the database."""
    for i in range(5000):
        (tmp_path / f"{i:04}.md").write_text(
            release_text(url=f"https://www.beehive.govt.nz/release/r{i}"), encoding="utf-8"
        )
    database = tmp_path / "db.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEBUG": "1"}
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    process = subprocess.Popen(
        [*manage, "load_releases", str(tmp_path), "--batch-size", "20"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def written():
        with sqlite3.connect(database) as db:
            return db.execute("SELECT count(*) FROM releases_release").fetchone()[0]

    deadline = time.monotonic() + 60
    while written() == 0:  # the first batch is in: stop now, mid-import
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in err
    line = next(line for line in err.splitlines() if line.startswith("CommandError"))
    batches = int(line.split("Interrupted: ")[1].split(" ")[0])
    assert line == (
        f"CommandError: Interrupted: {batches} batch(es) were written whole. "
        "Run the same command again to import the rest."
    )
    assert 0 < written() == 20 * batches < 5000


def test_a_parsing_process_killed_stops_the_import_with_one_clear_line(folder, write, monkeypatch):
    """If the system kills a parsing process (for memory, say), the command says so in one
    line naming the files it was reading, writes its report, and shows no traceback."""
    write("killed.md", release_text(url="https://www.beehive.govt.nz/release/killed"))
    parse = pipeline.parse_source

    def killed_on_one_file(source, warn):  # runs in the forked worker
        if source.path.endswith("killed.md"):
            os.kill(os.getpid(), signal.SIGKILL)
        return parse(source, warn)

    monkeypatch.setattr(pipeline, "parse_source", killed_on_one_file)
    report = folder.parent / "report.json"
    status, message = run_command(folder, "--report", str(report))
    assert status == 1
    assert message == (
        f"Stopped: a parsing process stopped while reading {folder / 'good-0.md'} … "
        f"{folder / 'killed.md'}. The batches before it are written; the files after it "
        "were not read."
    )
    assert json.loads(report.read_text())["aborted"].startswith("a parsing process stopped")


def test_workers_get_files_by_count_and_by_size():
    """Files reach the parsing workers in chunks of at most 200 files or 1 MB, so a
    folder of large files never sits in memory at once; a larger file goes alone."""
    sizes = [10] * 450 + [2**20 - 100, 2 * 2**20, 2**19, 2**19 + 1, 10]
    sources = [SourceFile.read(f"{n}.md", b"x" * size) for n, size in enumerate(sizes)]
    assert [len(chunk) for chunk in chunks(sources)] == [200, 200, 50, 1, 1, 1, 2]
    assert [s for chunk in chunks(sources) for s in chunk] == sources


def test_a_batch_of_large_releases_is_written_in_several_transactions(write, tmp_path):
    """Releases go into a transaction by count and by size: ten bodies of 1.9 MB (3.8 MB
    each with their HTML) make two batches of 16 MB or so, not one of 38 MB."""
    for i in range(10):
        body = f"Paragraph {i} of a very long release.\n\n" * (19 * 2**20 // 400)
        write(f"{i}.md", release_text(url=f"https://www.beehive.govt.nz/release/r{i}", body=body))
    result = import_releases([tmp_path])
    assert (result.errors, result.created, result.batches) == ([], 10, 2)
