"""Full-text search: query syntax, hostile input, New Zealand text, snippets, facets, an
index that never goes stale, and relevance on real releases."""

import random

import pytest
from django.db import connection
from django.utils import timezone

from releases.facets import facets
from releases.importing import import_releases
from releases.models import Minister, Portfolio, Release
from releases.search import FTS_TABLE, MAX_TERMS, parse, search
from releases.snippets import add_snippets

from .conftest import FIXTURES, release_text

pytestmark = pytest.mark.django_db


def make(title, body="", date="2021-06-01", ministers=(), portfolios=()):
    """A published release saved as the admin saves one: the release, then its links."""
    release = Release.objects.create(
        title=title,
        slug=f"r{Release.objects.count()}",
        body=body,
        date=date,
        status=Release.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    release.ministers.set(
        Minister.objects.get_or_create(name=n, slug=n.lower())[0] for n in ministers
    )
    release.portfolios.set(
        Portfolio.objects.get_or_create(name=n, slug=n.lower())[0] for n in portfolios
    )
    return release


def titles(query, queryset=None):
    return [r.title for r in search(Release.objects.all() if queryset is None else queryset, query)]


@pytest.fixture
def sample():
    make("Bridge opens in Taupō", "The new bridge carries traffic over the Waikato River.")
    make("Harbour bridge repairs", "Repairs to the Auckland Harbour Bridge begin in May.")
    make("River clean-up funded", "Funding to clean the Waikato River and its lakes.")
    make("Tunnel opens", "A road tunnel opens; the old bridge closes to traffic.")


def test_parse_reads_words_phrases_exclusions_and_or():
    """The parser turns the syntax people know into required and excluded terms."""
    parsed = parse('trade "free trade" -Australia China OR Japan AND -"New Zealand"')
    assert parsed.required == (("trade",), ("free trade",), ("China", "Japan"))
    assert parsed.excluded == ("Australia", "New Zealand")


def test_all_words_must_match(sample):
    """Several words find only the releases holding every one of them."""
    assert titles("bridge Waikato") == ["Bridge opens in Taupō"]


def test_quoted_phrase_matches_words_in_order(sample):
    """A quoted phrase finds its words together and in that order, not scattered."""
    assert titles('"harbour bridge"') == ["Harbour bridge repairs"]
    assert titles('"bridge harbour"') == []


def test_minus_excludes_words_and_phrases(sample):
    """-word and -"a phrase" leave out the releases containing them."""
    assert sorted(titles("bridge -Waikato")) == ["Harbour bridge repairs", "Tunnel opens"]
    assert titles('bridge -"harbour bridge" -tunnel') == ["Bridge opens in Taupō"]


def test_or_matches_either_word(sample):
    """OR between two words finds releases with either."""
    assert sorted(titles("tunnel OR repairs")) == ["Harbour bridge repairs", "Tunnel opens"]
    assert sorted(titles("Waikato river OR lakes clean")) == ["River clean-up funded"]


def test_not_excludes_as_minus_does(sample):
    """NOT before a word or phrase leaves out the releases containing it."""
    assert sorted(titles("bridge NOT Waikato")) == ["Harbour bridge repairs", "Tunnel opens"]
    assert titles('bridge NOT "harbour bridge" NOT tunnel') == ["Bridge opens in Taupō"]


def test_alternatives_count_towards_the_limit_of_terms():
    """A chain of ORs is cut at MAX_TERMS terms like any other long query, and says so:
    each alternative is another pass over the index."""
    parsed = parse("housing OR " * 300)
    assert sum(map(len, parsed.required)) == MAX_TERMS
    assert parsed.shortened
    assert not parse(" OR ".join(["housing"] * MAX_TERMS)).shortened


def test_fullwidth_letters_are_read_as_letters(sample):
    """Fullwidth letters, as some keyboards type them, find the plain letters indexed."""
    assert titles("Ｔａｕｐｏ") == ["Bridge opens in Taupō"]


def test_other_compatibility_characters_are_searched_as_written():
    """Words copied from a release with ², ₂ or ™ in them find it."""
    make("Hector's World™ online", "It covers 12 km² of bush and cuts CO₂.")
    for query in ["km²", "CO₂", "World™"]:
        assert titles(query) == ["Hector's World™ online"], query


HOSTILE = [
    "x" * 10_000,
    "bridge " * 2_000,
    "!@#$%^&*()_+={}[]|\\:;'<>,.?/~`",
    '"',
    '"bridge',
    'bridge"',
    '"""',
    "-",
    "--bridge",
    "OR",
    "AND",
    "bridge OR",
    "OR bridge",
    "NOT bridge",
    "bridge NEAR(tunnel, 2)",
    "NEAR",
    "bridge*",
    "*",
    "^bridge",
    "title:bridge",
    "body: bridge",
    "{title body}: bridge",
    "bridge'; DROP TABLE releases_release; --",
    "' OR 1=1 --",
    "bridge & tunnel | !river <-> (x",
    "bridge:*",
    "\x00bridge\x00",
    "🌉 bridge",
    "Ma\u0304ori",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_return_normally(sample, query):
    """Absurd input, SQL and engine operators give an ordinary (perhaps empty) result."""
    results = search(Release.objects.all(), query)
    page = list(results[:20])
    add_snippets(page, query)
    facets(results)
    assert results.count() == len(page)


def test_random_junk_never_fails(sample):
    """A few hundred random strings of operators, quotes and words all run cleanly."""
    rng = random.Random(4)
    pieces = [" ", *"\" - ( ) * ^ : ' OR AND NOT NEAR bridge ā".split()]
    for _ in range(300):
        query = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        add_snippets(search(Release.objects.all(), query)[:5], query)


@pytest.mark.parametrize("query", ["", "   ", "!!!", '""', "- - -", "-bridge"])
def test_queries_without_words_to_find_match_nothing(sample, query):
    """An empty query, or one that only excludes, matches nothing rather than everything."""
    assert titles(query) == []


def test_macrons_are_optional():
    """'Maori' finds 'Māori' and 'Taupo' finds 'Taupō'; the reverse works too."""
    make("Māori tourism grows", "Visitors to Taupō and Rotorua.")
    make("Maori language week", "Te wiki o te reo Maori.")
    assert sorted(titles("Maori")) == ["Maori language week", "Māori tourism grows"]
    assert sorted(titles("Māori")) == ["Maori language week", "Māori tourism grows"]
    assert titles("Taupo") == ["Māori tourism grows"]


def test_english_stemming():
    """'schools' finds 'school' and 'funding' finds 'funded'."""
    make("New school for Pukemiro", "The school opens in 2022.")
    make("Hospital funded", "The hospital was funded in the Budget.")
    assert titles("schools") == ["New school for Pukemiro"]
    assert titles("funding") == ["Hospital funded"]


def test_title_ranks_above_body():
    """A word in the title counts for more than the same word in a body."""
    make("Budget announced", "Details of the housing package follow.")
    make("Housing package announced", "Details follow.")
    assert titles("housing") == ["Housing package announced", "Budget announced"]


def test_minister_and_portfolio_names_are_searchable():
    """A release is found by its minister's and its portfolio's names, with other words."""
    make("Mission to Japan", "Exports grow.", ministers=["Damien O'Connor"], portfolios=["Trade"])
    make("Dairy prices", "Exports grow.", portfolios=["Agriculture"])
    assert titles("O'Connor exports") == ["Mission to Japan"]
    assert titles("trade") == ["Mission to Japan"]
    assert titles("agriculture exports") == ["Dairy prices"]


def test_snippet_marks_matches_and_escapes_everything_else():
    """A snippet shows the body's words with matches in <mark>; HTML in it is inert."""
    make(
        "Kai",
        'Fish & chips <script>alert("x")</script> for **schools** in [Taupō](https://x.nz/a).',
    )
    [release] = add_snippets(search(Release.objects.all(), "school taupo"), "school taupo")
    assert release.snippet == (
        'Fish &amp; chips alert("x") for <mark>schools</mark> in <mark>Taupō</mark>.'
    )


@pytest.mark.parametrize(
    "body, snippet",
    [
        (
            r"Watch youtu.be/RtMkFE1\_sgw and \_Hlu at the school.",
            "Watch youtu.be/RtMkFE1_sgw and _Hlu at the <mark>school</mark>.",
        ),
        (
            'Signed with [Niue](https://x.nz/a "Link to website") at the school.',
            "Signed with Niue at the <mark>school</mark>.",
        ),
        (
            '![Map](/img/map.png "A map") The school <!-- a note for editors --> opens.',
            "The <mark>school</mark> opens.",
        ),
    ],
)
def test_snippet_leaves_out_markdown_and_html(body, snippet):
    """Link targets and titles, images, comments and backslash escapes are not shown."""
    make("Kura", body)
    [release] = add_snippets(search(Release.objects.all(), "school"), "school")
    assert release.snippet == snippet


def test_snippet_cut_inside_a_link_shows_none_of_its_address():
    """An excerpt that ends inside a long link's address shows the link text only."""
    address = "https://example.govt.nz/" + "/".join(f"part{i}" for i in range(60))
    make("Kura", f"The school signed a [partnership]({address}) today with Niue.")
    [release] = add_snippets(search(Release.objects.all(), "school"), "school")
    assert release.snippet.startswith("The <mark>school</mark> signed a partnership")
    assert "part1" not in release.snippet and "(" not in release.snippet


def test_snippet_of_a_title_only_match_is_the_start_of_the_body():
    """When only the title matched, the snippet is the body's opening words, unmarked."""
    make("Bridge opens", "Traffic flows from today. " * 20)
    [release] = add_snippets(search(Release.objects.all(), "bridge"), "bridge")
    assert release.snippet.startswith("Traffic flows from today.")
    assert "<mark>" not in release.snippet


def test_facets_count_the_results():
    """Facets count the current results by portfolio, minister, year and government."""
    make("Trade deal", "Trade.", "2019-05-01", ["Damien O'Connor"], ["Trade", "Agriculture"])
    make("Trade talks", "Trade.", "2024-02-01", ["Todd McClay"], ["Trade"])
    make("Trade mission", "Trade.", "2024-03-01", ["Todd McClay"], ["Trade"])
    make("Farm news", "Farms.", "2024-03-01", ["Todd McClay"], ["Agriculture"])
    make("Trade handover", "Trade.", "2023-11-27")  # the day the next government began
    make("Trade notes", "Trade.", None)  # an unknown date: counted, in no year or government
    counts = facets(search(Release.objects.all(), "trade"))
    assert counts["total"] == 5
    assert [(p.name, p.release_count) for p in counts["portfolios"]] == [
        ("Trade", 3),
        ("Agriculture", 1),
    ]
    assert [(m.name, m.release_count) for m in counts["ministers"]] == [
        ("Todd McClay", 2),
        ("Damien O'Connor", 1),
    ]
    assert counts["years"] == [
        {"year": 2024, "release_count": 2},
        {"year": 2023, "release_count": 1},
        {"year": 2019, "release_count": 1},
    ]
    assert [(g.slug, g.release_count) for g in counts["governments"]] == [
        ("sixth-national", 3),
        ("sixth-labour", 1),
    ]


def test_search_combines_with_filters_and_other_orders(sample):
    """Search results take further filters and a date order like any queryset."""
    make("Bridge of old", "An old bridge.", date="1999-01-01")
    results = search(Release.objects.filter(date__year=1999), "bridge")
    assert [r.title for r in results] == ["Bridge of old"]
    by_date = search(Release.objects.all(), "bridge").order_by("date")
    assert by_date.first().title == "Bridge of old"


def test_saved_release_is_found_by_new_words_only():
    """After an admin edit, the new words find the release and the removed ones do not."""
    release = make("Bridge opens", "A new bridge.")
    release.title, release.body = "Tunnel opens", "A new tunnel."
    release.save()
    assert titles("tunnel") == ["Tunnel opens"]
    assert titles("bridge") == []
    assert_index_matches_releases()


def test_changed_links_and_renamed_names_are_searchable():
    """New ministers or portfolios, and a renamed minister, are found at once."""
    release = make("Mission abroad", ministers=["Damien O'Connor"])
    release.ministers.set([Minister.objects.create(name="Todd McClay", slug="todd-mcclay")])
    assert titles("McClay") == ["Mission abroad"]
    assert titles("O'Connor") == []
    minister = Minister.objects.get(slug="todd-mcclay")
    minister.name = "Hon Todd McClay"
    minister.save()
    assert titles("Hon") == ["Mission abroad"]
    minister.releases.clear()
    assert titles("McClay") == []
    assert_index_matches_releases()


def test_reimported_release_is_found_by_new_words_only(write):
    """A file changed since its last import is found by its new text, not its old."""
    path = write("a.md", release_text(title="Bridge opens", body="A bridge."))
    import_releases([path])
    assert titles("bridge") == ["Bridge opens"]
    write(
        "a.md", release_text(title="Tunnel opens", body="A tunnel.", ministers=["Hon Todd McClay"])
    )
    import_releases([path])
    assert titles("tunnel McClay") == ["Tunnel opens"]
    assert titles("bridge") == []
    assert_index_matches_releases()


def test_deleted_releases_disappear():
    """A release deleted one at a time or in bulk is no longer found."""
    one = make("Bridge one")
    make("Bridge two")
    make("Bridge three")
    one.delete()
    assert sorted(titles("bridge")) == ["Bridge three", "Bridge two"]
    Release.objects.filter(title="Bridge two").delete()
    assert titles("bridge") == ["Bridge three"]
    assert_index_matches_releases()


def assert_index_matches_releases():
    """On SQLite, FTS5 checks its index against the releases table word by word: it
    fails if a trigger that keeps the index current is missing (a migration that rebuilds
    the table drops them) or was fed the wrong old values."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('integrity-check', 1)"
            )


# Query -> a title that must be among the first three results, on the real sample.
RELEVANCE = [
    ("virtual trade mission Japan", "Trade Minister to lead first virtual trade mission to Japan"),
    ("Russian gold", "Imports of Russian gold banned"),
    ("gang patch ban", "First arrests made under gang patch ban"),
    ("weather radar Nelson", "New weather radar for Nelson Tasman region"),
    ("wild deer", "Government pilots wild deer control programme"),
    ("Efeso Collins", "PM shocked and saddened at death of Efeso Collins"),
    ("Invercargill airport", "Suspensory loan for Invercargill Airport"),
    ("Eden Park", "Minister welcomes Eden Park design"),
    ("North Korean nuclear test", "NZ strongly condemns North Korean nuclear test"),
    ("measles", "ACTION URGED ON MEASLES"),
    ("Maori tourism jobs", "More jobs in Māori tourism and regions"),
    ("fireworks", "Minister to discuss changes to fireworks"),
    ("Chatham Islands housing", "$2m for Chatham Islands Housing"),
    ("toothfish", "ANTARCTICA: TOOTHFISH"),
    ('"Hanmer Springs"', "Hanmer Springs gets funding boost"),
    (
        "UK free trade agreement",
        "Trade Minister to travel to UK and EU to progress free trade agreements",
    ),
]


def test_relevance_on_real_releases():
    """On the real sample, each query puts the release a reader expects in the top three."""
    import_releases([FIXTURES])
    misses = []
    for query, expected in RELEVANCE:
        top = titles(query)[:3]
        if expected not in top:
            misses.append(f"{query!r}: wanted {expected!r}, got {top}")
    assert not misses, "\n".join(misses)
