"""Related releases: a few published releases in the same portfolio whose titles share
words with a release's title, found by the index of titles (search.search_titles()) in
one query.

A title says what a release is about in a few words; its body would bring hundreds, most
of them said in every release. The title's words, less the stop words below and the words
of the portfolio's name, become one OR-search of the portfolio's titles, ranked: the
releases sharing the most words come first (and on SQLite, whose bm25() weighs a word by
its rarity, those sharing the rarest).
"""

import re
import unicodedata

from .models import Release
from .search import WIDE_FORMS, search_titles

__all__ = ["distinctive_words", "related"]

# English words too common to say what a release is about, and the words the archive's
# titles use most whatever their subject (each in a few hundred to 8,000 of its 55,000
# titles, like "minister", "new" or "welcomes"). Topics common in titles ("health",
# "trade") stay, except in a portfolio named for them (see related()).
STOP_WORDS = frozenset(
    """
    a about after again against all also am an and any are as at be been before being
    between both but by can could did do does doing during each few for from further had
    has have having he her here hers him his how i if in into is it its itself just me more
    most my no nor not now of off on once only or other our ours out over own same she
    should so some such than that the their theirs them then there these they this those
    through to too under until up very was we were what when where which while who whom
    why will with would you your yours us
    minister ministers government govt nz new zealand zealanders pm prime support supports
    welcome welcomes welcomed announced announces announcement funding fund boost first
    report board appointed appointment appointments million billion released release
    review visit visits help changes change plan says statement speech update bill passes
    passed reading introduced amendment work working people year years day week time today
    better good great strong major key big top open opens launch launched launches get gets
    take takes make makes making made action future world programme service services
    sector public national international high next step steps one two three second third
    back set need continue continues begins start show shows success record extra package
    underway delivers positive closer sought moves calls receive
    """.split()
)
PLAIN_WORD = re.compile(r"[^\W_]+")  # letters and digits: a word to both engines
# A long title's words are ranked by length, longest first: on the whole the longer a word,
# the rarer it is, and every word searched for is another pass over the index.
MAX_WORDS = 6


def distinctive_words(title, common=""):
    """The words of `title` worth searching for, at most MAX_WORDS: each once, no stop
    word, no word of `common` (text whose words are common where the search looks), no
    number, none of a single letter; the longest ones when there are more."""
    skip = STOP_WORDS | set(map(str.casefold, PLAIN_WORD.findall(readable(common))))
    words = dict.fromkeys(  # each once, in title order, which sorted() keeps for a tie
        word
        for word in map(str.casefold, PLAIN_WORD.findall(readable(title)))
        if len(word) > 1 and not word.isdigit() and word not in skip
    )
    return sorted(words, key=len, reverse=True)[:MAX_WORDS]


def readable(title):
    """The title as search reads a query (search.parse): composed, and any fullwidth
    letters ("Ｔｒａｄｅ") as plain ones, which the index holds."""
    return unicodedata.normalize("NFC", (title or "").translate(WIDE_FORMS))


def related(release, limit=5):
    """Up to `limit` published releases whose titles share words with `release`'s, in its
    primary portfolio (in any portfolio when it has none), best match first; never the
    release itself. `release` is loaded as for_page() loads it (its portfolios and which
    of them is primary).

    One query; none for a title without a word worth searching for, which has nothing
    related. Only title, slug and date are loaded: what the list shows."""
    releases = Release.objects.published().exclude(pk=release.pk).only("title", "slug", "date")
    portfolio = next(
        (p for p in release.portfolios.all() if p.pk == release.primary_portfolio_id), None
    )
    if portfolio:
        releases = releases.for_any_portfolio([portfolio])
    # The portfolio's name is in its titles everywhere ("Health" in 1,400 of Health's
    # 4,300): searching for it would rank most of the portfolio, for nothing.
    words = distinctive_words(release.title, common=portfolio.name if portfolio else "")
    if not words:
        return []
    return list(search_titles(releases, words)[:limit])
