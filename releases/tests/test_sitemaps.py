"""/sitemap.xml: an index of sitemaps covering every published release, portfolio,
minister and government, split into pages."""

import datetime
import xml.etree.ElementTree as ET
from urllib.robotparser import RobotFileParser

import pytest
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from releases import sitemaps
from releases.importing import import_releases
from releases.models import Minister, Portfolio, Release

from .conftest import FIXTURES
from .test_views import JUNE_2021, SEED_SLUG, make_named, make_release, unpublished

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def lastmods(client, url):
    """{address: its <lastmod> (None if it has none)} of a sitemap page or the index."""
    response = client.get(url)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return {
        entry.findtext(f"{NS}loc").removeprefix("http://testserver"): entry.findtext(f"{NS}lastmod")
        for entry in root
    }


def locations(client, url):
    response = client.get(url)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [loc.text for loc in root.iter(f"{NS}loc")], root


@pytest.fixture
def small_pages(monkeypatch):
    """Sitemap pages of two URLs, so a handful of releases needs several pages."""
    monkeypatch.setattr(sitemaps.ReleaseSitemap, "limit", 2)


def test_sitemap_index_lists_every_section(client):
    """The index points at the sitemaps of the home page and indexes, of releases, of
    portfolios, of ministers and of governments, each dated with its newest change."""
    make_release(
        portfolios=[make_named(Portfolio, "Health")], ministers=[make_named(Minister, "A B")]
    )
    urls, root = locations(client, reverse("releases:sitemap"))
    assert root.tag == f"{NS}sitemapindex"
    assert urls == [
        "http://testserver/sitemap-pages.xml",
        "http://testserver/sitemap-releases.xml",
        "http://testserver/sitemap-portfolios.xml",
        "http://testserver/sitemap-ministers.xml",
        "http://testserver/sitemap-governments.xml",
    ]
    assert all(lastmods(client, reverse("releases:sitemap")).values())


def test_release_sitemaps_are_split_and_cover_every_published_release(client, small_pages):
    """With more releases than fit one sitemap, the index lists several pages that together
    hold every published release exactly once, and no draft."""
    released = [make_release() for _ in range(5)]
    make_release("Draft", status=Release.Status.DRAFT)
    index, _ = locations(client, reverse("releases:sitemap"))
    pages = [u for u in index if "sitemap-releases" in u]
    assert pages == [
        "http://testserver/sitemap-releases.xml",
        "http://testserver/sitemap-releases.xml?p=2",
        "http://testserver/sitemap-releases.xml?p=3",
    ]
    listed = []
    for page in pages:
        urls, root = locations(client, page.removeprefix("http://testserver"))
        assert root.tag == f"{NS}urlset"
        assert root.find(f"{NS}url/{NS}lastmod") is not None
        listed += urls
    assert sorted(listed) == sorted(f"http://testserver{r.get_absolute_url()}" for r in released)
    assert client.get("/sitemap-releases.xml?p=4").status_code == 404
    assert client.get("/sitemap-releases.xml?p=abc").status_code == 404


def test_a_release_sitemap_page_keeps_its_addresses_when_others_leave(client, small_pages):
    """Pages are ranges of releases, not offsets: unpublishing a release on the first page
    leaves every later page as it was, so crawlers need not fetch them all again."""
    released = [make_release() for _ in range(6)]
    before = locations(client, "/sitemap-releases.xml?p=3")[0]
    released[0].status = Release.Status.DRAFT
    released[0].save()
    assert locations(client, "/sitemap-releases.xml?p=3")[0] == before
    first = locations(client, "/sitemap-releases.xml")[0]
    assert first == [f"http://testserver{released[1].get_absolute_url()}"]


def test_a_release_sitemap_page_costs_the_same_queries_for_any_page(
    client, small_pages, django_assert_num_queries
):
    """A full page and the last page are each three queries (the lowest and highest ids,
    then the page's releases) after the content version (caching.py), however many
    releases come before."""
    for _ in range(7):
        make_release()
    for page in ("/sitemap-releases.xml", "/sitemap-releases.xml?p=4"):
        with django_assert_num_queries(4):
            assert client.get(page).status_code == 200


def test_portfolio_and_minister_sitemaps_list_those_with_releases(client):
    """Portfolios and ministers with published releases are listed; empty ones are not."""
    health, minister = make_named(Portfolio, "Health"), make_named(Minister, "Ayesha Verrall")
    make_named(Portfolio, "Unused")
    make_release(portfolios=[health], ministers=[minister])
    make_release(portfolios=[make_named(Portfolio, "QA Secret Portfolio")],
                 ministers=[make_named(Minister, "QA Secret Minister")],
                 **unpublished("embargoed"))  # fmt: skip
    portfolios, _ = locations(client, "/sitemap-portfolios.xml")
    assert portfolios == ["http://testserver/portfolios/health/"]
    ministers, _ = locations(client, "/sitemap-ministers.xml")
    assert ministers == ["http://testserver/ministers/ayesha-verrall/"]


def test_unknown_sitemap_section_is_not_found(client):
    """A section that does not exist is a 404."""
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_real_archive_needs_splitting():
    """The archive (55,167 releases) is more than one sitemap may hold, so pages are small."""
    assert sitemaps.SITEMAP_SIZE <= 50_000 < 55_167


def test_robots_txt_lets_crawlers_in_but_not_the_admin_and_names_the_sitemap(client):
    """/robots.txt is plain text a crawler reads: the public site may be crawled, the admin
    not, and the sitemap is given by its full address on the host asked for."""
    response = client.get("/robots.txt", secure=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    robots = RobotFileParser()
    robots.parse(response.content.decode().splitlines())
    for url in ("/", "/releases/some-release/", "/portfolios/health/feed/", "/sitemap.xml"):
        assert robots.can_fetch("Googlebot", url), url
    assert not robots.can_fetch("Googlebot", "/admin/")
    assert not robots.can_fetch("Googlebot", "/admin/releases/release/")
    assert robots.site_maps() == ["https://testserver/sitemap.xml"]


# Real <lastmod> dates ----------------------------------------------------------------------

INDEXES = ["/", "/releases/", "/portfolios/", "/ministers/", "/governments/"]
UNDATED = FIXTURES / "0001" / "01"  # the source's two releases dated 0001-01-01


@pytest.fixture
def archive():
    """June 2021's real releases, imported, and the source's two undated ones, whose
    publish time is the import's."""
    assert import_releases([JUNE_2021, UNDATED]).errors == []


def test_home_page_and_indexes_are_in_the_sitemap_dated_with_the_newest_release(client, archive):
    """The home page and the indexes are listed, each last changed with the newest release
    (its own date, never the day undated releases were imported); a public update since
    moves them on, and the index says the same."""
    newest = Release.objects.aggregate(newest=Max("date"))["newest"].isoformat()
    assert newest.startswith("2021-06-")
    assert lastmods(client, "/sitemap-pages.xml") == dict.fromkeys(INDEXES, newest)
    # The index gives times, in New Zealand time: the day is what matters here.
    assert lastmods(client, "/sitemap.xml")["/sitemap-pages.xml"][:10] == newest
    Release.objects.filter(slug=SEED_SLUG).update(
        last_updated_at=datetime.datetime(2021, 7, 9, 22, 0, tzinfo=datetime.UTC)
    )
    # 10 July in New Zealand, as the site shows its dates.
    assert set(lastmods(client, "/sitemap-pages.xml").values()) == {"2021-07-10"}
    assert lastmods(client, "/sitemap.xml")["/sitemap-releases.xml"][:10] == "2021-07-10"


def test_each_release_is_dated_with_its_own_last_update(client, archive):
    """A release's <lastmod> is its own date, or its last public update; a release with no
    real date has none, rather than the import's."""
    dates = lastmods(client, "/sitemap-releases.xml")
    # Every release listed: the sample's nine files less a copy of the seed release.
    assert len(dates) == Release.objects.published().count() == 8
    for release in Release.objects.published():
        expected = release.date.isoformat() if release.date else None
        assert dates[release.get_absolute_url()] == expected, release.title


def test_portfolios_and_ministers_are_dated_with_their_newest_release(client):
    """A portfolio's or minister's <lastmod> is the date of its newest release the public
    can see; one scheduled for later gives nothing away."""
    health, science = make_named(Portfolio, "Health"), make_named(Portfolio, "Science")
    verrall = make_named(Minister, "Ayesha Verrall")
    make_release(date=datetime.date(2021, 3, 4), portfolios=[health, science])
    make_release(date=datetime.date(2022, 5, 6), portfolios=[health], ministers=[verrall])
    make_release(date=datetime.date(2023, 1, 1), portfolios=[science], ministers=[verrall],
                 status=Release.Status.DRAFT)  # fmt: skip
    make_release(date=timezone.localdate() + datetime.timedelta(days=30), portfolios=[health],
                 **unpublished("embargoed"))  # fmt: skip
    assert lastmods(client, "/sitemap-portfolios.xml") == {
        "/portfolios/health/": "2022-05-06",
        "/portfolios/science/": "2021-03-04",
    }
    assert lastmods(client, "/sitemap-ministers.xml") == {
        "/ministers/ayesha-verrall/": "2022-05-06"
    }
    index = lastmods(client, "/sitemap.xml")
    assert index["/sitemap-portfolios.xml"] == index["/sitemap-ministers.xml"] == "2022-05-06"


def test_governments_are_listed_dated_with_their_newest_release(client):
    """A government with releases the public can see is listed, dated with the newest of
    them; one with only a draft, or a release scheduled for later, is not listed, and its
    date gives nothing away."""
    make_release(date=datetime.date(2018, 3, 4))
    make_release(date=datetime.date(2021, 6, 1))
    make_release(date=datetime.date(2023, 1, 1), status=Release.Status.DRAFT)
    make_release(date=datetime.date(2010, 5, 6))
    make_release(date=datetime.date(2012, 1, 1), **unpublished("embargoed"))
    make_release(date=datetime.date(2005, 1, 1), **unpublished("embargoed"))
    assert lastmods(client, "/sitemap-governments.xml") == {
        "/governments/sixth-labour/": "2021-06-01",
        "/governments/fifth-national/": "2010-05-06",
    }
    for government in ("sixth-labour", "fifth-national"):
        assert client.get(f"/governments/{government}/").status_code == 200
    assert lastmods(client, "/sitemap.xml")["/sitemap-governments.xml"][:10] == "2021-06-01"


@pytest.mark.parametrize("section", ["pages", "portfolios", "ministers"])
def test_each_sitemap_section_costs_the_same_queries_for_few_or_many(
    client, django_assert_num_queries, section
):
    """The home page and indexes, portfolios and ministers are each listed in a fixed
    number of queries (after the content version), however many records there are."""
    queries = {"pages": 3, "portfolios": 3, "ministers": 3}[section]

    def add(count):
        for _ in range(count):
            portfolio = make_named(Portfolio, f"Portfolio {Portfolio.objects.count()}")
            make_release(
                portfolios=[portfolio], ministers=[make_named(Minister, f"M {portfolio.pk}")]
            )

    add(1)
    with django_assert_num_queries(queries):
        assert client.get(f"/sitemap-{section}.xml").status_code == 200
    add(20)
    # A release still to come: the portfolios or ministers named on it are counted apart.
    make_release(portfolios=[Portfolio.objects.first()], ministers=[Minister.objects.first()],
                 **unpublished("embargoed"))  # fmt: skip
    with django_assert_num_queries(queries + (section != "pages")):
        assert client.get(f"/sitemap-{section}.xml").status_code == 200
