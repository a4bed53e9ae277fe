"""Search on the release list: /releases/?q=… with snippets, facets and every filter."""

import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.utils.http import urlencode

from releases.filters import ReleaseFilter
from releases.importing import import_releases
from releases.models import Release
from releases.views import PAGE_SIZE

from .conftest import FIXTURES
from .test_filters import boxes
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


def test_checkbox_counts_are_what_each_box_finds_in_the_search(client, sample):
    """A search's portfolio and minister checkboxes count its results: ticking one lists as
    many releases as its count says (one facets statement, no separate facets section)."""
    response = client.get("/releases/", {"q": "trade mission"})
    page = response.content.decode()
    assert '<section class="facets"' not in page
    for name in ("portfolio", "minister"):
        shown = boxes(response, name)
        assert shown
        for slug, count, _ in shown[:3]:
            cache.clear()  # a page served from the cache has no context to read the count from
            narrowed = client.get("/releases/", {"q": "trade mission", name: slug})
            assert narrowed.context["page"].paginator.count == count, slug


def test_with_a_minister_chosen_the_portfolios_count_within_it(client, sample):
    """With a minister ticked, the minister boxes are not counted (ticking more adds their
    releases) and each portfolio's count is what ticking it finds among the minister's."""
    chosen = {"q": "trade", "minister": "damien-oconnor"}
    response = client.get("/releases/", chosen)
    assert all(count is None for _, count, _ in boxes(response, "minister"))
    assert ("damien-oconnor", None, True) in boxes(response, "minister")
    portfolios = boxes(response, "portfolio")
    assert portfolios
    for slug, count, _ in portfolios:
        cache.clear()
        narrowed = client.get("/releases/", {**chosen, "portfolio": slug})
        assert narrowed.context["page"].paginator.count == count, slug


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
    # The results counted by portfolio and minister in one statement, then the portfolios and
    # ministers counted most; the page, its ministers, portfolios and snippets; governments.
    with django_assert_num_queries(9):
        client.get("/releases/", {"q": "Japan virtual"})
    with django_assert_num_queries(9):
        client.get("/releases/", {"q": "government"})


def test_filters_in_use_cost_no_recount(client, sample, django_assert_num_queries):
    """A search narrowed by a minister and a year counts its results by portfolio in the
    same one statement as without them: the minister boxes, in use, are not recounted."""
    trade = {"q": "trade", "minister": "damien-oconnor", "year": "2021"}
    # 9 for the words alone, 1 to read the minister, 2 for the busiest ministers' order
    # (tallies, after what is scheduled) in place of the ministers counted in the results
    with django_assert_num_queries(11):
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
    assert response.context["page"].paginator.count == 2


@pytest.mark.parametrize(
    "query",
    [
        {"q": "minister"},
        {"q": "minister", "sort": "newest"},
        {"q": "minister", "sort": "oldest"},
        {"q": "trade OR minister", "government": "sixth-labour"},
        {"government": "sixth-labour", "sort": "oldest"},
    ],
)
def test_every_page_of_results_shows_the_next_releases_in_order(client, sample, query):
    """Page after page, the list shows the results in their order (relevance, newest or
    oldest first) with none left out or repeated, and the last page holds the rest: on
    PostgreSQL each page's releases are picked by the statement that counts the results."""
    filterset = ReleaseFilter(QueryDict(urlencode(query)), queryset=Release.objects.published())
    expected = [release.title for release in filterset.qs]
    assert len(expected) > PAGE_SIZE  # two pages at least
    shown = []
    for number in range(1, len(expected) // PAGE_SIZE + 2):
        response = client.get("/releases/", {**query, "page": number})
        assert response.status_code == 200
        shown += titles(response)
    assert shown == expected
    assert client.get("/releases/", {**query, "page": number + 1}).status_code == 404
