"""/sitemap.xml: an index of sitemaps covering every published release, portfolio and
minister, split into pages."""

import xml.etree.ElementTree as ET
from urllib.robotparser import RobotFileParser

import pytest
from django.urls import reverse

from releases import sitemaps
from releases.models import Minister, Portfolio, Release

from .test_views import make_named, make_release, unpublished

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


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
    """The index points at the release, portfolio and minister sitemaps."""
    make_release(
        portfolios=[make_named(Portfolio, "Health")], ministers=[make_named(Minister, "A B")]
    )
    urls, root = locations(client, reverse("releases:sitemap"))
    assert root.tag == f"{NS}sitemapindex"
    assert urls == [
        "http://testserver/sitemap-releases.xml",
        "http://testserver/sitemap-portfolios.xml",
        "http://testserver/sitemap-ministers.xml",
    ]
    assert root.find(f"{NS}sitemap/{NS}lastmod") is not None


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
