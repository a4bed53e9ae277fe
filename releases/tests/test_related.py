"""Related releases on a release's page: up to five published releases from its portfolio
whose titles share its words, found by the search index at a fixed query cost."""

import datetime
import re
import unicodedata

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from releases.editorial import sharing
from releases.importing import import_releases
from releases.models import Portfolio, Release
from releases.related import STOP_WORDS, distinctive_words, related

from .conftest import FIXTURES, log_in

pytestmark = pytest.mark.django_db


def listed(response):
    """The titles in the page's "Related releases" list, in order; None if it has none."""
    found = re.search(r'<section class="related".*?</section>', response.text, re.S)
    if found is None:
        return None
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<a [^>]*>(.*?)</a>", found.group(0))]


def make(title, portfolio=None, **fields):
    """A release published yesterday, in `portfolio` if given."""
    fields.setdefault("status", Release.Status.PUBLISHED)
    fields.setdefault("published_at", timezone.now() - datetime.timedelta(days=1))
    release = Release.objects.create(
        title=title,
        slug=f"r-{Release.objects.count()}",
        date=fields.pop("date", datetime.date(2021, 6, 1)),
        body=fields.pop("body", "Some news."),
        **fields,
    )
    if portfolio:
        release.portfolios.add(portfolio)
    return release


@pytest.fixture
def trade():
    return Portfolio.objects.create(name="Trade", slug="trade")


@pytest.fixture
def fixtures_2018_2019():
    result = import_releases([FIXTURES / "2018", FIXTURES / "2019"])
    assert result.errors == []


def title_words(title):
    return set(re.findall(r"[^\W_]+", title.casefold()))


def alike(word, other):
    """Whether two words may be one word stemmed ("leads" and "lead", "FTAs" and "FTA"):
    they begin with the same four letters, or the shorter begins the longer."""
    word, other = (without_diacritics(w) for w in (word, other))
    return word[:4] == other[:4] or word.startswith(other) or other.startswith(word)


def without_diacritics(word):
    """The word without its diacritics, as both engines index it ("Māori" as "maori")."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def test_release_page_lists_releases_on_the_same_subject(client, fixtures_2018_2019):
    """The page of the real release on hosting an RCEP round lists the later one on RCEP's
    progress first, with its date, under "Related releases"."""
    response = client.get(
        Release.objects.get(title="New Zealand hosts RCEP round").get_absolute_url()
    )
    assert response.status_code == 200
    assert '<h2 id="related-heading">Related releases</h2>' in response.text
    assert listed(response)[0] == "Substantial progress made on RCEP"
    progress = Release.objects.get(title="Substantial progress made on RCEP")
    assert (
        f'<a href="{progress.get_absolute_url()}">Substantial progress made on RCEP</a> '
        '<span class="date"><time datetime="2018-11-14">14 November 2018</time></span>'
    ) in response.text


def test_the_two_racing_fund_rounds_list_each_other(client, fixtures_2018_2019):
    """The 2018 and 2019 real releases on the Racing Safety Development Fund, in the same
    portfolio (the 2018 title starts with invisible spaces), each list the other first."""
    first, second = Release.objects.filter(title__contains="Racing Safety").order_by("date")
    assert listed(client.get(first.get_absolute_url()))[0] == second.title
    assert listed(client.get(second.get_absolute_url()))[0] == first.title


def test_every_real_release_has_related_ones_from_its_portfolio_never_itself():
    """Across all 250 real releases: at most five related, each published, in the release's
    primary portfolio (any, for a release with none), sharing a word of its title, never
    the release itself."""
    import_releases([FIXTURES])
    with_related = 0
    for release in Release.objects.for_page():
        found = related(release)
        assert len(found) <= 5
        assert release.pk not in [r.pk for r in found]
        words = title_words(release.title) - STOP_WORDS
        for other in found:
            assert other.status == Release.Status.PUBLISHED
            if release.primary_portfolio_id:
                assert other.portfolios.filter(pk=release.primary_portfolio_id).exists()
            assert any(alike(a, b) for a in words for b in title_words(other.title)), other.title
        with_related += bool(found)
    assert with_related >= 40  # 49 of them when this was written


@pytest.mark.parametrize(
    "hidden",
    [
        {"status": Release.Status.DRAFT},
        {"published_at": timezone.now() + datetime.timedelta(days=30)},  # scheduled
        {"status": Release.Status.WITHDRAWN, "withdrawn_at": timezone.now()},
    ],
    ids=["draft", "scheduled", "withdrawn"],
)
def test_related_never_lists_a_release_the_public_cannot_see(client, trade, hidden):
    """A draft, a scheduled or a withdrawn release on the same subject is never listed,
    on the public page, a staff preview or a share link's page."""
    release = make("Free trade talks with India begin", trade)
    make("Free trade talks with India: second round", trade)
    secret = make("Free trade talks with India concluded", trade, **hidden)
    assert listed(client.get(release.get_absolute_url())) == [
        "Free trade talks with India: second round"
    ]

    staff = log_in(Client(), "editor", ["view_release", "change_release"])
    preview = staff.get(f"/admin/releases/release/{release.pk}/preview/")
    assert preview.status_code == 200
    assert listed(preview) == ["Free trade talks with India: second round"]
    # The hidden release's own preview and share link list the public one only.
    assert sorted(listed(staff.get(f"/admin/releases/release/{secret.pk}/preview/"))) == [
        "Free trade talks with India begin",
        "Free trade talks with India: second round",
    ]
    if secret.status != Release.Status.WITHDRAWN:
        _, address = sharing.create(secret, User.objects.create_superuser("press"))
        assert "Free trade talks with India concluded" not in "".join(listed(Client().get(address)))


def test_at_most_five_releases_are_listed(client, trade):
    """However many releases share its words, the page lists five."""
    release = make("Dairy exports to China", trade)
    for n in range(8):
        make(f"Dairy exports to China, report {n}", trade)
    assert len(listed(client.get(release.get_absolute_url()))) == 5


def test_related_releases_come_from_the_same_portfolio(client, trade):
    """Releases with the same words in another portfolio are not listed; a release with no
    portfolio lists them from any."""
    release = make("Wool prices recover", trade)
    make("Wool prices recover further", Portfolio.objects.create(name="Agriculture", slug="ag"))
    make("Wool prices fall", trade)
    assert listed(client.get(release.get_absolute_url())) == ["Wool prices fall"]
    unfiled = make("Wool prices are steady")
    assert sorted(listed(client.get(unfiled.get_absolute_url()))) == [
        "Wool prices fall",
        "Wool prices recover",
        "Wool prices recover further",
    ]


@pytest.mark.parametrize("title", ["", "To the minister: more on the new government", "2021"])
def test_a_release_with_no_words_to_search_for_still_renders(client, trade, title):
    """A title that is empty, all stop words or only a number gives a page without a
    related list."""
    make("The new government, to the minister", trade)
    response = client.get(make(title, trade).get_absolute_url())
    assert response.status_code == 200
    assert listed(response) is None and "Related releases" not in response.text


HOSTILE_TITLES = [
    'Trade "quoted NEAR(trade agreement) AND -trade* OR ^trade',
    "title: trade body:agreement {title body}: trade",
    "trade's agreement — 'quoted' \"unbalanced",
    "NOT trade -AND- OR: * ^ ( ) \\ ' ;-- DROP TABLE",
    "Ｔｒａｄｅ ａｇｒｅｅｍｅｎｔ\x1f tab\there",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_titles_never_cause_an_error(client, title):
    """Quotes, FTS operators, column filters and odd characters in a title are only words:
    the page renders and lists releases sharing them."""
    commerce = Portfolio.objects.create(name="Commerce", slug="commerce")
    make("Trade agreement signed", commerce)
    response = client.get(make(title, commerce).get_absolute_url())
    assert response.status_code == 200
    assert listed(response) == ["Trade agreement signed"]


def test_distinctive_words_leave_out_stop_words_numbers_and_repeats():
    """The words searched for: no stop word, number or repeat, the longest six at most."""
    title = "Trade Minister to lead first virtual trade mission to Japan"
    assert distinctive_words(title) == ["virtual", "mission", "trade", "japan", "lead"]
    assert distinctive_words("$4.6 billion marks new era for Defence in 2005") == [
        "defence",
        "marks",
        "era",
    ]
    long = " ".join(f"{'x' * n}word" for n in range(12))
    assert distinctive_words(long) == [f"{'x' * n}word" for n in range(11, 5, -1)]


def test_words_of_the_portfolio_name_are_left_out():
    """In Trade and Export Growth, "trade" says nothing: the rarer words are searched for."""
    title = "Trade Minister to lead first virtual trade mission to Japan"
    assert distinctive_words(title, common="Trade and Export Growth") == [
        "virtual",
        "mission",
        "japan",
        "lead",
    ]


def test_the_title_index_follows_every_change_of_title(client, trade):
    """A release retitled onto the same subject is listed at once; retitled away or
    deleted, it is not (migration 0024's triggers on SQLite, an expression on PostgreSQL)."""
    release = make("Wool prices recover", trade)
    other = make("Dairy exports rise", trade)
    assert listed(client.get(release.get_absolute_url())) is None
    other.title = "Wool exports rise"
    other.save()
    assert listed(client.get(release.get_absolute_url())) == ["Wool exports rise"]
    Release.objects.filter(pk=other.pk).update(title="Dairy exports rise again")
    assert listed(client.get(release.get_absolute_url())) is None
    make("Wool prices fall", trade).delete()
    make("Wool prices steady", trade)
    assert listed(client.get(release.get_absolute_url())) == ["Wool prices steady"]
