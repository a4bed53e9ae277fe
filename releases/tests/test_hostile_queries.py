"""Hostile query strings: whatever a client puts after the "?" (any parameter, any value,
repeated, very long, any bytes, lone surrogates and NUL), every public page, feed and
sitemap answers without a server error, with a page of bounded size, and what it answers
is readable (a feed or sitemap parses as XML)."""

import datetime
import itertools
import xml.etree.ElementTree as ET
from urllib.parse import quote_from_bytes

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beehive.middleware import MAX_QUERY_STRING
from releases.importing import import_releases
from releases.models import Government, Minister, Portfolio, Release

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db

# Pages of the sample below are at most some 60 kB; a query repeated in a few dozen links
# (at most 2,048 bytes of it, less what is not a valid filter) stays within this.
MAX_PAGE = 300_000
PAGES = [
    "home", "list", "detail", "portfolios", "portfolio", "ministers", "minister",
    "governments", "government", "old-release", "feed", "feed-atom", "portfolio-feed",
    "portfolio-feed-atom", "minister-feed", "minister-feed-atom", "sitemap",
    "sitemap-section",
]  # fmt: skip
# The parameters the pages read, so that values reach the forms, the paginators and the
# search; any other name is drawn too.
NAMES = ["q", "page", "p", "portfolio", "minister", "government", "year", "date_after",
         "date_before", "sort"]  # fmt: skip
ODD_VALUES = [
    "", "0", "-1", "1.5", "1e3", "２", "9" * 30, "2021", "0001-01-01", "9999-12-31",
    "2021-02-30", "newest", "oldest", "relevance", "health", "trade-and-export-growth",
    "sixth-labour", '"', '"unclosed', "-", "--", "*", "OR", "NOT", "AND", "a OR", "OR b",
    "-tax", "NOT NOT", "NEAR(a b)", "title:x", "(", ")", "^", "'", "\\", "%", "\x00",
    "\ud800", "\udfff", "\ufeff", "\u202e", "🙂", "<script>", "&amp;",
]  # fmt: skip
QUERIES = settings(
    max_examples=20,
    deadline=None,
    # The sample archive is made once for all examples: the pages only read it.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

any_text = st.text(st.characters(exclude_categories=()), max_size=20)  # surrogates, NUL too
values = st.one_of(
    any_text,
    st.sampled_from(ODD_VALUES),
    st.text(alphabet='"-*()^:ORNTADab ', max_size=20),  # search syntax
    # Around the search's and the query string's limits, and far past them.
    st.sampled_from([250, 301, 1000, 2040, 2049, 2**20]).map("x".__mul__),
)


def encode(text):
    # As a browser sends text; a lone surrogate becomes bytes that are not UTF-8.
    return quote_from_bytes(text.encode("utf-8", "surrogatepass"), safe="")


parameters = st.one_of(
    st.tuples(st.sampled_from(NAMES) | any_text, values).map(
        lambda pair: f"{encode(pair[0])}={encode(pair[1])}".encode()
    ),
    # Raw bytes as a client may send them: bare names, stray "=", "%" and "+", non-UTF-8.
    st.binary(max_size=12),
)


@st.composite
def query_strings(draw):
    """QUERY_STRING as a WSGI server passes it: the request's bytes, read as Latin-1."""
    return b"&".join(draw(st.lists(parameters, max_size=8))).decode("latin-1")


@pytest.fixture
def urls():
    """{page name: its address} over a sample of real releases from several governments."""
    folders = [FIXTURES / year for year in ["1997", "1998", "1999", "2021", "2024"]]
    assert import_releases(folders).errors == []
    release = Release.objects.published().exclude(portfolios=None).first()
    portfolio = release.portfolios.first()
    minister = Minister.objects.with_published_releases().first()
    # Reference data from a migration, made again if a test before this one flushed it.
    government, _ = Government.objects.get_or_create(
        slug="sixth-labour",
        defaults={"name": "Sixth Labour Government", "start_date": datetime.date(2017, 10, 26),
                  "end_date": datetime.date(2023, 11, 27)},
    )  # fmt: skip
    slugs = {
        "detail": [release.slug],
        "portfolio": [portfolio.slug],
        "portfolio-feed": [portfolio.slug],
        "portfolio-feed-atom": [portfolio.slug],
        "minister": [minister.slug],
        "minister-feed": [minister.slug],
        "minister-feed-atom": [minister.slug],
        "government": [government.slug],
        "old-release": [release.source_url.rsplit("/", 1)[1]],
        "sitemap-section": ["releases"],
    }
    assert Portfolio.objects.count() > 10
    return {name: reverse(f"releases:{name}", args=slugs.get(name, [])) for name in PAGES}


def assert_readable(response, page):
    """A bounded answer that is not a server error; XML that parses, when it is XML."""
    assert response.status_code < 500, page
    assert len(response.content) < MAX_PAGE, page
    if response.status_code == 200 and "xml" in response["Content-Type"]:
        ET.fromstring(response.content)


@QUERIES
@given(query=query_strings())
def test_any_query_string_gets_a_bounded_readable_answer(client, urls, query):
    """Any query string on every public page, feed and sitemap: no server error, at most
    a few hundred kB, and one too long for any real use is refused, saying why."""
    for page, url in urls.items():
        response = client.get(url, QUERY_STRING=query)
        assert_readable(response, page)
        if len(query) > MAX_QUERY_STRING:
            assert response.status_code == 400, page
            assert f"at most {MAX_QUERY_STRING:,} are accepted" in response.content.decode()


MEGABYTE_QUERIES = [
    "x=" + "a" * 2**20,  # once repeated in every link: a 68 MB list page
    "q=" + "a" * 2**20,
    "&".join(f"portfolio=p{i}" for i in range(500)),
    "page=" + "9" * 5000,
]


def test_a_megabyte_query_is_refused_with_a_short_page(client, urls):
    """A query string past 2,048 characters is refused, on every page, with a 400 page of
    a few kB that says how long it was and what is accepted."""
    for query, (page, url) in itertools.product(MEGABYTE_QUERIES, urls.items()):
        response = client.get(url, QUERY_STRING=query)
        assert response.status_code == 400, page
        assert len(response.content) < 10_000
        html = response.content.decode()
        assert f"is {len(query):,} characters long; at most 2,048 are accepted." in html


def test_links_carry_the_valid_filters_only(client, urls):
    """Pagination, filter and feed links keep the search and the valid filters, but not a
    bad filter value or a parameter the page does not know (a tracking tag, say); while a
    filter is bad, no feed is offered at all."""
    query = "q=minister&utm_source=" + "a" * 1500 + "&sort=oldest"
    html = client.get(urls["list"], QUERY_STRING=query + "&year=abc").content.decode()
    assert "Enter a whole number." in html  # the bad year is reported
    assert "/releases/feed/" not in html.split("<footer")[0]
    assert 'href="?q=minister&amp;sort=oldest&amp;page=2"' in html
    assert "utm_source" not in html and "year=abc" not in html
    assert len(html) < 100_000
    html = client.get(urls["list"], QUERY_STRING=query).content.decode()
    assert 'href="/releases/feed/?q=minister&amp;sort=oldest"' in html
    assert "utm_source" not in html and "year=abc" not in html
    assert len(html) < 100_000


@pytest.mark.parametrize("name", ["feed", "portfolio-feed-atom"])
def test_feed_links_carry_the_valid_filters_only(client, urls, name):
    """A feed's links to its page and to itself keep its filters, and nothing else."""
    xml = client.get(urls[name], QUERY_STRING="year=2021&fbclid=" + "b" * 1500).content
    assert b"year=2021" in xml
    assert b"fbclid" not in xml
