"""An import killed outright (SIGKILL, as the out-of-memory killer or a lost host would)
in the middle of a batch leaves the database as it was before that batch: every release
stored has all its links, no batch is half-written, SQLite's file is intact, and the same
command run again imports the rest. On a real `load_releases` process, on both databases,
with real files from the corpus."""

import contextlib
import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import tarfile
import time
import uuid

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from releases import names
from releases.importing.parsing import parse_source
from releases.importing.sources import SourceFile

FILES, BATCH = 600, 150
# Each stored release's import key and its numbers of minister and portfolio links.
LINKS = """
    SELECT import_key,
        (SELECT count(*) FROM releases_release_ministers m WHERE m.release_id = r.id),
        (SELECT count(*) FROM releases_release_portfolios p WHERE p.release_id = r.id)
    FROM releases_release r
"""


class SQLiteFile:
    """A database file of its own, which the import and these checks open side by side."""

    def __init__(self, tmp_path):
        self.path = tmp_path / "db.sqlite3"
        self.url = f"sqlite:///{self.path}"

    def query(self, sql):
        with contextlib.closing(sqlite3.connect(self.path)) as db:
            return db.execute(sql).fetchall()

    def writing(self):
        """Whether a write transaction is open: another writer cannot start one."""
        with contextlib.closing(sqlite3.connect(self.path, timeout=0, isolation_level=None)) as db:
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:  # database is locked
                return True
            db.execute("ROLLBACK")
            return False

    def wait_until_closed(self):
        pass  # a killed process holds no lock on a file

    def drop(self):
        pass


class PostgresDatabase:
    """A database of its own on the test server, dropped afterwards."""

    def __init__(self):
        db = connection.settings_dict
        self.name = f"{db['NAME']}_killed_{uuid.uuid4().hex[:8]}"
        self.server = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"]}
        self.url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{self.name}"
        self._admin(f'CREATE DATABASE "{self.name}"')

    def _admin(self, sql):
        with psycopg.connect(dbname="postgres", autocommit=True, **self.server) as db:
            db.execute(sql)

    def query(self, sql):
        with psycopg.connect(dbname=self.name, **self.server) as db:
            return db.execute(sql).fetchall()

    def writing(self):
        """Whether another session has written releases in a transaction still open."""
        return self.query(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
            "WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() "
            "AND l.relation = 'releases_release'::regclass AND l.mode = 'RowExclusiveLock'"
        ) != [(0,)]

    def wait_until_closed(self):
        """Until the server has noticed the killed client and rolled its transaction back."""
        deadline = time.monotonic() + 30
        while self.query(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ) != [(0,)]:
            assert time.monotonic() < deadline, "the killed import's session lives on"
            time.sleep(0.05)

    def drop(self):
        self._admin(f'DROP DATABASE "{self.name}" WITH (FORCE)')


@pytest.fixture
def database(tmp_path):
    """An empty database of the kind the suite runs on, migrated by manage.py."""
    db = SQLiteFile(tmp_path) if connection.vendor == "sqlite" else PostgresDatabase()
    try:
        manage("migrate", "-v0", database=db, check=True)
        yield db
    finally:
        db.drop()


@pytest.fixture
def real_files(corpus, tmp_path):
    """The first FILES releases of the real corpus, each a file in one folder."""
    folder = tmp_path / "corpus"
    with tarfile.open(corpus) as tar:
        releases = (m for m in tar if m.isfile() and m.name.startswith("releases/"))
        for member in itertools.islice(releases, FILES):
            tar.extract(member, folder, filter="data")  # as read: the archive is a stream
    return folder


def manage(*args, database, **kwargs):
    env = {**os.environ, "DATABASE_URL": database.url, "DEBUG": "1"}
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, **kwargs)


def links_in_files(folder):
    """{import key: (ministers, portfolios)} as the files name them, each person or
    portfolio counted once however it is spelled."""
    expected = {}
    for path in folder.rglob("*.md"):
        parsed = parse_source(SourceFile.read(str(path), path.read_bytes()), lambda *w: None)
        expected[parsed.import_key] = (
            len({names.minister_key(s) for s in parsed.ministers}),
            len({names.portfolio_key(s) for s in parsed.portfolios}),
        )
    return expected


def kill_inside_a_batch(process, database):
    """SIGKILL the import and its parsing workers while a batch's transaction is open,
    after at least one batch is in; return how many releases were in before it."""
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, "the import ended before it could be killed"
        assert time.monotonic() < deadline, "no batch was seen being written"
        in_before = database.query("SELECT count(*) FROM releases_release")[0][0]
        if in_before and database.writing():
            # Frozen, the import cannot commit: if its transaction is still open now, the
            # kill lands inside it. If it was between batches, let it go on.
            os.killpg(process.pid, signal.SIGSTOP)
            if database.writing():
                in_before = database.query("SELECT count(*) FROM releases_release")[0][0]
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
                return in_before
            os.killpg(process.pid, signal.SIGCONT)
        time.sleep(0.002)


def test_an_import_killed_inside_a_batch_leaves_whole_batches(database, real_files, tmp_path):
    """SIGKILL inside a batch: the database holds the batches before it, whole, each
    release with all its links, and nothing of the batch being written; SQLite's file
    passes its integrity check. Run again, the import writes the rest."""
    env = {**os.environ, "DATABASE_URL": database.url, "DEBUG": "1"}
    with open(tmp_path / "out", "w") as out, open(tmp_path / "err", "w") as err:
        process = subprocess.Popen(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "load_releases",
             str(real_files), "--batch-size", str(BATCH)],
            env=env, stdout=out, stderr=err,
            start_new_session=True,  # its own process group: the workers are killed too
        )  # fmt: skip
        try:
            in_before = kill_inside_a_batch(process, database)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    database.wait_until_closed()

    stored = {key: (ministers, portfolios) for key, ministers, portfolios in database.query(LINKS)}
    assert len(stored) == in_before, "the killed batch was written, in part or whole"
    assert 0 < len(stored) < FILES and len(stored) % BATCH == 0
    expected = links_in_files(real_files)
    assert stored == {key: expected[key] for key in stored}
    assert sum(ministers for ministers, _ in stored.values()) > 0
    if connection.vendor == "sqlite":
        assert database.query("PRAGMA integrity_check") == [("ok",)]
        assert database.query("PRAGMA foreign_key_check") == []

    again = manage("load_releases", str(real_files), database=database)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(
        f"{FILES - len(stored)} created, 0 updated, {len(stored)} unchanged, 0 skipped"
    ), again.stdout
    assert {key: (m, p) for key, m, p in database.query(LINKS)} == expected
