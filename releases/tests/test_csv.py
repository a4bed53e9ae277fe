"""The CSV of a release list: what a spreadsheet user opens, with the list's filters,
formulas made harmless, streamed, and nothing unpublished in it."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from releases.api import spreadsheet
from releases.editorial import states
from releases.importing import import_releases
from releases.models import Minister, Portfolio, Release

from .test_views import JUNE_2021, SEED_SLUG, SEED_TITLE, make_named, make_release, unpublished

pytestmark = pytest.mark.django_db


def download(client, **params):
    response = client.get("/releases/csv/", params)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the byte order mark Excel needs for UTF-8
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_has_a_header_and_a_row_per_release(client):
    """One row per published release, ministers and portfolios joined with "; "."""
    assert import_releases([JUNE_2021]).errors == []
    rows = download(client)
    assert list(rows[0]) == spreadsheet.HEADER
    assert len(rows) == Release.objects.published().count()
    seed = next(r for r in rows if r["slug"] == SEED_SLUG)
    release = Release.objects.get(slug=SEED_SLUG)
    assert seed["title"] == SEED_TITLE
    assert seed["date"] == "2021-06-01"
    assert seed["ministers"] == "Damien O'Connor"
    assert set(seed["portfolios"].split("; ")) == {p.name for p in release.portfolios.all()}
    assert seed["government"] == "Sixth Labour Government"
    assert seed["url"] == f"http://testserver/releases/{SEED_SLUG}/"
    assert seed["source_url"] == release.source_url


def test_csv_takes_the_list_filters(client):
    """The same query string as /releases/ gives the same releases."""
    health = make_named(Portfolio, "Health")
    make_release("In health", portfolios=[health], date=datetime.date(2021, 1, 1))
    make_release("Elsewhere", date=datetime.date(2020, 1, 1))
    assert [r["title"] for r in download(client, portfolio="health")] == ["In health"]
    assert [r["title"] for r in download(client, year=2020)] == ["Elsewhere"]
    assert [r["title"] for r in download(client, sort="oldest")] == ["Elsewhere", "In health"]
    bad = client.get("/releases/csv/", {"date_after": "2021-13-45"})
    assert bad.status_code == 400 and b"date" in bad.content


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_a_spreadsheet_would_run_are_neutralised(client, start):
    """A title or name beginning with a formula character is shown as text."""
    minister = make_named(Minister, "Jo Bloggs")
    minister.name = f'{start}HYPERLINK("http://evil")'
    minister.save()
    make_release(f"{start}1+1 surprise", ministers=[minister])
    (row,) = download(client)
    assert row["title"] == f"'{start}1+1 surprise"
    assert row["ministers"] == f'\'{start}HYPERLINK("http://evil")'


@pytest.mark.parametrize("kind", ["draft", "scheduled", "withdrawn"])
def test_csv_has_no_unpublished_release(client, kind):
    """Drafts, scheduled and withdrawn releases are never in the download."""
    make_release("Shown")
    hidden = make_release("Hidden", **({} if kind == "withdrawn" else unpublished(kind)))
    if kind == "withdrawn":
        states.withdraw(hidden, "Wrong figures.", User.objects.create_superuser("p"))
    assert [r["title"] for r in download(client)] == ["Shown"]


def test_csv_streams_in_chunks(client):
    """A long list arrives in pieces, each chunk of releases loaded with its links, so the
    whole list is never held at once."""
    minister = make_named(Minister, "Jo Bloggs")
    count = 2 * spreadsheet.CHUNK + 5
    Release.objects.bulk_create(
        Release(title=f"R {n}", slug=f"r-{n}", status=Release.Status.PUBLISHED,
                published_at=datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC),
                date=datetime.date(2021, 1, 1))
        for n in range(count)
    )  # fmt: skip
    minister.releases.set(Release.objects.all())
    response = client.get("/releases/csv/")
    pieces = list(response.streaming_content)
    assert len(pieces) == 1 + 3  # the header, then one piece a chunk
    rows = list(csv.reader(io.StringIO(b"".join(pieces).decode("utf-8-sig"))))
    assert len(rows) == 1 + count
    assert all(row[6] == "Jo Bloggs" for row in rows[1:])


def test_list_page_links_to_its_csv(client):
    """The list page offers its own filtered list as a CSV."""
    make_release()
    response = client.get("/releases/", {"year": 2021, "junk": "x"})
    assert b'href="/releases/csv/?year=2021"' in response.content


def test_csv_reads_sqlite_without_mapping_the_database(client):
    """On SQLite the stream turns memory-mapped reads off before it reads a release (each
    page mapped would count as the web worker's memory: the whole database, for the whole
    archive); on PostgreSQL nothing is set."""
    make_release("Harbour news")
    with CaptureQueriesContext(connection) as queries:
        body = b"".join(client.get("/releases/csv/").streaming_content)
    assert b"Harbour news" in body
    statements = [q["sql"] for q in queries.captured_queries]
    first_read = next(i for i, sql in enumerate(statements) if '"releases_release"."slug"' in sql)
    unmapping = [i for i, sql in enumerate(statements) if sql == "PRAGMA mmap_size=0"]
    if connection.vendor == "sqlite":
        assert len(unmapping) == 1 and unmapping[0] < first_read
    else:
        assert unmapping == []
