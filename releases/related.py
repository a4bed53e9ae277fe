"""Related releases: a few published releases in the same portfolio that share words with
a release's title, found by the search index (search.py) in one query.

A title says what a release is about in a few words; its body would bring hundreds, most
of them said in every release. The title's words, less the stop words below, become one
OR-search, which ranks the releases holding the most of the rarer words first (SQLite's
bm25 weighs a word by its rarity; both engines weigh a title above names and body).
"""

import unicodedata

from .models import Release
from .search import PLAIN_WORD, WIDE_FORMS, search_titles

__all__ = ["distinctive_words", "related"]

# English words too common to say what a release is about, and the words that the titles of
# the archive use most whatever their subject (each in more than about 500 of its 55,000
# titles, like "minister", "new" or "welcomes"). Topics common in titles ("health",
# "trade") stay: the portfolio narrows them, and the ranking does the rest.
STOP_WORDS = frozenset(
    """
    a about after again against all also am an and any are as at be been before being
    between both but by can could did do does doing during each few for from further had
    has have having he her here hers him his how i if in into is it its itself just me more
    most my no nor not now of off on once only or other our ours out over own same she
    should so some such than that the their theirs them then there these they this those
    through to too under until up very was we were what when where which while who whom
    why will with would you your yours us
    minister ministers government govt nz new zealand zealanders pm prime support welcomes
    welcomed announced announces announcement funding boost first report board appointed
    appointment appointments million released review visit help changes plan says statement
    speech update
    """.split()
)
# A long title's words are ranked by length, longest first: on the whole the longer a word,
# the rarer it is, and every word searched for is another pass over the index.
MAX_WORDS = 8


def distinctive_words(title):
    """The words of `title` worth searching for, at most MAX_WORDS: each once, no stop
    word, no number, none of a single letter; the longest ones when there are more."""
    words = dict.fromkeys(  # each once, in title order, which sorted() keeps for a tie
        word
        for word in map(str.casefold, PLAIN_WORD.findall(readable(title)))
        if len(word) > 1 and not word.isdigit() and word not in STOP_WORDS
    )
    return sorted(words, key=len, reverse=True)[:MAX_WORDS]


def readable(title):
    """The title as search reads a query (search.parse): composed, and any fullwidth
    letters ("Ｔｒａｄｅ") as plain ones, which the index holds."""
    return unicodedata.normalize("NFC", (title or "").translate(WIDE_FORMS))


def related(release, limit=5):
    """Up to `limit` published releases that share words with `release`'s title, in its
    primary portfolio (in any portfolio when it has none), best match first; never the
    release itself. `release` is loaded as for_page() loads it (with primary_portfolio_id).

    One query; none for a title without a word worth searching for, which has nothing
    related. Only title, slug and date are loaded: what the list shows."""
    words = distinctive_words(release.title)
    if not words:
        return []
    releases = Release.objects.published().exclude(pk=release.pk).only("title", "slug", "date")
    if release.primary_portfolio_id:
        releases = releases.for_any_portfolio([release.primary_portfolio_id])
    return list(search_titles(releases, words)[:limit])
