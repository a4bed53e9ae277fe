"""Search on the release list: /releases/?q=… with snippets, facets and every filter."""

import html
import re

import pytest
from django.core.cache import cache

from releases.importing import import_releases
from releases.models import Release

from .conftest import FIXTURES
from .test_views import SEED_TITLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample():
    """All 251 real releases of the sample."""
    assert import_releases([FIXTURES]).errors == []


def titles(response):
    return [release.title for release in response.context["page"].object_list]


def test_search_ranks_the_seed_release_first(client, sample):
    """Words find the release they describe, most relevant first, with a snippet."""
    response = client.get("/releases/", {"q": "virtual trade mission Japan"})
    assert response.status_code == 200
    assert SEED_TITLE in titles(response)[:3]
    assert "Releases matching “virtual trade mission Japan”" in response.content.decode()
    assert "<mark>" in response.content.decode()


def test_snippet_is_escaped_with_only_marks_added(client):
    """Markup in a body shows as text in the snippet; only the matched words are marked."""
    release = Release.objects.create(
        title="Budget night",
        slug="budget-night",
        status=Release.Status.PUBLISHED,
        body="The budget & the <script>alert(1)</script> plan for wellbeing.",
    )
    response = client.get("/releases/", {"q": "wellbeing"})
    page = response.content.decode()
    assert release.title in titles(response)
    assert "<script>alert" not in page
    assert "<mark>wellbeing</mark>" in page


def test_search_combines_with_filters(client, sample):
    """A search narrowed by portfolio and year lists only releases matching all three."""
    response = client.get(
        "/releases/", {"q": "trade", "portfolio": "trade-and-export-growth", "year": "2021"}
    )
    found = response.context["page"].object_list
    assert SEED_TITLE in [r.title for r in found]
    for release in found:
        assert release.date.year == 2021
        assert "Trade and Export Growth" in [p.name for p in release.portfolios.all()]
    labels = [(a.label, a.value) for a in response.context["active_filters"]]
    assert ("Words", "“trade”") in labels


def test_facets_count_the_results_and_narrow_them(client, sample):
    """Facets count the current results by portfolio, minister, year and government, and
    each links to the search narrowed to it."""
    response = client.get("/releases/", {"q": "trade mission"})
    facets = response.context["facets"]
    total = response.context["page"].paginator.count
    assert sum(y["release_count"] for y in facets["years"]) == total
    trade = next(p for p in facets["portfolios"] if p.name == "Trade and Export Growth")
    narrowed = client.get("/releases/", {"q": "trade mission", "portfolio": trade.slug})
    assert narrowed.context["page"].paginator.count == trade.release_count
    assert f"portfolio={trade.slug}" in response.content.decode()


FACET_LINK = re.compile(r'<a href="([^"]*)">[^<]*</a> <span class="count">(\d+)</span>')


def facet_links(response):
    """The facets' links as the page shows them: (address, count) pairs."""
    section = response.content.decode().split('<section class="facets"')[1].split("</section>")[0]
    return [(html.unescape(href), int(count)) for href, count in FACET_LINK.findall(section)]


def test_each_facet_count_is_what_its_link_finds_with_filters_in_use(client, sample):
    """With a minister and a year chosen, the other ministers' and years' counts are what
    choosing them instead gives, not what the chosen and the other have in common."""
    minister = client.get("/releases/", {"q": "trade"}).context["facets"]["ministers"][0]
    chosen = {"q": "trade", "minister": minister.slug}
    chosen["year"] = client.get("/releases/", chosen).context["facets"]["years"][0]["year"]
    links = facet_links(client.get("/releases/", chosen))
    assert sum("minister=" in href and minister.slug not in href for href, _ in links) > 1
    assert sum("year=" in href and f"year={chosen['year']}" not in href for href, _ in links) > 1
    for href, count in links:
        cache.clear()  # a page served from the cache has no context to read the count from
        assert client.get(f"/releases/{href}").context["page"].paginator.count == count, href


def test_a_query_with_nothing_to_find_says_so(client, sample):
    """A query of only excluded words or punctuation explains why nothing is listed."""
    for query in ["-trade", "NOT trade", "!!!"]:
        page = client.get("/releases/", {"q": query}).content.decode()
        assert "There is nothing to search for" in page
        assert "0 releases" in page


def test_a_query_too_long_to_use_whole_says_so(client, sample):
    """Words past the 20th are not searched, and the page says so; a short query does not."""
    long_query = "trade " * 25
    page = client.get("/releases/", {"q": long_query}).content.decode()
    assert "only its first 20 words and phrases" in page
    assert f"“{long_query.strip()}”" not in page  # the heading and filter show its start
    assert "Words: “trade trade" in page  # removable, though the query ends in a space
    assert "only its first" not in client.get("/releases/", {"q": "trade"}).content.decode()


def test_sort_by_date_on_request(client, sample):
    """Search results can be sorted by date instead of relevance."""
    response = client.get("/releases/", {"q": "trade", "sort": "oldest"})
    dates = [r.date for r in response.context["page"].object_list if r.date]
    assert dates == sorted(dates)


@pytest.mark.parametrize(
    "query",
    [
        "x" * 2000,
        "!!! ??? ...",
        '"unbalanced quote',
        "'; DROP TABLE releases_release; --",
        "title:japan NEAR(a b) * ^ AND OR NOT",
        "\x00\x1f",
    ],
)
def test_absurd_queries_give_a_normal_page(client, sample, query):
    """Long, empty, unbalanced or operator-laden queries answer with a normal page."""
    response = client.get("/releases/", {"q": query})
    assert response.status_code == 200
    assert Release.objects.count() == 251


def test_search_page_costs_a_fixed_number_of_queries(client, sample, django_assert_num_queries):
    """Searching costs the same queries for a narrow and a broad result (the first of
    them reads the content version, caching.py)."""
    with django_assert_num_queries(12):
        client.get("/releases/", {"q": "Japan virtual"})
    with django_assert_num_queries(12):
        client.get("/releases/", {"q": "government"})


def test_each_filter_in_use_costs_one_query_more(client, sample, django_assert_num_queries):
    """A search narrowed by a minister and a year recounts those two facets without their
    own filters (see the test above for how each count matches its link): one statement
    each, and the records of the ministers counted."""
    trade = {"q": "trade", "minister": "damien-oconnor", "year": "2021"}
    with django_assert_num_queries(16):  # 12 for the words alone, 1 to read the minister
        response = client.get("/releases/", trade)
    assert response.context["page"].paginator.count > 0


def test_number_of_results_counts_undated_releases_and_drafts_not(client):
    """The page's count of results (taken from the facets' counts) includes releases with
    an unknown date, which no year counts, and leaves drafts out."""
    for slug, date, status in [
        ("dated", "2021-06-01", Release.Status.PUBLISHED),
        ("undated", None, Release.Status.PUBLISHED),
        ("draft", "2021-06-02", Release.Status.DRAFT),
    ]:
        Release.objects.create(title=f"Kakapo {slug}", slug=slug, date=date, status=status)
    response = client.get("/releases/", {"q": "kakapo"})
    assert "2 releases" in response.content.decode()
    assert response.context["facets"]["years"] == [{"year": 2021, "release_count": 1}]
