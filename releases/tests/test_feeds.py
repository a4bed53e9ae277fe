"""RSS and Atom feeds, parsed as a feed reader would."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from releases.importing import import_releases
from releases.models import Minister, Portfolio, Release

from .conftest import FIXTURES
from .test_views import JUNE_2021, SEED_SLUG, SEED_TITLE, make_named, make_release, unpublished

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
FIJI = FIXTURES / "2007/01/2007-01-04-duty-minister-fiji-situation.md"  # a vertical tab


@pytest.fixture
def june_2021():
    assert import_releases([JUNE_2021]).errors == []


def rss(client, url, query=None):
    """The feed's <channel>, parsed; fails if the output is not well-formed XML."""
    response = client.get(url, query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    return root.find("channel")


def atom(client, url, query=None):
    response = client.get(url, query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def item_titles(channel):
    return [item.findtext("title") for item in channel.iter("item")]


def test_rss_feed_of_all_releases_has_full_content(client, june_2021):
    """The RSS feed lists the latest releases with their whole body, names and links."""
    channel = rss(client, reverse("releases:feed"))
    assert channel.findtext("title") == "New Zealand Government releases"
    assert channel.findtext("link") == "http://testserver/releases/"
    assert channel.findtext("language") == "en-NZ"
    self_link = channel.find(f"{ATOM}link")
    assert self_link.get("rel") == "self"
    assert self_link.get("href") == "http://testserver/releases/feed/"
    items = list(channel.iter("item"))
    assert len(items) == 6  # the seed release once: its copy is a duplicate (test_duplicates.py)
    seed = next(i for i in items if i.findtext("link").endswith(f"/{SEED_SLUG}/"))
    assert seed.findtext("title") == SEED_TITLE
    assert seed.findtext("link") == f"http://testserver/releases/{SEED_SLUG}/"
    assert seed.findtext("guid") == f"http://testserver/releases/{SEED_SLUG}/"
    body = seed.findtext("description")
    assert body.startswith("<p>Trade Minister Damien O’Connor will lead")
    assert Release.objects.get(slug=SEED_SLUG).body_html.strip() == body.strip()
    assert [c.text for c in seed.iter("category")] == ["Trade and Export Growth"]
    assert "Tue, 01 Jun 2021" in seed.findtext("pubDate")


def test_atom_feed_of_all_releases_has_full_content(client, june_2021):
    """The Atom feed carries the same releases, the body in <content type="html">."""
    feed = atom(client, reverse("releases:feed-atom"))
    assert feed.findtext(f"{ATOM}title") == "New Zealand Government releases"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {
        "alternate": "http://testserver/releases/",
        "self": "http://testserver/releases/feed/atom/",
    }
    seed = next(e for e in feed.findall(f"{ATOM}entry") if SEED_SLUG in e.findtext(f"{ATOM}id"))
    assert seed.findtext(f"{ATOM}title") == SEED_TITLE
    content = seed.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "virtual’ trade mission to Japan" in content.text
    assert seed.find(f"{ATOM}summary") is None
    assert feed.find(f"{ATOM}author").findtext(f"{ATOM}name") == "New Zealand Government"
    assert "Crown copyright" in feed.findtext(f"{ATOM}rights")
    assert seed.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Damien O'Connor"


def test_portfolio_and_minister_feeds(client, june_2021):
    """Each portfolio and each minister has RSS and Atom feeds of their releases."""
    trade = Portfolio.objects.get(name="Trade and Export Growth")
    oconnor = Minister.objects.get(name="Damien O'Connor")
    for name, subject, expected in (
        ("portfolio", trade, 5),
        ("minister", oconnor, 5),
    ):
        channel = rss(client, reverse(f"releases:{name}-feed", args=[subject.slug]))
        assert channel.findtext("title") == f"{subject.name}: New Zealand Government releases"
        assert channel.findtext("link") == f"http://testserver{subject.get_absolute_url()}"
        assert SEED_TITLE in item_titles(channel)
        assert len(item_titles(channel)) == expected
        feed = atom(client, reverse(f"releases:{name}-feed-atom", args=[subject.slug]))
        assert SEED_TITLE in [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    education = rss(client, reverse("releases:portfolio-feed", args=["education"]))
    assert item_titles(education) == ["Pukemiro School to close"]


def test_filtered_list_feed_carries_the_query(client, june_2021):
    """/releases/feed/?… lists what /releases/?… lists, and says so in its self link."""
    query = {"minister": "phil-twyford", "year": "2021"}
    channel = rss(client, reverse("releases:feed"), query)
    assert item_titles(channel) == [
        "APEC trade ministers’ unite on COVID-19 vaccine steps and rejuvenating the WTO"
    ]
    assert (
        channel.find(f"{ATOM}link").get("href")
        == "http://testserver/releases/feed/?minister=phil-twyford&year=2021"
    )
    assert channel.findtext("link") == "http://testserver/releases/?minister=phil-twyford&year=2021"
    trade_2020 = rss(client, "/portfolios/trade-and-export-growth/feed/", {"year": "2020"})
    assert item_titles(trade_2020) == []


def test_list_pages_advertise_their_feeds(client, june_2021):
    """Every listing has RSS and Atom autodiscovery links keeping its query, less the page."""
    html = client.get(reverse("releases:list"), {"year": "2021", "page": "1"}).content.decode()
    assert (
        '<link rel="alternate" type="application/rss+xml" title="Releases (RSS)" '
        'href="/releases/feed/?year=2021">' in html
    )
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Releases (Atom)" '
        'href="/releases/feed/atom/?year=2021">' in html
    )
    for url, feed in (
        (reverse("releases:home"), "/releases/feed/"),
        ("/ministers/damien-oconnor/", "/ministers/damien-oconnor/feed/"),
        ("/portfolios/education/", "/portfolios/education/feed/atom/"),
        ("/governments/sixth-labour/", "/releases/feed/?government=sixth-labour"),
    ):
        assert f'href="{feed}">' in client.get(url).content.decode()


def test_feed_with_a_bad_filter_is_not_found(client, june_2021):
    """A feed cannot show a form error: a bad filter is a 404."""
    assert client.get(reverse("releases:feed"), {"date_after": "2021-13-45"}).status_code == 404
    assert client.get(reverse("releases:feed"), {"portfolio": "nope"}).status_code == 404
    assert client.get("/portfolios/nope/feed/").status_code == 404


@pytest.mark.parametrize("kind", ["draft", "embargoed"])
def test_no_feed_names_those_known_only_from_unpublished_releases(client, kind):
    """A portfolio or minister that no visible release names has no RSS or Atom feed, and
    filtering a feed by one is a 404, as for a name that does not exist."""
    make_release(portfolios=[make_named(Portfolio, "QA Secret Portfolio")],
                 ministers=[make_named(Minister, "QA Secret Minister")],
                 **unpublished(kind))  # fmt: skip
    for url in (
        "/portfolios/qa-secret-portfolio/feed/",
        "/portfolios/qa-secret-portfolio/feed/atom/",
        "/ministers/qa-secret-minister/feed/",
        "/ministers/qa-secret-minister/feed/atom/",
        "/releases/feed/?portfolio=qa-secret-portfolio",
        "/releases/feed/atom/?minister=qa-secret-minister",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "QA Secret" not in response.content.decode()


def test_feeds_stay_valid_xml_with_odd_characters(client):
    """Control characters (one real release has a vertical tab) never break the XML."""
    assert import_releases([FIJI]).created == 1
    release = Release.objects.get()
    assert "\x0b" in release.body
    make_release("Title with a \x0b vertical tab\x07 and bell", body="Body \x0c with form feed")
    portfolio = make_named(Portfolio, "Odd \x1f portfolio")
    make_release("Linked", portfolios=[portfolio], ministers=[make_named(Minister, "Odd \x08")])
    channel = rss(client, reverse("releases:feed"))
    titles = item_titles(channel)
    assert "Title with a  vertical tab and bell" in titles
    assert release.title in titles
    atom(client, reverse("releases:feed-atom"))


def test_feed_shows_only_published_releases_newest_first(client):
    """Drafts stay out of feeds; the newest release comes first, 20 at most."""
    make_release("A draft", status=Release.Status.DRAFT)
    for day in range(1, 26):
        make_release(f"Day {day}", date=datetime.date(2020, 1, day))
    titles = item_titles(rss(client, reverse("releases:feed"), {"sort": "oldest"}))
    assert titles == [f"Day {day}" for day in range(25, 5, -1)]
