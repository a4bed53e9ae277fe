"""What search engines are told (releases/seo.py): each page's canonical address, and which
pages they are asked not to index."""

import datetime
import html
import re

import pytest

from releases.importing import import_releases
from releases.models import Minister, Portfolio, Release

from .test_previews import preview_url
from .test_views import JUNE_2021, SEED_SLUG, make_named, make_release

pytestmark = pytest.mark.django_db

TRADE = "trade-and-export-growth"


def head_tags(client, url):
    """(canonical addresses, robots meta contents) in the page's <head>, as sent over https."""
    response = client.get(url, secure=True)
    assert response.status_code == 200, url
    head = response.content.decode().split("</head>")[0]
    canonical = [
        html.unescape(h) for h in re.findall(r'<link rel="canonical" href="([^"]*)">', head)
    ]
    robots = re.findall(r'<meta name="robots" content="([^"]*)">', head)
    return canonical, robots


@pytest.fixture
def archive():
    """June 2021's real releases, and 25 more in Health by one minister, enough for a
    second page of every kind of listing."""
    assert import_releases([JUNE_2021]).errors == []
    health, verrall = make_named(Portfolio, "Health"), make_named(Minister, "Ayesha Verrall")
    for day in range(25):
        make_release(date=datetime.date(2021, 3, 1) + datetime.timedelta(days=day),
                     portfolios=[health], ministers=[verrall])  # fmt: skip


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("/", "/"),
        ("/?utm_source=newsletter", "/"),
        ("/releases/", "/releases/"),
        ("/releases/?page=1", "/releases/"),
        ("/releases/?page=2&sort=oldest&fbclid=x", "/releases/?page=2"),
        # Filters kept, each one's values in one order, whatever order they came in.
        (
            f"/releases/?portfolio={TRADE}&portfolio=education&sort=newest",
            f"/releases/?portfolio=education&portfolio={TRADE}",
        ),
        (
            f"/releases/?portfolio=education&portfolio={TRADE}&portfolio=education",
            f"/releases/?portfolio=education&portfolio={TRADE}",
        ),
        ("/releases/?year=2021&q=trade", "/releases/?q=trade&year=2021"),
        ("/releases/?q=Māori+%26+trade", "/releases/?q=M%C4%81ori+%26+trade"),
        # A bad value is no part of what the page lists.
        ("/releases/?year=abc&portfolio=education", "/releases/?portfolio=education"),
        (f"/releases/{SEED_SLUG}/?utm_campaign=x", f"/releases/{SEED_SLUG}/"),
        ("/portfolios/", "/portfolios/"),
        ("/portfolios/health/?page=2", "/portfolios/health/?page=2"),
        ("/portfolios/health/?year=2021&sort=oldest", "/portfolios/health/?year=2021"),
        ("/ministers/", "/ministers/"),
        (
            "/ministers/ayesha-verrall/?year=2021&page=2",
            "/ministers/ayesha-verrall/?year=2021&page=2",
        ),
        ("/governments/", "/governments/"),
        ("/governments/sixth-labour/?page=2", "/governments/sixth-labour/?page=2"),
    ],
)
def test_every_page_names_its_canonical_address(client, archive, url, canonical):
    """Each public page has one canonical link: its absolute https address with only the
    filters and a page number past the first, never the order or tracking parameters."""
    assert head_tags(client, url)[0] == [f"https://testserver{canonical}"]


@pytest.mark.parametrize(
    ("url", "indexed"),
    [
        ("/", True),
        ("/releases/", True),
        ("/releases/?page=2", True),  # the whole archive, page by page
        ("/releases/?sort=oldest&page=2", True),  # an order is no filter
        ("/releases/?year=2021", True),  # a filtered listing's first page
        ("/releases/?year=2021&page=2", False),
        ("/releases/?portfolio=health&page=2&sort=oldest", False),
        ("/releases/?q=trade", False),  # search results, whatever the words
        ("/releases/?q=", False),
        ("/releases/?q=trade&portfolio=health", False),
        ("/releases/?year=abc", False),  # a filter error
        ("/releases/?portfolio=nope&page=1", False),
        (f"/releases/{SEED_SLUG}/", True),
        ("/portfolios/", True),
        ("/portfolios/health/", True),
        ("/portfolios/health/?page=2", True),
        ("/portfolios/health/?year=2021", True),
        ("/portfolios/health/?year=2021&page=2", False),
        ("/portfolios/health/?year=abc", False),
        ("/portfolios/health/?q=anything", True),  # no search here: q is not a filter
        ("/ministers/ayesha-verrall/?portfolio=health&page=2", False),
        ("/ministers/ayesha-verrall/?page=2", True),
        ("/governments/sixth-labour/?page=2", True),
    ],
)
def test_search_results_and_filtered_pages_past_the_first_are_not_indexed(
    client, archive, url, indexed
):
    """Search engines are asked not to index search results, filtered listings past their
    first page or a listing with a bad filter; every other page may be indexed."""
    assert head_tags(client, url)[1] == ([] if indexed else ["noindex"])


def test_canonical_address_is_the_host_and_scheme_asked_for(client, archive):
    """The canonical address is built from the request, as every absolute address here is
    (no Sites framework): plain http on a development server, the host it was asked on."""
    response = client.get("/portfolios/?utm_source=x", headers={"host": "localhost"})
    assert '<link rel="canonical" href="http://localhost/portfolios/">' in response.content.decode()


def test_pages_that_are_not_public_pages_have_no_canonical_address(client, archive, publisher):
    """A missing page and a staff preview name no canonical address; a preview is never
    indexed."""
    missing = client.get("/releases/no-such-release/").content.decode()
    assert 'rel="canonical"' not in missing
    draft = make_release("Draft", status=Release.Status.DRAFT)
    preview = publisher.get(preview_url(draft))
    assert preview.status_code == 200
    page = preview.content.decode()
    assert 'rel="canonical"' not in page
    assert page.count('<meta name="robots" content="noindex">') == 1
