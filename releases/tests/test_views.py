"""The public pages: what a reader sees on each, the filters, and answers to bad input."""

import datetime
import itertools
import math
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Max, Min
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from releases import urls
from releases.importing import import_releases
from releases.models import RESERVED_SLUGS, Government, Minister, Portfolio, Release
from releases.sitemaps import SITEMAP_SIZE

from .conftest import FIXTURES, SEED, release_text

pytestmark = pytest.mark.django_db

SEED_SLUG = "trade-minister-lead-first-virtual-trade-mission-japan-0"
SEED_TITLE = "Trade Minister to lead first virtual trade mission to Japan"
JUNE_2021 = FIXTURES / "2021" / "06"
QC_1997 = FIXTURES / "1997/06/1997-06-30-appointment-queens-counsel-1.md"
QC_2017 = FIXTURES / "2017/06/2017-06-02-appointment-queens-counsel-1.md"
_serial = itertools.count()


def make_release(title=None, *, date=datetime.date(2021, 6, 1), ministers=(), portfolios=(),
                 status=Release.Status.PUBLISHED, published_at=None, body="Some news.",
                 **fields):  # fmt: skip
    """A release saved through the model, as the admin would; published yesterday unless
    `published_at` says otherwise."""
    n = next(_serial)
    release = Release.objects.create(
        title=title or f"Release number {n}",
        slug=f"release-{n}",
        date=date,
        status=status,
        published_at=published_at or timezone.now() - datetime.timedelta(days=1),
        body=body,
        **fields,
    )
    release.ministers.set(ministers)
    release.portfolios.set(portfolios)
    return release


def make_named(model, name):
    return model.objects.create(name=name, slug=name.lower().replace(" ", "-"))


def unpublished(kind):
    """make_release() arguments for a release the public may not see yet: a draft, or one
    published with a time next year (embargoed)."""
    if kind == "draft":
        return {"status": Release.Status.DRAFT}
    return {"published_at": timezone.now() + datetime.timedelta(days=365)}


@pytest.fixture
def june_2021():
    """The seed release and the other real releases of June 2021 (Damien O'Connor's Trade
    and Export Growth releases, and one of Chris Hipkins' in Education)."""
    result = import_releases([JUNE_2021])
    assert result.errors == []
    return Release.objects.get(slug=SEED_SLUG)


@pytest.fixture
def trade():
    return Portfolio.objects.get(name="Trade and Export Growth")


@pytest.fixture
def oconnor():
    return Minister.objects.get(name="Damien O'Connor")


# Pages ------------------------------------------------------------------------------------


def test_home_lists_latest_releases_and_recent_activity(client, june_2021):
    """The home page shows the latest releases, busy portfolios and ministers, and search."""
    response = client.get(reverse("releases:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert SEED_TITLE in html
    assert 'action="/releases/"' in html and 'name="q"' in html
    assert "Portfolios with recent releases" in html
    assert '<a href="/portfolios/trade-and-export-growth/">Trade and Export Growth</a>' in html
    assert '<a href="/ministers/damien-oconnor/">Damien O&#x27;Connor</a>' in html


def test_base_page_is_accessible_by_structure(client, june_2021):
    """Every page has the language, a skip link, landmarks and one h1."""
    html = client.get(reverse("releases:list")).content.decode()
    assert '<html lang="en-NZ">' in html
    assert '<a class="skip-link" href="#main">' in html
    for landmark in ('<header class="site-header">', '<nav class="site-nav" aria-label="Main">',
                     '<main id="main"', '<footer class="site-footer">'):  # fmt: skip
        assert landmark in html
    assert html.count("<h1") == 1


def test_release_list_shows_count_and_releases(client, june_2021):
    """/releases/ shows the total and the releases, newest first."""
    response = client.get(reverse("releases:list"))
    assert response.status_code == 200
    # The seed release once: its copy is a duplicate (test_duplicates.py), listed nowhere.
    assert response.context["page"].paginator.count == 6
    titles = [r.title for r in response.context["page"]]
    assert titles[0] == "Face to face meeting delivers significant progress on NZ-UK FTA"
    assert SEED_TITLE in titles
    assert "6 releases" in response.content.decode()


def test_release_list_pages_by_twenty(client):
    """Twenty releases a page, with page links and the total count."""
    for day in range(1, 26):
        make_release(f"Day {day}", date=datetime.date(2020, 1, day))
    first = client.get(reverse("releases:list"))
    assert len(first.context["page"]) == 20
    html = first.content.decode()
    assert "25 releases" in html and "page 1 of 2" in html
    assert 'href="?page=2"' in html
    second = client.get(reverse("releases:list"), {"page": 2})
    assert [r.title for r in second.context["page"]] == [f"Day {d}" for d in range(5, 0, -1)]


def test_filter_by_portfolio(client, june_2021):
    """?portfolio= keeps the releases of that portfolio, by slug."""
    response = client.get(reverse("releases:list"), {"portfolio": "trade-and-export-growth"})
    titles = [r.title for r in response.context["page"]]
    assert SEED_TITLE in titles
    assert len(titles) == 5  # the seed release once: its copy is a duplicate
    assert "Pukemiro School to close" not in titles


def test_filter_by_several_portfolios_lists_each_release_once(client):
    """Several portfolios widen the list; a release in two of them is listed once."""
    health, education, police = (
        make_named(Portfolio, n) for n in ("Health", "Education", "Police")
    )
    make_release("Both", portfolios=[health, education])
    make_release("Health only", portfolios=[health])
    make_release("Police only", portfolios=[police])
    response = client.get(reverse("releases:list"), {"portfolio": ["health", "education"]})
    assert sorted(r.title for r in response.context["page"]) == ["Both", "Health only"]
    assert response.context["page"].paginator.count == 2


def test_filter_by_minister(client, june_2021):
    """?minister= keeps that minister's releases; several ministers widen the list."""
    url = reverse("releases:list")
    response = client.get(url, {"minister": "damien-oconnor"})
    # The seed release once: its copy is a duplicate.
    assert response.context["page"].paginator.count == 5
    assert SEED_TITLE in [r.title for r in response.context["page"]]
    both = client.get(url, {"minister": ["phil-twyford", "chris-hipkins"]})
    assert sorted(r.title for r in both.context["page"]) == [
        "APEC trade ministers’ unite on COVID-19 vaccine steps and rejuvenating the WTO",
        "Pukemiro School to close",
    ]


def test_filter_by_government(client):
    """?government= keeps the releases dated while that government was in office."""
    make_release("Labour era", date=datetime.date(2021, 6, 1))
    make_release("Last Labour day", date=datetime.date(2023, 11, 26))
    make_release("National era", date=datetime.date(2023, 11, 27))
    response = client.get(reverse("releases:list"), {"government": "sixth-labour"})
    assert sorted(r.title for r in response.context["page"]) == ["Labour era", "Last Labour day"]
    assert "Government: Sixth Labour Government" in response.content.decode()


def test_filter_by_year_and_date_range(client):
    """?year= and ?date_after=/?date_before= keep releases in those dates, ends included."""
    for day in (datetime.date(2020, 12, 31), datetime.date(2021, 1, 1), datetime.date(2021, 3, 1)):
        make_release(f"On {day}", date=day)
    url = reverse("releases:list")
    by_year = client.get(url, {"year": 2021})
    assert [r.title for r in by_year.context["page"]] == ["On 2021-03-01", "On 2021-01-01"]
    by_range = client.get(url, {"date_after": "2020-12-31", "date_before": "2021-01-01"})
    assert [r.title for r in by_range.context["page"]] == ["On 2021-01-01", "On 2020-12-31"]


def test_sort_oldest_first(client, june_2021):
    """?sort=oldest turns the list round."""
    response = client.get(reverse("releases:list"), {"sort": "oldest"})
    dates = [r.date for r in response.context["page"]]
    assert dates == sorted(dates)
    assert dates[0] == datetime.date(2021, 6, 1)


def test_active_filters_are_shown_and_removable_one_by_one(client, june_2021):
    """Each filter in use is listed with a link that drops just that one."""
    response = client.get(
        reverse("releases:list"),
        {"portfolio": ["trade-and-export-growth", "education"], "year": "2021", "page": "1"},
    )
    active = {(a.label, a.value): a.remove_query for a in response.context["active_filters"]}
    assert active == {
        ("Portfolio", "Trade and Export Growth"): "portfolio=education&year=2021",
        ("Portfolio", "Education"): "portfolio=trade-and-export-growth&year=2021",
        ("Year", "2021"): "portfolio=trade-and-export-growth&portfolio=education",
    }
    html = response.content.decode()
    assert 'href="?portfolio=education&amp;year=2021"' in html
    assert "Portfolio: Trade and Export Growth" in html


def test_filter_form_is_labelled_and_keeps_choices(client, june_2021):
    """The form's controls have labels and show what was chosen, without JavaScript."""
    html = client.get(reverse("releases:list"), {"portfolio": "education"}).content.decode()
    assert '<form class="filters" id="filters" method="get" action="/releases/"' in html
    for control in ("id_portfolio", "id_minister", "id_government", "id_year", "id_date_after",
                    "id_date_before", "id_sort"):  # fmt: skip
        assert f'for="{control}"' in html and f'id="{control}"' in html
    assert '<input type="checkbox" name="portfolio" value="education"' in html
    assert re.search(r'value="education" id="[^"]+" checked><label for="[^"]+">Education ', html)


def test_release_page_shows_everything_about_a_release(client, june_2021):
    """Title, New Zealand date, linked ministers and portfolios, body and source."""
    response = client.get(reverse("releases:detail", args=[SEED_SLUG]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{SEED_TITLE}</h1>" in html
    assert '<time datetime="2021-06-01">1 June 2021</time>' in html
    assert '<a href="/ministers/damien-oconnor/">Damien O&#x27;Connor</a>' in html
    assert '<a href="/portfolios/trade-and-export-growth/">Trade and Export Growth</a>' in html
    assert "<p>Trade Minister Damien O’Connor will lead an innovative" in html
    assert (
        'href="https://www.beehive.govt.nz/release/trade-minister-lead-first-virtual-trade-mission-japan-0"'
        in html
    )


def test_release_page_links_previous_and_next_in_its_portfolio(client, june_2021):
    """Neighbours in date order within the release's first-listed portfolio."""
    response = client.get(reverse("releases:detail", args=[SEED_SLUG]))
    # The seed's copy (…-japan, same day) is a duplicate, listed nowhere: not a neighbour.
    newer = Release.objects.get(slug="new-zealand-welcomes-start-uk-cptpp-accession-process")
    assert response.context["previous"] is None  # the earliest Trade release imported
    assert response.context["next"] == newer  # the next day
    last = client.get(reverse("releases:detail", args=[newer.slug]))
    assert last.context["previous"].slug == SEED_SLUG
    html = last.content.decode()
    assert f'<a href="/releases/{SEED_SLUG}/" rel="prev">{SEED_TITLE}</a>' in html


def test_neighbours_stay_within_the_portfolio(client):
    """A release in another portfolio is not a neighbour."""
    health, police = make_named(Portfolio, "Health"), make_named(Portfolio, "Police")
    first = make_release("Health one", date=datetime.date(2020, 1, 1), portfolios=[health])
    make_release("Police between", date=datetime.date(2020, 1, 2), portfolios=[police])
    make_release("Health two", date=datetime.date(2020, 1, 3), portfolios=[health])
    assert client.get(first.get_absolute_url()).context["next"].title == "Health two"


def test_neighbours_on_the_same_day_follow_in_id_order(client):
    """Releases of one day are neighbours in the order they were added, before and after
    those of the days either side."""
    health = make_named(Portfolio, "Health")
    day, before, after = (datetime.date(2020, 1, d) for d in (2, 1, 3))
    earlier = make_release("Health day before", date=before, portfolios=[health])
    first, second, third = (
        make_release(f"Health {n}", date=day, portfolios=[health]) for n in ("a", "b", "c")
    )
    later = make_release("Health day after", date=after, portfolios=[health])
    neighbours = {
        r.title: (c["previous"] and c["previous"].title, c["next"] and c["next"].title)
        for r in (earlier, first, second, third, later)
        for c in [client.get(r.get_absolute_url()).context]
    }
    assert neighbours == {
        "Health day before": (None, "Health a"),
        "Health a": ("Health day before", "Health b"),
        "Health b": ("Health a", "Health c"),
        "Health c": ("Health b", "Health day after"),
        "Health day after": ("Health c", None),
    }


def test_release_page_lists_attachments_as_links(client):
    """Attachments are links; one that is not an http(s) address is shown as text only."""
    release = make_release(
        attachments=["https://www.beehive.govt.nz/sites/default/files/a.pdf", "javascript:alert(1)"]
    )
    html = client.get(release.get_absolute_url()).content.decode()
    assert '<a href="https://www.beehive.govt.nz/sites/default/files/a.pdf">' in html
    assert 'href="javascript:' not in html
    assert "<li>javascript:alert(1)</li>" in html


def test_portfolio_index_is_a_to_z_with_counts_and_years(client, june_2021):
    """/portfolios/ lists each portfolio with its release count and active years."""
    html = client.get(reverse("releases:portfolios")).content.decode()
    assert '<a href="/portfolios/trade-and-export-growth/">Trade and Export Growth</a>' in html
    assert "5 releases, 2021" in html
    assert html.index(">Education<") < html.index(">Trade and Export Growth<")
    assert '<h2 id="letter-2">T</h2>' in html


def test_portfolio_page_lists_its_releases_and_ministers(client, june_2021, trade):
    """A portfolio's page lists its releases, the ministers who released in it and feeds."""
    response = client.get(trade.get_absolute_url())
    assert response.status_code == 200
    assert SEED_TITLE in [r.title for r in response.context["page"]]
    # The seed release once: its copy is a duplicate.
    assert response.context["page"].paginator.count == 5
    assert [(m.name, m.release_count) for m in response.context["ministers"]] == [
        ("Damien O'Connor", 5),
        ("Phil Twyford", 1),
    ]
    html = response.content.decode()
    assert (
        '<link rel="alternate" type="application/rss+xml" title="Trade and Export Growth · New '
        'Zealand Government releases (RSS)" href="/portfolios/trade-and-export-growth/feed/">'
        in html
    )


def test_portfolio_page_filters_by_year_and_minister(client, june_2021, trade):
    """A portfolio's releases narrow by year and by minister."""
    url = trade.get_absolute_url()
    assert client.get(url, {"year": 2020}).context["page"].paginator.count == 0
    assert client.get(url, {"year": 2021}).context["page"].paginator.count == 5
    twyford = client.get(url, {"minister": "phil-twyford"})
    assert [r.title for r in twyford.context["page"]] == [
        "APEC trade ministers’ unite on COVID-19 vaccine steps and rejuvenating the WTO"
    ]


def test_minister_index_and_page(client, june_2021, oconnor):
    """/ministers/ lists ministers with counts; a minister's page lists their releases."""
    html = client.get(reverse("releases:ministers")).content.decode()
    assert '<a href="/ministers/damien-oconnor/">Damien O&#x27;Connor</a>' in html
    response = client.get(oconnor.get_absolute_url(), {"year": 2021})
    assert response.status_code == 200
    assert SEED_TITLE in [r.title for r in response.context["page"]]
    assert [(p.name, p.release_count) for p in response.context["portfolios"]] == [
        ("Trade and Export Growth", 5)
    ]
    assert (
        client.get(oconnor.get_absolute_url(), {"year": 2019}).context["page"].paginator.count == 0
    )


def test_minister_page_filters_by_portfolio(client):
    """A minister's releases narrow by portfolio."""
    minister = make_named(Minister, "Ayesha Verrall")
    health, science = make_named(Portfolio, "Health"), make_named(Portfolio, "Science")
    make_release("Health news", ministers=[minister], portfolios=[health])
    make_release("Science news", ministers=[minister], portfolios=[science])
    response = client.get(minister.get_absolute_url(), {"portfolio": "science"})
    assert [r.title for r in response.context["page"]] == ["Science news"]


def test_governments_index_and_page(client):
    """/governments/ lists governments with counts; each lists the releases of its term."""
    make_release("Labour era", date=datetime.date(2021, 6, 1))
    make_release("National era", date=datetime.date(2024, 2, 1))
    html = client.get(reverse("releases:governments")).content.decode()
    assert '<a href="/governments/sixth-labour/">Sixth Labour Government</a>' in html
    assert "Jacinda Ardern, Chris Hipkins" in html
    labour = Government.objects.get(slug="sixth-labour")
    response = client.get(labour.get_absolute_url())
    assert [r.title for r in response.context["page"]] == ["Labour era"]
    assert "26 October 2017" in response.content.decode()


def test_drafts_and_future_releases_stay_hidden(client):
    """Only published releases whose time has come appear anywhere."""
    portfolio = make_named(Portfolio, "Health")
    draft = make_release("A draft", status=Release.Status.DRAFT, portfolios=[portfolio])
    future = make_release("Embargoed", portfolios=[portfolio])
    Release.objects.filter(pk=future.pk).update(
        published_at=timezone.now() + datetime.timedelta(days=1)
    )
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(future.get_absolute_url()).status_code == 404
    for url in (reverse("releases:list"), portfolio.get_absolute_url(), reverse("releases:home")):
        html = client.get(url).content.decode()
        assert "A draft" not in html and "Embargoed" not in html


@pytest.mark.parametrize("kind", ["draft", "embargoed"])
def test_names_known_only_from_unpublished_releases_have_no_page(client, kind):
    """A portfolio or minister that no visible release names is not found until one is."""
    portfolio = make_named(Portfolio, "QA Secret Portfolio")
    minister = make_named(Minister, "QA Secret Minister")
    release = make_release("Not yet", portfolios=[portfolio], ministers=[minister],
                           **unpublished(kind))  # fmt: skip
    for url in (portfolio.get_absolute_url(), minister.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 404
        assert "QA Secret" not in response.content.decode()
    Release.objects.filter(pk=release.pk).update(
        status=Release.Status.PUBLISHED, published_at=timezone.now()
    )
    for url in (portfolio.get_absolute_url(), minister.get_absolute_url()):
        assert "Not yet" in client.get(url).content.decode()


def test_filter_choices_name_no_one_known_only_from_unpublished_releases(client):
    """A minister's portfolio choices, a portfolio's minister choices and the release list's
    choices of both come from the releases the public may see, not from an embargoed one."""
    minister, health = make_named(Minister, "Ayesha Verrall"), make_named(Portfolio, "Health")
    secret_portfolio = make_named(Portfolio, "QA Secret Portfolio")
    secret_minister = make_named(Minister, "QA Secret Minister")
    make_release("Public", ministers=[minister], portfolios=[health])
    make_release("Embargoed", ministers=[minister, secret_minister],
                 portfolios=[health, secret_portfolio], **unpublished("embargoed"))  # fmt: skip
    for url, field, public, secret in (
        (minister.get_absolute_url(), "portfolio", health, secret_portfolio),
        (health.get_absolute_url(), "minister", minister, secret_minister),
        (reverse("releases:list"), "portfolio", health, secret_portfolio),
        (reverse("releases:list"), "minister", minister, secret_minister),
    ):
        html = client.get(url).content.decode()
        assert f'<input type="checkbox" name="{field}" value="{public.slug}"' in html
        assert "QA Secret" not in html
        chosen = client.get(url, {field: secret.slug}).content.decode()
        assert "Select a valid choice." in chosen and "QA Secret" not in chosen


# The old site's addresses --------------------------------------------------------------


@pytest.mark.parametrize("slash", ["", "/"])
def test_old_address_redirects_permanently(client, june_2021, slash):
    """/release/<old-slug>, with or without a trailing slash, moves permanently to the
    release imported from that address."""
    response = client.get(f"/release/{SEED_SLUG}{slash}")
    assert response.status_code == 301
    assert response["Location"] == f"/releases/{SEED_SLUG}/"


def test_reused_old_address_redirects_to_the_newer_release(client):
    """The old site reused some addresses: the newer release gets the redirect."""
    assert import_releases([QC_1997, QC_2017]).created == 2
    response = client.get("/release/appointment-queens-counsel-1")
    assert response.status_code == 301
    newer = Release.objects.get(date=datetime.date(2017, 6, 2))
    assert response["Location"] == newer.get_absolute_url()


def test_unknown_old_address_is_not_found(client):
    """An old address no release came from is a 404."""
    assert client.get("/release/no-such-release").status_code == 404
    assert client.get("/release/no-such-release/").status_code == 404


# Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/releases/no-such-release/",
        "/portfolios/no-such-portfolio/",
        "/ministers/no-such-minister/",
        "/governments/no-such-government/",
        "/portfolios/no-such-portfolio/feed/",
        "/ministers/no-such-minister/feed/atom/",
    ],
)
def test_unknown_slugs_are_404_pages(client, settings, url):
    """Unknown addresses answer with the site's own 404 page."""
    settings.DEBUG = False
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_no_release_can_take_the_address_of_a_page_under_releases():
    """The first part of every fixed address under /releases/ (its feeds, the CSV, the
    filter pages) is a slug no release may have (RESERVED_SLUGS), and nothing else is: a
    release at /releases/feed/ would be shadowed by the feed."""
    routes = [str(pattern.pattern) for pattern in urls.urlpatterns]
    fixed = {route.split("/")[1] for route in routes if route.startswith("releases/")} - {
        "<slug:slug>",
        "",
    }
    assert fixed == RESERVED_SLUGS
    assert resolve("/releases/feed/").url_name == "feed"


@pytest.mark.parametrize("page", ["abc", "99999", "0", "-1", "1.5", "1e3", "２", "9" * 2000])
def test_bad_page_numbers_are_404(client, june_2021, page):
    """A page number that is not a page of the list is a 404, never a 500."""
    assert client.get(reverse("releases:list"), {"page": page}).status_code == 404


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"date_after": "2021-13-45"}, "Enter a real date, day first, for example 27 3 2021."),
        ({"date_before": "yesterday"}, "Enter a real date, day first, for example 27 3 2021."),
        ({"date_before": "31 2 2021"}, "Enter a real date, day first, for example 27 3 2021."),
        ({"date_after": "2022-01-01", "date_before": "2021-01-01"}, "The first date is after"),
        ({"portfolio": "no-such-portfolio"}, "Select a valid choice."),
        ({"minister": "no-such-minister"}, "Select a valid choice."),
        ({"government": "no-such-government"}, "Select a valid choice."),
        ({"year": "abc"}, "Enter a whole number."),
        ({"year": "2021.5"}, "Enter a whole number."),
        ({"year": "99999999999999999999"}, "Ensure this value is less than or equal to 9999."),
        ({"year": "9" * 2000}, "Ensure this value is less than or equal to 9999."),
        ({"sort": "sideways"}, "Select a valid choice."),
        ({"portfolio": "x" * 2000}, "Select a valid choice."),
        ({"portfolio": "health\x00"}, "Null characters are not allowed."),
        ({"minister": "<script>alert(1)</script>"}, "Select a valid choice."),
    ],
)
def test_bad_filters_show_the_page_with_a_form_error(client, june_2021, query, error):
    """A bad filter value gives the page with an error message, not a server error."""
    response = client.get(reverse("releases:list"), query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Some filters could not be used" in html
    assert error in html.replace("&#x27;", "'")
    assert "<script>alert" not in html


def test_bad_filter_is_reported_and_good_ones_still_apply(client, june_2021):
    """With one bad filter, the valid ones still narrow the list."""
    response = client.get(reverse("releases:list"), {"year": "abc", "portfolio": "education"})
    assert [r.title for r in response.context["page"]] == ["Pukemiro School to close"]


@pytest.mark.parametrize(
    "query",
    [
        {"date_after": "0001-01-01", "date_before": "9999-12-31"},
        {"year": "1"},
        {"unknown": "x" * 2000},
        {"page": "1", "q": "odd \u202e\ufffd query 🙂"},
        {"portfolio": [f"p{i}" for i in range(140)]},
    ],
)
def test_odd_but_valid_queries_answer(client, june_2021, query):
    """Extreme dates, very long and odd query strings give a page, not a server error."""
    assert client.get(reverse("releases:list"), query).status_code == 200


def test_too_many_query_fields_is_a_bad_request(client):
    """More query fields than Django accepts (1,000) is a 400, not a server error."""
    query = "&".join(f"portfolio=p{i}" for i in range(1500))
    assert client.get(f"{reverse('releases:list')}?{query}").status_code == 400


def test_portfolio_page_bad_filters(client, june_2021, trade):
    """A portfolio page reports a bad year or minister, and 404s a bad page."""
    url = trade.get_absolute_url()
    assert "Enter a whole number." in client.get(url, {"year": "20x1"}).content.decode()
    assert "Select a valid choice." in client.get(url, {"minister": "nobody"}).content.decode()
    assert client.get(url, {"page": "99999"}).status_code == 404


def test_server_error_page_stands_alone(client, settings):
    """templates/500.html renders without a request context."""
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "Something went wrong" in html and 'lang="en-NZ"' in html


# Sanitising -------------------------------------------------------------------------------

HOSTILE = """Hello <script>alert('x')</script> world.

<img src="x.png" onerror="alert(1)"> <a href="javascript:alert(2)">click</a>
<iframe src="https://evil.example"></iframe> <div style="position:fixed" onclick="alert(3)">x</div>

[link](javascript:alert(4)) <svg onload="alert(5)"></svg>
"""


def assert_harmless(html):
    lowered = html.lower()
    for bad in ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "<svg",
                "style="):  # fmt: skip
        assert bad not in lowered, bad


def test_hostile_body_saved_in_the_admin_is_sanitised(client):
    """Scripts, event handlers and javascript: URLs never reach the page (model save)."""
    release = make_release(body=HOSTILE)
    assert_harmless(release.body_html)
    html = client.get(release.get_absolute_url()).content.decode()
    assert "Hello" in html and "world." in html
    assert_harmless(html.split('<div class="body">')[1].split("</div>\n")[0])


def test_hostile_body_imported_is_sanitised(client, write):
    """The same holds for a release that arrives through the importer."""
    path = write("hostile.md", release_text(body=HOSTILE))
    assert import_releases([path]).created == 1
    release = Release.objects.get()
    assert_harmless(release.body_html)
    html = client.get(release.get_absolute_url()).content.decode()
    assert_harmless(html.split('<div class="body">')[1].split("</div>\n")[0])
    feed = client.get(reverse("releases:feed")).content.decode()
    assert "&lt;script" not in feed and "javascript:" not in feed


# Queries per page -----------------------------------------------------------------------

PAGES_AND_QUERIES = {
    # page: queries with filters that validate against the database, each with the one
    # that reads the content version first (caching.py); robots.txt has none
    "home": 6,  # releases, their ministers and portfolios, busy portfolios, busy ministers
    # count, page, ministers, portfolios, the government choices, and the ten busiest
    # portfolios and ministers from the tallies (each after what is scheduled, see
    # NamedQuerySet.active()); no longer every portfolio and minister as an <option>
    "list": 10,
    # the chosen portfolio, minister and government, checked; the results' count (facets);
    # page, ministers, portfolios, government choices; the busiest portfolios and ministers
    "list-filtered": 13,
    # what is scheduled, every portfolio's tally, every portfolio A-Z for its checkbox
    "filter-choices": 4,
    # release (with its government, as subqueries), its ministers, portfolios and uploaded
    # attachments, previous, next, and the related releases (related.py: one search of the
    # titles of its portfolio)
    "detail": 8,
    # portfolio, its ministers counted with its releases (one statement) and those
    # ministers (also the checkboxes'), page, ministers, portfolios
    "portfolio": 7,
    # minister, its portfolios counted with its releases and those portfolios, results
    # counted by portfolio (facets) and those portfolios, page, ministers, portfolios
    "minister-year": 9,
    "portfolios": 3,  # what is scheduled (see NamedQuerySet.active()), the list
    "ministers": 3,
    "governments": 7,  # the governments, then one count each (five, fixed reference data)
    "government": 6,
    "feed": 4,
    "portfolio-feed": 5,
    # The latest first publication and latest public update (two indexed reads) for the
    # home page and indexes and again for the releases, the lowest and highest release ids
    # (its pages' ranges), and the portfolios and ministers with their newest releases'
    # dates (NamedQuerySet.active(): what is scheduled, then the list), for each; the
    # governments, then the newest date of each (five, fixed reference data).
    "sitemap": 17,
    "about": 1,  # the footer's pages are templates: the content version alone
    "robots": 0,
}


def page_urls(release, portfolio, minister):
    return {
        "home": reverse("releases:home"),
        "list": reverse("releases:list"),
        "list-filtered": reverse("releases:list")
        + f"?portfolio={portfolio.slug}&minister={minister.slug}&government=sixth-labour&year=2021",
        "filter-choices": reverse("releases:filter-choices", args=["portfolio"]),
        "detail": release.get_absolute_url(),
        "portfolio": portfolio.get_absolute_url(),
        "minister-year": minister.get_absolute_url() + "?year=2021",
        "portfolios": reverse("releases:portfolios"),
        "ministers": reverse("releases:ministers"),
        "governments": reverse("releases:governments"),
        "government": reverse("releases:government", args=["sixth-labour"]),
        "feed": reverse("releases:feed"),
        "portfolio-feed": reverse("releases:portfolio-feed", args=[portfolio.slug]),
        "sitemap": reverse("releases:sitemap"),
        "about": reverse("releases:about"),
        "robots": reverse("releases:robots"),
    }


@pytest.mark.parametrize("page", PAGES_AND_QUERIES)
def test_each_page_costs_the_same_queries_for_1_or_50_releases(
    client, django_assert_num_queries, page
):
    """The number of queries does not grow with the number of releases listed."""
    portfolio, minister = make_named(Portfolio, "Health"), make_named(Minister, "Ayesha Verrall")
    other = make_named(Portfolio, "Science")

    def add(count):
        for day in range(count):
            make_release(date=datetime.date(2021, 6, 1) + datetime.timedelta(days=day),
                         ministers=[minister], portfolios=[portfolio, other])  # fmt: skip

    add(1)
    release = Release.objects.order_by("pk").last()
    url = page_urls(release, portfolio, minister)[page]
    with django_assert_num_queries(PAGES_AND_QUERIES[page]):
        assert client.get(url).status_code == 200
    add(49)
    with django_assert_num_queries(PAGES_AND_QUERIES[page]):
        response = client.get(url)
        assert response.status_code == 200
    if "page" in (response.context or {}):
        assert response.context["page"].paginator.count == 50


def test_list_query_count_does_not_depend_on_links_per_release(client):
    """Releases with many ministers and portfolios cost no more queries than with one."""
    portfolios = [make_named(Portfolio, f"Portfolio {i}") for i in range(10)]
    ministers = [make_named(Minister, f"Minister {i}") for i in range(8)]
    make_release(ministers=ministers[:1], portfolios=portfolios[:1])
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("releases:list"))
    for _ in range(30):
        make_release(ministers=ministers, portfolios=portfolios)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("releases:list"))
    assert len(many) == len(one)


def test_seed_release_fixture_is_the_real_file():
    """The seed file this suite leans on is the real one from the corpus."""
    assert SEED.exists() and SEED.parent == JUNE_2021


@pytest.mark.corpus
def test_pages_on_the_full_corpus(client, corpus):
    """With all 55,167 real releases: the seed release under its portfolio and minister,
    the reused address, a split sitemap, and the same queries per page as with one."""
    assert import_releases([corpus]).errors == []
    trade = Portfolio.objects.get(slug="trade-and-export-growth")
    oconnor = Minister.objects.get(slug="damien-oconnor")
    seed_day = {"date_after": "2021-06-01", "date_before": "2021-06-01"}
    for query in ({"portfolio": trade.slug}, {"minister": oconnor.slug}):
        response = client.get(reverse("releases:list"), {**query, **seed_day})
        assert SEED_TITLE in [r.title for r in response.context["page"]]
    portfolio_page = client.get(trade.get_absolute_url())
    assert portfolio_page.context["page"].paginator.count == trade.releases.published().count()
    assert "Damien O'Connor" in [m.name for m in portfolio_page.context["ministers"]]
    minister_2021 = client.get(oconnor.get_absolute_url(), {"year": 2021})
    assert "Trade and Export Growth" in [p.name for p in minister_2021.context["portfolios"]]
    assert all(r.date.year == 2021 for r in minister_2021.context["page"])

    reused_url = "https://www.beehive.govt.nz/release/appointment-queens-counsel-1"
    newer = Release.objects.get(source_url=reused_url, date__year=2017)
    reused = client.get("/release/appointment-queens-counsel-1")
    assert reused["Location"] == newer.get_absolute_url()
    index = client.get(reverse("releases:sitemap")).content.decode()
    # A page for each SITEMAP_SIZE ids from the lowest: 56 for the archive's 55,167.
    ids = Release.objects.aggregate(first=Min("pk"), last=Max("pk"))
    last = math.ceil((ids["last"] - ids["first"] + 1) / SITEMAP_SIZE)
    assert f"sitemap-releases.xml?p={last}<" in index
    assert f"sitemap-releases.xml?p={last + 1}<" not in index

    urls = page_urls(Release.objects.get(slug=SEED_SLUG), trade, oconnor)
    for page in ("list", "list-filtered", "detail", "portfolio", "minister-year", "home"):
        cache.clear()  # each page built, not served from the cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(urls[page]).status_code == 200
        assert len(queries) == PAGES_AND_QUERIES[page], page
