"""States and times as the public meets them: withdrawn releases keep their address and
leave every list, unpublished ones are gone, scheduled ones appear on time, and every
page, feed and sitemap gives a release's own dates, never the import day."""

import datetime
import xml.etree.ElementTree as ET
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from releases.editorial import states
from releases.importing import import_releases
from releases.models import Release

from .conftest import FIXTURES
from .test_views import JUNE_2021, SEED_SLUG, SEED_TITLE, make_release

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
REASON = "This policy has been replaced by the 2022 trade strategy."


@pytest.fixture
def publisher_user():
    return User.objects.create_superuser("publisher")


@pytest.fixture
def june_2021():
    """The real releases of June 2021, imported; the seed among them."""
    assert import_releases([JUNE_2021]).errors == []
    return Release.objects.get(slug=SEED_SLUG)


@pytest.fixture
def withdrawn(june_2021, publisher_user):
    """The seed release, withdrawn on 3 June 2026, New Zealand time."""
    moment = datetime.datetime(2026, 6, 3, 10, 0, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        states.withdraw(june_2021, REASON, publisher_user)
    return june_2021


def page(client, url, query=None):
    response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


def feed_entries(client, url):
    """(address, published, updated) of each Atom entry (titles repeat in the archive)."""
    root = ET.fromstring(client.get(url).content)
    return [
        (e.findtext(f"{ATOM}id"), e.findtext(f"{ATOM}published"), e.findtext(f"{ATOM}updated"))
        for e in root.iter(f"{ATOM}entry")
    ]


def sitemap_entries(client):
    """{address: lastmod} of the release sitemap."""
    root = ET.fromstring(client.get("/sitemap-releases.xml").content)
    return {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in root.iter(f"{SITEMAP}url")
    }


# Withdrawn ---------------------------------------------------------------------------------


def test_withdrawn_release_stays_at_its_address_with_a_notice(client, withdrawn):
    """A withdrawn release answers at its address, saying when and why it was withdrawn."""
    html = page(client, withdrawn.get_absolute_url())
    assert f"<h1>{SEED_TITLE}</h1>" in html
    assert "Withdrawn on <time datetime=" in html
    assert '<time datetime="2026-06-03">3 June 2026</time>:</strong> ' + REASON in html
    assert "Trade Minister Damien O’Connor will lead" in html


def test_withdrawn_release_keeps_its_old_site_address(client, withdrawn):
    """The old beehive.govt.nz address still leads to a withdrawn release."""
    response = client.get(
        "/release/trade-minister-lead-first-virtual-trade-mission-japan-0", follow=False
    )
    assert response.status_code == 301
    assert response["Location"] == withdrawn.get_absolute_url()


@pytest.mark.parametrize(
    "url, query",
    [
        ("/", None),
        ("/releases/", None),
        ("/releases/", {"q": "virtual trade mission Japan"}),
        ("/portfolios/trade-and-export-growth/", None),
        ("/ministers/damien-oconnor/", None),
        ("/governments/sixth-labour/", None),
        ("/releases/feed/", None),
        ("/releases/feed/atom/", None),
        ("/portfolios/trade-and-export-growth/feed/", None),
        ("/ministers/damien-oconnor/feed/atom/", None),
        ("/sitemap-releases.xml", None),
    ],
)
def test_withdrawn_release_leaves_every_list(client, june_2021, publisher_user, url, query):
    """A withdrawn release is on no list, search result, feed or sitemap, where it was."""
    # By address: another release of June 2021 has the same title.
    address = f"/releases/{SEED_SLUG}/"
    assert address in page(client, url, query)
    states.withdraw(june_2021, REASON, publisher_user)
    assert address not in page(client, url, query)


def test_withdrawn_release_leaves_counts_and_facets(client, june_2021, publisher_user):
    """Counts on the index pages, the list and a search's facets no longer include it."""
    search = {"q": "trade"}
    before = client.get("/releases/", search).context["page"].paginator.count
    states.withdraw(june_2021, REASON, publisher_user)
    assert client.get("/releases/", search).context["page"].paginator.count == before - 1
    # the sample holds a duplicate (listed nowhere) and now one withdrawn
    assert client.get("/releases/").context["page"].paginator.count == 5
    trade = client.get("/portfolios/").context["portfolios"].get(slug="trade-and-export-growth")
    assert trade.release_count == 4


def test_release_known_only_from_a_withdrawn_release_has_no_page(client, publisher_user):
    """A portfolio whose only release was withdrawn has no page, as for drafts."""
    from releases.models import Portfolio

    from .test_views import make_named

    release = make_release(portfolios=[make_named(Portfolio, "Space")])
    assert client.get("/portfolios/space/").status_code == 200
    states.withdraw(release, REASON, publisher_user)
    assert client.get("/portfolios/space/").status_code == 404
    assert client.get(release.get_absolute_url()).status_code == 200


# Unpublished -------------------------------------------------------------------------------


@pytest.mark.parametrize("withdraw_first", [False, True])
def test_unpublished_release_answers_404(client, june_2021, publisher_user, withdraw_first):
    """A release unpublished (published in error), withdrawn or not, is gone: its page, its
    old address and every list."""
    if withdraw_first:
        states.withdraw(june_2021, REASON, publisher_user)
    states.unpublish(june_2021, publisher_user)
    assert client.get(june_2021.get_absolute_url()).status_code == 404
    old = "/release/trade-minister-lead-first-virtual-trade-mission-japan-0"
    assert client.get(old).status_code == 404
    assert june_2021.get_absolute_url() not in page(client, "/releases/feed/")
    assert june_2021.get_absolute_url() not in page(client, "/sitemap-releases.xml")


# Scheduled ---------------------------------------------------------------------------------


def test_scheduled_release_appears_on_time_with_nothing_running(client):
    """A release scheduled for 9 o'clock is nowhere before then and everywhere after,
    without any job having run: only the clock moved."""
    go_live = timezone.now() + datetime.timedelta(hours=1)
    release = make_release("Bridge opens at nine", published_at=go_live, body="A new bridge.")
    places = ["/", "/releases/", "/releases/?q=bridge", "/releases/feed/", "/sitemap-releases.xml"]
    assert client.get(release.get_absolute_url()).status_code == 404
    for url in places:
        assert release.slug not in page(client, url), url
    later = go_live + datetime.timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert client.get(release.get_absolute_url()).status_code == 200
        for url in places:
            assert release.slug in page(client, url), url


# Times -------------------------------------------------------------------------------------


def test_release_page_shows_first_published_and_last_updated(client, june_2021):
    """The page says when a release was published and, once updated in public, when."""
    html = page(client, june_2021.get_absolute_url())
    assert 'Published <time datetime="2021-06-01">1 June 2021</time></p>' in html
    assert "Last updated" not in html
    updated = datetime.datetime(2021, 6, 3, 2, 0, tzinfo=datetime.UTC)
    Release.objects.filter(pk=june_2021.pk).update(last_updated_at=updated, updated_at=updated)
    html = page(client, june_2021.get_absolute_url())
    assert (
        'Published <time datetime="2021-06-01">1 June 2021</time> · '
        'Last updated <time datetime="2021-06-03">3 June 2021</time>'
    ) in html


def test_feeds_and_sitemap_give_imported_releases_their_own_dates(client):
    """For every imported sample release, Atom's <published> and <updated> and the
    sitemap's <lastmod> are the release's date, not the day it was imported."""
    assert import_releases([FIXTURES]).errors == []
    dated = {
        f"http://testserver{r.get_absolute_url()}": r.date
        for r in Release.objects.published().filter(date__isnull=False)
    }
    entries = feed_entries(client, "/releases/feed/atom/")
    assert len(entries) == 20
    for address, published, updated in entries:
        assert published[:10] == updated[:10] == dated[address].isoformat(), address
    lastmods = sitemap_entries(client)
    for release in Release.objects.published():
        lastmod = lastmods[f"http://testserver{release.get_absolute_url()}"]
        expected = release.date.isoformat() if release.date else None
        assert lastmod == expected, release.slug
    assert len(set(lastmods.values())) > 200  # not one import day for all


def test_modifying_a_release_moves_no_public_time(client, june_2021):
    """Saving a change (a typo fixed, a re-import) leaves feeds' and sitemaps' dates alone."""
    june_2021.title = SEED_TITLE + "."
    june_2021.save()
    assert june_2021.updated_at.date() > datetime.date(2021, 6, 1)
    address = f"http://testserver{june_2021.get_absolute_url()}"
    (entry,) = [e for e in feed_entries(client, "/releases/feed/atom/") if e[0] == address]
    assert entry[2].startswith("2021-06-01")
    assert sitemap_entries(client)[address] == "2021-06-01"


def test_sitemap_index_date_is_the_latest_public_update(client, june_2021):
    """The sitemap index dates the release section by its newest first publication or
    public update, whichever is later."""
    root = ET.fromstring(client.get("/sitemap.xml").content)
    assert root.find(f"{SITEMAP}sitemap/{SITEMAP}lastmod").text.startswith("2021-06-")
    updated = datetime.datetime(2022, 2, 2, tzinfo=datetime.UTC)
    Release.objects.filter(pk=june_2021.pk).update(last_updated_at=updated, updated_at=updated)
    root = ET.fromstring(client.get("/sitemap.xml").content)
    assert root.find(f"{SITEMAP}sitemap/{SITEMAP}lastmod").text.startswith("2022-02-0")


def test_undated_imported_release_shows_no_import_day(client):
    """An imported release with the source's placeholder date shows "Date unknown", not
    the day it was imported, and its sitemap entry has no <lastmod>."""
    assert import_releases([FIXTURES / "0001"]).errors == []
    release = Release.objects.published().first()
    html = page(client, release.get_absolute_url())
    assert "Date unknown" in html and "Published" not in html
    assert sitemap_entries(client)[f"http://testserver{release.get_absolute_url()}"] is None


def test_public_pages_cost_no_more_queries_with_withdrawn_releases(
    client, django_assert_num_queries, publisher_user
):
    """Withdrawn releases among the published change no page's query count."""
    releases = [make_release() for _ in range(6)]
    for release in releases[:3]:
        states.withdraw(release, REASON, publisher_user)
    # Each with the content version first (caching.py).
    for url, queries in [
        ("/releases/", 10),  # as tests/test_views.py counts them
        ("/releases/feed/atom/", 4),
        # the release, ministers, portfolios, uploads, related releases
        (releases[0].get_absolute_url(), 6),
        ("/sitemap-releases.xml", 4),
    ]:
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200
