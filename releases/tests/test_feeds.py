"""RSS and Atom feeds, parsed as a feed reader would."""

import calendar
import datetime
import html
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from releases.editorial.corrections import announce_update
from releases.importing import import_releases
from releases.models import Minister, Portfolio, Release

from .conftest import FIXTURES
from .test_views import JUNE_2021, SEED_SLUG, SEED_TITLE, make_named, make_release, unpublished

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
FIJI = FIXTURES / "2007/01/2007-01-04-duty-minister-fiji-situation.md"  # a vertical tab
# Real releases whose text is awkward for a feed, each for its own reason.
AWKWARD = [
    FIJI,
    FIXTURES / "2006/08/2006-08-02-law-commission-report-tabled-0.md",  # &lt;?a&gt; in a link
    FIXTURES / "2011/05/2011-05-01-minister-expresses-thanks-transition.md",  # U+FFFD
    FIXTURES / "2003/09/2003-09-12-opposition-cries-wolf-foreshore.md",  # mojibake: â€™
    FIXTURES / "2003/10/2003-10-24-govt-ready-return-king.md",  # <i>…</i> in the title
    # Macrons in the title and six ministers.
    FIXTURES / "2023/05/2023-05-18-maori-budget-continues-investment-whanau-whare-and-whakapapa.md",
]
UNDATED = FIXTURES / "0001" / "01"  # the source's two releases dated 0001-01-01
SITE = "New Zealand Government releases"


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
        assert channel.findtext("title") == f"{subject.name} · New Zealand Government releases"
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
        '<link rel="alternate" type="application/rss+xml" title="2021 · New Zealand Government '
        'releases (RSS)" href="/releases/feed/?year=2021">' in html
    )
    assert (
        '<link rel="alternate" type="application/atom+xml" title="2021 · New Zealand Government '
        'releases (Atom)" href="/releases/feed/atom/?year=2021">' in html
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


# Titles ------------------------------------------------------------------------------------

TRADE = "trade-and-export-growth"
FEED_TITLES = [
    # (page, its feed's query, the title the feed and the page's feed link carry)
    ("/releases/", "", SITE),
    ("/releases/", "q=trade", f"Releases matching “trade” · {SITE}"),
    (
        "/releases/",
        f"q=trade&portfolio={TRADE}&year=2021",
        f"Releases matching “trade” · Trade and Export Growth · 2021 · {SITE}",
    ),
    (
        "/releases/",
        f"portfolio={TRADE}&portfolio=education",
        f"Trade and Export Growth or Education · {SITE}",
    ),
    (
        "/releases/",
        "minister=damien-oconnor&government=sixth-labour",
        f"Damien O'Connor · Sixth Labour Government · {SITE}",
    ),
    (
        "/releases/",
        "date_after=2021-06-01&date_before=2021-06-30",
        f"1 June 2021 to 30 June 2021 · {SITE}",
    ),
    ("/releases/", "date_after=2021-06-01", f"From 1 June 2021 · {SITE}"),
    ("/releases/", "date_before=2021-06-30", f"Until 30 June 2021 · {SITE}"),
    # The order, and anything not a filter, change nothing a reader follows.
    ("/releases/", "sort=oldest&utm_source=newsletter", SITE),
    (f"/portfolios/{TRADE}/", "", f"Trade and Export Growth · {SITE}"),
    (
        f"/portfolios/{TRADE}/",
        "year=2021&minister=damien-oconnor",
        f"Trade and Export Growth · Damien O'Connor · 2021 · {SITE}",
    ),
    ("/ministers/damien-oconnor/", "", f"Damien O'Connor · {SITE}"),
    (
        "/ministers/damien-oconnor/",
        f"portfolio={TRADE}&year=2021",
        f"Damien O'Connor · Trade and Export Growth · 2021 · {SITE}",
    ),
]


def feed_links(page_html):
    """{type: (title, address)} of a page's feed autodiscovery links."""
    links = re.findall(
        r'<link rel="alternate" type="application/(rss|atom)\+xml" title="([^"]*) \((?:RSS|Atom)\)"'
        r' href="([^"]*)">',
        page_html,
    )
    return {kind: (html.unescape(title), html.unescape(href)) for kind, title, href in links}


@pytest.mark.parametrize(("page", "query", "title"), FEED_TITLES)
def test_each_feed_is_titled_by_what_it_follows(client, june_2021, page, query, title):
    """A filtered feed's title names its search, portfolios, ministers, government, year or
    dates (and a portfolio's or minister's feed their name), in RSS and Atom alike, and
    the page's feed links carry the same title, so three subscriptions read differently."""
    links = feed_links(client.get(f"{page}?{query}").content.decode())
    assert set(links) == {"rss", "atom"}
    for kind, (link_title, address) in links.items():
        assert link_title == title
        parsed = feedparser.parse(client.get(address).content)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.version == ("rss20" if kind == "rss" else "atom10")
        assert parsed.feed.title == title


def test_government_page_feed_links_name_the_government(client, june_2021):
    """A government's page links the list's feed of its term, titled with its name."""
    links = feed_links(client.get("/governments/sixth-labour/").content.decode())
    assert links["rss"] == (
        f"Sixth Labour Government · {SITE}",
        "/releases/feed/?government=sixth-labour",
    )
    assert feedparser.parse(client.get(links["atom"][1]).content).feed.title == links["atom"][0]


# Feed links only where they lead somewhere ---------------------------------------------------

BAD_FILTERS = [
    "/releases/?year=abc",
    "/releases/?portfolio=nope",
    "/releases/?date_after=2021-13-45",
    f"/releases/?q=trade&portfolio={TRADE}&year=2021.5",
    f"/portfolios/{TRADE}/?year=abc",
    "/ministers/damien-oconnor/?portfolio=nope",
]


@pytest.mark.parametrize("url", BAD_FILTERS)
def test_a_page_with_bad_filters_offers_no_feed(client, june_2021, url):
    """A page showing a filter error links no feed of its own, neither for autodiscovery nor
    as a "Follow" link: no feed lists what that page does."""
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["filter"].errors  # the page shows the form's error
    assert feed_links(page) == {}
    assert '<p class="feeds">' not in page


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/releases/?year=2021&page=1",
        f"/portfolios/{TRADE}/?year=2021",
        "/governments/sixth-labour/",
        "/releases/?q=trade&sort=oldest&utm_source=x",
        "/ministers/damien-oconnor/?portfolio=trade-and-export-growth&page=1",
    ],
)
def test_every_feed_a_page_offers_answers(client, june_2021, url):
    """Each feed link on a page, in its head and in its text, leads to a feed."""
    page = client.get(url).content.decode()
    offered = {html.unescape(a) for a in re.findall(r'href="([^"]*/feed/[^"]*)"', page)}
    assert len(offered) >= 2
    for address in offered:
        assert client.get(address).status_code == 200, address


# Times and validity ---------------------------------------------------------------------------


def entries_by_address(parsed):
    return {entry.link.removeprefix("http://testserver"): entry for entry in parsed.entries}


def as_utc(struct):
    return datetime.datetime.fromtimestamp(calendar.timegm(struct), tz=datetime.UTC)


def test_each_atom_entry_is_updated_when_its_release_was(client, june_2021):
    """Each Atom entry's <updated> is its release's own last update: its own date for an
    imported release, the time of a public update for one updated since, never the import's.
    The feed's <updated> is the newest of them, and undated releases, whose times are
    unknown, are not in the feed."""
    before_import = timezone.now()
    assert import_releases([UNDATED]).created == 2
    seed = Release.objects.get(slug=SEED_SLUG)
    publisher = User.objects.create_superuser("press-secretary")
    announce_update(seed, "Dates of the mission added.", publisher)
    seed.refresh_from_db()

    parsed = feedparser.parse(client.get(reverse("releases:feed-atom")).content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    entries = entries_by_address(parsed)
    dated = Release.objects.published().exclude(date=None)  # a copy of the seed is not listed
    assert set(entries) == {r.get_absolute_url() for r in dated}
    for release in dated:
        entry = entries[release.get_absolute_url()]
        own_day = datetime.datetime.combine(release.date, datetime.time(), tzinfo=datetime.UTC)
        assert as_utc(entry.published_parsed) == own_day
        expected = seed.last_updated_at.replace(microsecond=0) if release == seed else own_day
        assert as_utc(entry.updated_parsed) == expected, release.title
    assert as_utc(parsed.feed.updated_parsed) == seed.last_updated_at.replace(microsecond=0)
    # Without the update, the feed was last updated with its newest release's own date.
    Release.objects.filter(pk=seed.pk).update(last_updated_at=None)
    parsed = feedparser.parse(client.get(reverse("releases:feed-atom")).content)
    newest = max(r.date for r in dated)
    assert as_utc(parsed.feed.updated_parsed).date() == newest < before_import.date()


FEEDS = {
    "rss": "/releases/feed/",
    "atom": "/releases/feed/atom/",
    "rss filtered": f"/releases/feed/?q=trade&portfolio={TRADE}&year=2021",
    "atom filtered": "/releases/feed/atom/?minister=damien-oconnor&date_after=2021-06-01",
    "rss portfolio": f"/portfolios/{TRADE}/feed/",
    "atom portfolio": f"/portfolios/{TRADE}/feed/atom/?year=2021",
    "rss minister": "/ministers/damien-oconnor/feed/?year=2021",
    "atom minister": "/ministers/damien-oconnor/feed/atom/",
    "rss awkward": "/releases/feed/?date_before=2020-01-01",
    "atom awkward": "/releases/feed/atom/?date_before=2020-01-01",
}


@pytest.mark.parametrize("feed", FEEDS)
def test_every_feed_parses_without_a_bozo_flag(client, june_2021, feed):
    """Every kind of feed parses cleanly with feedparser, as a feed reader would read it,
    with real releases holding entities, control characters and non-ASCII text."""
    assert import_releases(AWKWARD).errors == []
    response = client.get(FEEDS[feed])
    assert response.status_code == 200
    parsed = feedparser.parse(
        response.content, response_headers={"content-type": response["Content-Type"]}
    )
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == ("rss20" if feed.startswith("rss") else "atom10")
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.title and entry.link and entry.published_parsed


def test_awkward_real_releases_read_as_their_pages_do(client):
    """Releases with macrons, a replacement character, mojibake, markup in the title and a
    vertical tab come through a feed with their text intact and the XML valid."""
    assert import_releases(AWKWARD).errors == []
    for address in ("/releases/feed/", "/releases/feed/atom/"):
        parsed = feedparser.parse(client.get(address).content)
        assert not parsed.bozo, parsed.get("bozo_exception")
        entries = {e.title: e for e in parsed.entries}
        maori = entries["Māori Budget continues investment in whānau, whare and whakapapa"]
        assert maori.author.count(",") == 5  # six ministers
        assert "Govt ready for The Return of the King" in entries  # the markup left out
        thanks = entries["Minister expresses thanks at transition"]
        body = (thanks.get("content") or [{"value": thanks.summary}])[0]["value"]
        assert "\ufffd" in body and "those who’ve led the response" in body
