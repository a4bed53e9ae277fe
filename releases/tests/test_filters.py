"""The filter forms without JavaScript: portfolio and minister checkboxes with counts, the
page of every choice, day-first dates, the error summary and the search help."""

import datetime
import html
import re

import pytest
from django.http import QueryDict
from django.urls import reverse

from releases.filters import ReleaseFilter
from releases.importing import import_releases
from releases.models import Minister, Portfolio, Release

from .conftest import FIXTURES
from .test_views import make_named, make_release, unpublished

pytestmark = pytest.mark.django_db

CHECKBOX = re.compile(
    r'<input type="checkbox" name="(portfolio|minister)" value="([^"]+)" id="([^"]+)"( checked)?>'
    r'<label for="\3">[^<]*?(?: <span class="count">([\d,]+)<|</label>)'
)


@pytest.fixture
def sample():
    """All 250 real releases of the sample."""
    assert import_releases([FIXTURES]).errors == []


def boxes(response, name):
    """The `name` checkboxes as the page shows them: (slug, count or None, checked)."""
    found = CHECKBOX.findall(response.content.decode())
    return [
        (slug, int(count.replace(",", "")) if count else None, bool(checked))
        for group, slug, _, checked, count in found
        if group == name
    ]


def listed(client, query):
    """The number of releases the release list gives for `query`."""
    return client.get(reverse("releases:list"), query).context["page"].paginator.count


def test_release_list_offers_the_ten_busiest_portfolios_and_ministers(client, sample):
    """Unfiltered, each group shows its ten busiest choices, most releases first, each count
    what ticking that box lists, and a link to every choice."""
    response = client.get(reverse("releases:list"))
    for name in ("portfolio", "minister"):
        shown = boxes(response, name)
        assert len(shown) == 10 and not any(checked for _, _, checked in shown)
        counts = [count for _, count, _ in shown]
        assert counts == sorted(counts, reverse=True)
        for slug, count, _ in shown[:3]:
            assert listed(client, {name: slug}) == count
    page = response.content.decode()
    assert 'href="/releases/filters/portfolio/">Show all portfolios</a>' in page
    assert 'href="/releases/filters/minister/">Show all ministers</a>' in page


def test_ticked_boxes_filter_the_list_and_stay_ticked(client, sample):
    """Ticking two portfolios lists the releases of either; both stay ticked, even one
    too little used for the short list, and each shows its own count."""
    quiet = Portfolio.objects.busiest().order_by("release_count", "name").first()
    busy = Portfolio.objects.busiest().first()
    query = {"portfolio": [busy.slug, quiet.slug]}
    response = client.get(reverse("releases:list"), query)
    either = Release.objects.published().for_any_portfolio([busy.pk, quiet.pk]).count()
    assert response.context["page"].paginator.count == either
    shown = {slug: (count, checked) for slug, count, checked in boxes(response, "portfolio")}
    assert shown[busy.slug] == (busy.release_count, True)
    assert shown[quiet.slug] == (quiet.release_count, True)
    assert len(shown) == 11  # the ten busiest, and the quiet one after them


def test_counts_of_a_filtered_list_are_what_each_box_lists(client, sample):
    """With a year chosen, each portfolio's and minister's count is the number of releases
    that year that ticking it lists."""
    year = {"year": "2021"}
    response = client.get(reverse("releases:list"), year)
    for name in ("portfolio", "minister"):
        shown = boxes(response, name)
        assert shown and all(count for _, count, _ in shown)
        for slug, count, _ in shown:
            assert listed(client, {**year, name: slug}) == count, slug


def test_a_group_in_use_with_other_filters_shows_no_counts(client, sample):
    """With a portfolio ticked and a year, the portfolios are not counted (their counts
    would cost a statement of their own) but the ministers are, in these results."""
    query = {"year": "2021", "portfolio": "trade-and-export-growth"}
    response = client.get(reverse("releases:list"), query)
    portfolios = boxes(response, "portfolio")
    assert ("trade-and-export-growth", None, True) in portfolios
    assert all(count is None for _, count, _ in portfolios)
    for slug, count, _ in boxes(response, "minister"):
        assert listed(client, {**query, "minister": slug}) == count


def test_show_all_page_lists_every_choice_and_keeps_the_other_filters(client, sample):
    """The page of every portfolio has a checkbox for each, A-Z, in a form that goes back to
    the release list with the other filters in use (but not the page number) kept."""
    query = {"year": "2021", "q": "trade", "portfolio": "trade-and-export-growth", "page": "2"}
    response = client.get(reverse("releases:filter-choices", args=["portfolio"]), query)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<form class="filters" id="filters" method="get" action="/releases/">' in page
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    assert sorted(hidden) == [("q", "trade"), ("year", "2021")]
    shown = boxes(response, "portfolio")
    public = Portfolio.objects.with_published_releases()
    assert [slug for slug, _, _ in shown] == list(
        public.order_by("name").values_list("slug", flat=True)
    )
    assert [slug for slug, _, checked in shown if checked] == ["trade-and-export-growth"]
    # What submitting it with one more box ticked gives.
    submitted = {"q": "trade", "year": "2021", "portfolio": ["trade-and-export-growth", "health"]}
    again = client.get(reverse("releases:list"), submitted)
    assert {a.value for a in again.context["active_filters"]} >= {"Health", "2021"}


def test_show_all_page_counts_match_the_results(client, sample):
    """Each minister's count on the page of every minister is what ticking it lists."""
    year = {"year": "2021"}
    shown = boxes(
        client.get(reverse("releases:filter-choices", args=["minister"]), year), "minister"
    )
    assert len(shown) == Minister.objects.with_published_releases().count()
    for slug, count, _ in shown:
        if count:
            assert listed(client, {**year, "minister": slug}) == count, slug


def test_show_all_page_of_an_unknown_filter_is_not_found(client):
    """Only portfolios and ministers have a page of every choice."""
    for name in ("government", "year", "nothing"):
        assert client.get(reverse("releases:filter-choices", args=[name])).status_code == 404


def test_show_all_page_drops_bad_values_and_says_why(client, sample):
    """A bad value on the page of every choice is reported, not carried back to the list."""
    query = {"year": "abc", "minister": "nobody", "portfolio": "health"}
    response = client.get(reverse("releases:filter-choices", args=["portfolio"]), query)
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Some filters could not be used, and are left out" in page
    assert "Year: Enter a whole number." in page and "Ministers: Select a valid choice." in page
    assert 'name="year"' not in page and 'value="nobody"' not in page


@pytest.mark.parametrize(
    "written", ["27 3 2021", "27/3/2021", "27-03-2021", "27.3.2021", "2021-03-27"]
)
def test_dates_are_read_day_first(client, written):
    """A date typed day first, with spaces, slashes, dashes or dots, or sent as ISO by a
    link, is the same day."""
    make_release("Before", date=datetime.date(2021, 3, 26))
    make_release("On the day", date=datetime.date(2021, 3, 27))
    response = client.get(reverse("releases:list"), {"date_after": written})
    assert [r.title for r in response.context["page"]] == ["On the day"]
    assert "From: 27 March 2021" in response.content.decode()


def test_date_hint_is_tied_to_the_date_inputs(client):
    """The day-first hint is shown and each date input names it in aria-describedby."""
    page = client.get(reverse("releases:list")).content.decode()
    assert (
        '<p class="hint" id="id_date_hint">Day, month and year, for example 27 3 2021</p>' in page
    )
    for name in ("date_after", "date_before"):
        assert re.search(
            rf'name="{name}" id="id_{name}" value="" aria-describedby="id_date_hint"', page
        )


def test_bad_filters_are_summarised_first_in_the_form_with_links(client, sample):
    """Bad values are listed at the top of the form, each a link to a control on the page,
    with the message beside the control too."""
    query = {"year": "abc", "date_after": "31 2 2021", "portfolio": "nobody"}
    response = client.get(reverse("releases:list"), query)
    page = response.content.decode()
    form = page.split('<form class="filters"')[1]
    assert form.index('class="error-summary"') < form.index('class="field')
    summary = form.split('class="error-summary"')[1].split("</div>")[0]
    assert "There is a problem with the filters" in summary
    targets = re.findall(r'<a href="#([^"]+)">', summary)
    assert sorted(targets) == ["id_date_after", "id_portfolio", "id_year"]
    for target in targets:
        assert f'id="{target}"' in page
    assert "Enter a real date, day first" in html.unescape(page)
    assert 'aria-describedby="id_year_error"' in page and 'id="id_year_error"' in page
    assert 'href="#filter-errors"' in page  # from the top of the results


@pytest.mark.parametrize("kind", ["list", "portfolio", "minister", "search", "choices"])
def test_every_description_a_control_points_at_exists(client, sample, kind):
    """Each aria-describedby names elements on the page: the search help, hints and error
    messages are all shown."""
    urls = {
        "list": reverse("releases:list"),
        "portfolio": "/portfolios/trade-and-export-growth/?year=x",
        "minister": "/ministers/damien-oconnor/?year=2021",
        "search": reverse("releases:list") + "?q=trade&date_before=nope",
        "choices": reverse("releases:filter-choices", args=["minister"]),
    }
    page = client.get(urls[kind]).content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', page)
    assert described
    for ids in described:
        for element in ids.split():
            assert f'id="{element}"' in page, element


def test_search_help_is_beside_the_search_box(client):
    """The words box is described by the search syntax help, shown just before it."""
    page = client.get(reverse("releases:list")).content.decode()
    help_text = page.split('id="id_q_helptext">')[1].split("</p>")[0]
    assert "Use &quot;quotes&quot; for a phrase" in help_text
    assert re.search(r'<input type="search" name="q"[^>]*aria-describedby="id_q_helptext"', page)


@pytest.mark.parametrize("path", ["/releases/", "/portfolios/trade-and-export-growth/",
                                  "/ministers/damien-oconnor/"])  # fmt: skip
def test_filter_forms_submit_to_their_own_address(client, sample, path):
    """No form has an empty action (invalid HTML): each names its page's own path."""
    page = client.get(path, {"year": "2021"}).content.decode()
    assert 'action=""' not in page
    assert f'<form class="filters" id="filters" method="get" action="{path}"' in page


def test_filters_are_linked_first_in_the_results(client, sample):
    """Before the first result, a link leads to the filter form, saying how many filters
    are in use; the form ends with a link back to the results."""
    page = client.get(reverse("releases:list"), {"year": "2021"}).content.decode()
    results = page.split('<div class="results">')[1]
    assert results.index('href="#filters">Filter these releases (1 in use)') < results.index(
        'class="release-card"'
    )
    assert 'id="filters"' in page and '<a href="#results-heading">Back to the results</a>' in page


def test_portfolio_page_offers_its_ministers_with_the_rest_in_a_disclosure(client):
    """A portfolio's page has a checkbox for each of its ministers, the ten busiest first,
    the others in a <details>; with a year, the counts are that year's."""
    health = make_named(Portfolio, "Health")
    ministers = [make_named(Minister, f"Minister {n:02}") for n in range(12)]
    for n, minister in enumerate(ministers):
        for day in range(12 - n):
            make_release(date=datetime.date(2020 + day % 2, 1, 1), ministers=[minister],
                         portfolios=[health])  # fmt: skip
    response = client.get(health.get_absolute_url())
    shown = boxes(response, "minister")
    assert [(slug, count) for slug, count, _ in shown] == [
        (m.slug, 12 - n) for n, m in enumerate(ministers)
    ]
    page = response.content.decode()
    more = page.split('<details class="more-choices">')[1].split("</details>")[0]
    assert "Show 2 more ministers" in more
    assert 'value="minister-10"' in more and 'value="minister-11"' in more
    by_year = client.get(health.get_absolute_url(), {"year": "2021"})
    for slug, count, _ in boxes(by_year, "minister"):
        cut = client.get(health.get_absolute_url(), {"year": "2021", "minister": slug})
        assert cut.context["page"].paginator.count == count


def test_minister_page_ticks_a_portfolio(client):
    """A minister's page offers their portfolios as checkboxes; a ticked one stays ticked."""
    minister = make_named(Minister, "Ayesha Verrall")
    health, science = make_named(Portfolio, "Health"), make_named(Portfolio, "Science")
    make_release("Health news", ministers=[minister], portfolios=[health])
    make_release("Science news", ministers=[minister], portfolios=[science])
    response = client.get(minister.get_absolute_url(), {"portfolio": "science"})
    assert [r.title for r in response.context["page"]] == ["Science news"]
    assert boxes(response, "portfolio") == [("health", 1, False), ("science", 1, True)]


@pytest.mark.parametrize("kind", ["draft", "embargoed"])
def test_the_form_lists_and_accepts_only_names_the_public_may_know(kind):
    """The portfolio and minister choices are found when first needed (filters.
    NameChoiceField): rendered as Django renders the form, they list the names of published
    releases and no other, and a ticked one is checked against the same choices."""
    health, secret = make_named(Portfolio, "Health"), make_named(Portfolio, "QA Secret")
    make_release("Public", portfolios=[health])
    make_release("Not yet", portfolios=[secret], **unpublished(kind))
    rendered = str(ReleaseFilter(queryset=Release.objects.published()).form["portfolio"])
    assert 'value="health"' in rendered and "QA Secret" not in rendered
    for slug, valid in (("health", True), ("qa-secret", False)):
        ticked = QueryDict(f"portfolio={slug}")
        filterset = ReleaseFilter(ticked, queryset=Release.objects.published())
        assert filterset.is_valid() is valid, filterset.errors
    nothing = ReleaseFilter(QueryDict("q=news"), queryset=Release.objects.published())
    assert nothing.is_valid() and list(nothing.form.cleaned_data["portfolio"]) == []
