"""Full-text search over releases: one API, SQLite FTS5 or PostgreSQL full-text search.

search(Release.objects.published(), q) narrows and ranks, best first; facets.py counts
the results by portfolio, minister, year and government; snippets.py adds the snippets.

One parser reads the query language people know from web search: words (all must match),
"quoted phrases", -excluded words or phrases, and OR between alternatives. It never fails:
whatever is typed becomes a plain structure, and each term reaches the database only as a
quoted FTS5 string or a phraseto_tsquery() parameter, never as query syntax.

Both engines fold diacritics ("Maori" finds "Māori") and stem English ("schools" finds
"school"). The title weighs most, then the ministers' and portfolios' names, then the body.
Both index a release's title, its search_names (its ministers' and portfolios' names) and
its body, and re-index any write to those columns themselves: SQLite with triggers on
releases_release, PostgreSQL with a generated search vector column. index_releases()
keeps search_names current; changes to a release's ministers or portfolios and renames
call it, and the importer writes search_names with each row.
"""

import dataclasses
import functools
import json
import operator
import re
import unicodedata

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import NotSupportedError, connections, router
from django.db.models import F, FloatField, Func, Value
from django.db.models.expressions import RawSQL

from .models import Release

__all__ = [
    "index_releases",
    "parse",
    "search",
    "search_titles",
    "to_fts5",
    "to_tsquery",
]

# Only this much of a query is read, so a pasted essay costs no more than a sentence: each
# term, alternatives included, is another pass over the index.
MAX_QUERY_CHARACTERS = 500
MAX_TERMS = 20

# SQLite: an FTS5 index of releases_release's title, search_names and body, whose rowid
# is the release id (migration 0006).
FTS_TABLE = "releases_release_fts"
# bm25() weights of its columns: title, ministers' and portfolios' names, body.
FTS_WEIGHTS = "10.0, 3.0, 1.0"
# And one of titles alone, for search_titles() (migration 0024).
TITLE_FTS_TABLE = "releases_release_title_fts"

# PostgreSQL: a generated tsvector column on releases_release, weighted A (title),
# B (names) and D (body), with a text search configuration that is 'english' plus unaccent.
PG_CONFIG = "beehive_english"
PG_WEIGHTS = [0.1, 0.2, 0.4, 1.0]  # D, C, B, A
PG_NORMALIZATION = 16  # divide by 1 + log(distinct words): long bodies do not win by bulk alone


# A term: an optional "-", then a "quoted phrase" (the closing quote may be missing) or a
# run of characters up to the next space or quote.
TERM = re.compile(r'(-?)(?:"([^"]*)"?|([^\s"]+))')
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f]")
WORD_CHARACTER = re.compile(r"[^\W_]")  # a letter or a digit: something both engines index
OPERATORS = ("OR", "AND", "NOT")  # in capitals, as web search engines read them
# Fullwidth and halfwidth forms, as some keyboards type them ("Ｐｉｋｅ"), and their plain
# letters, digits and punctuation. Only these: other compatibility forms are indexed as
# they are written, so "km²" or "World™" must stay as typed to be found.
WIDE_FORMS = {
    code: unicodedata.normalize("NFKC", chr(code))
    for code in (0x3000, *range(0xFF00, 0xFFF0))
    if unicodedata.decomposition(chr(code)).startswith(("<wide>", "<narrow>"))
}


@dataclasses.dataclass(frozen=True)
class ParsedQuery:
    """What a query asks for: each group in `required` must match at least one of its terms
    and no term in `excluded` may match. A term is a word or phrase as typed. `shortened`
    says that some of what was typed was left out, being past the limits."""

    required: tuple = ()
    excluded: tuple = ()
    shortened: bool = False


def parse(query):
    """Read a query typed by anyone into a ParsedQuery; never raises.

    'trade "free trade agreement" -Australia China OR Japan' requires "trade", the phrase and
    either "China" or "Japan", and excludes "Australia"; NOT before a term excludes it as a
    minus does. A bare AND is ignored (all words must match anyway); terms with no letter or
    digit are dropped. Only the first MAX_TERMS terms count, alternatives included.
    """
    text = str(query or "")
    shortened = len(text) > MAX_QUERY_CHARACTERS
    text = unicodedata.normalize("NFC", text[:MAX_QUERY_CHARACTERS].translate(WIDE_FORMS))
    text = CONTROL_CHARACTERS.sub(" ", text)  # a NUL would end FTS5's string, or break PostgreSQL
    required, excluded, alternative, negated = [], [], False, False
    for minus, phrase, word in TERM.findall(text):
        if not phrase and not minus and word in OPERATORS:
            alternative = word == "OR" and bool(required)
            negated = word == "NOT"
            continue
        term = phrase or word
        if not WORD_CHARACTER.search(term):
            continue
        if sum(map(len, required)) + len(excluded) == MAX_TERMS:
            shortened = True
            break
        if minus or negated:
            excluded.append(term)
        elif alternative:
            required[-1] += (term,)
        else:
            required.append((term,))
        alternative = negated = False
    return ParsedQuery(tuple(required), tuple(excluded), shortened)


def search(queryset, query):
    """Narrow a queryset of releases to those matching `query`, most relevant first.

    Each result carries `rank` (higher is more relevant), so `.order_by("-date")` and any
    further filter still work. A query without a single searchable word matches nothing.
    """
    parsed = parse(query)
    if not parsed.required:
        return _nothing(queryset)
    vendor = connections[queryset.db].vendor
    if vendor == "sqlite":
        matching = _fts5_match(queryset, FTS_TABLE, f"bm25({FTS_TABLE}, {FTS_WEIGHTS})", parsed)
    elif vendor == "postgresql":
        tsquery = to_tsquery(parsed)
        matching = (
            queryset.alias(document=_SearchDocument())
            .filter(document=tsquery)
            .annotate(
                rank=SearchRank(
                    F("document"), tsquery, weights=PG_WEIGHTS, normalization=PG_NORMALIZATION
                )
            )
        )
    else:
        raise NotSupportedError(f"Full-text search is not implemented for {vendor}.")
    return _most_relevant_first(matching)


def search_titles(queryset, words):
    """Narrow a queryset of releases to those with any of `words` in their title, most
    relevant first, each with `rank`: how related.py finds releases like another.

    From an index of titles alone (migration 0027): a title's word is in thousands of
    bodies, which the full index would read and rank. Words are quoted as search()'s
    terms are; those with no letter or digit are left out, and if none is left, no match.
    """
    parsed = ParsedQuery(required=(tuple(w for w in words if WORD_CHARACTER.search(w)),))
    if not parsed.required[0]:
        return _nothing(queryset)
    vendor = connections[queryset.db].vendor
    if vendor == "sqlite":
        matching = _fts5_match(queryset, TITLE_FTS_TABLE, f"bm25({TITLE_FTS_TABLE})", parsed)
    elif vendor == "postgresql":
        tsquery = to_tsquery(parsed)
        matching = (
            queryset.alias(title_document=_TitleVector("title"))
            .filter(title_document=tsquery)
            .annotate(rank=SearchRank(_TitleVector("title"), tsquery))
        )
    else:
        raise NotSupportedError(f"Full-text search is not implemented for {vendor}.")
    return _most_relevant_first(matching)


def _nothing(queryset):
    return queryset.none().annotate(rank=Value(0.0, output_field=FloatField()))


def _fts5_match(queryset, table, bm25, parsed):
    """SQLite: the releases an FTS5 table keyed by release id matches, `rank` its negated
    `bm25`. FTS5 ranks only in a query joining its table (a correlated subquery would
    recount every term's documents per row); the join is a filter so Django qualifies the
    id, even in subqueries, and its unary + has SQLite run the match once and look
    releases up by id (milliseconds), not probe the table once per release (seconds)."""
    return queryset.extra(
        select={"rank": f"-{bm25}"},
        tables=[table],
        where=[f"{table} MATCH %s"],
        params=[to_fts5(parsed)],
    ).filter(pk=RawSQL(f"+{table}.rowid", []))


def _most_relevant_first(matching):
    return matching.order_by("-rank", F("date").desc(nulls_last=True), "-pk")


def index_releases(ids, using=None):
    """Bring these releases' search_names (their ministers' and portfolios' names) up to
    date, and with it their entries in the search index.

    The databases index each release's title, search_names and body themselves whenever
    a row is written (SQLite with triggers, PostgreSQL with a generated column); names
    are the one thing a release's own row cannot know about, hence this function.
    Anything that changes links or names without the m2m_changed signal must call it.
    """
    ids = [int(pk) for pk in ids]
    if not ids:
        return
    connection = connections[using or router.db_for_write(Release)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_INDEX, [ids])
        elif connection.vendor == "sqlite":
            cursor.execute(SQLITE_INDEX, [json.dumps(ids)])
        else:
            raise NotSupportedError(f"Full-text search is not implemented for {connection.vendor}.")


def _names_sql(aggregate, release):
    """SQL for the names of the ministers and portfolios of the release `release`."""
    return f"""trim(
        coalesce((SELECT {aggregate}(m.name, ' ') FROM releases_release_ministers AS rm
                  JOIN releases_minister AS m ON m.id = rm.minister_id
                  WHERE rm.release_id = {release}.id), '')
        || ' ' ||
        coalesce((SELECT {aggregate}(p.name, ' ') FROM releases_release_portfolios AS rp
                  JOIN releases_portfolio AS p ON p.id = rp.portfolio_id
                  WHERE rp.release_id = {release}.id), ''))"""


# The update trigger re-indexes a row only if its names changed.
SQLITE_INDEX = f"""
    UPDATE releases_release SET search_names = {_names_sql("group_concat", "releases_release")}
    WHERE id IN (SELECT value FROM json_each(%s))
"""

# PostgreSQL recomputes the generated vector whenever a row is updated: rows whose names
# are unchanged are left alone.
PG_INDEX = f"""
    UPDATE releases_release AS r SET search_names = n.names
    FROM (SELECT r.id, {_names_sql("string_agg", "r")} AS names
          FROM releases_release AS r WHERE r.id = ANY(%s)) AS n
    WHERE r.id = n.id AND r.search_names IS DISTINCT FROM n.names
"""


class _SearchDocument(Func):
    """PostgreSQL: the releases table's tsvector column, qualified with whatever alias the
    query gives that table. It is not a model field, so Django never loads it with a row."""

    output_field = SearchVectorField()

    def __init__(self):
        super().__init__(F("pk"))

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(self.source_expressions[0].alias)
        return f'{table}."search_document"', []


class _TitleVector(Func):
    """PostgreSQL: a title's tsvector, written exactly as migration 0024 indexes it."""

    template = f"to_tsvector('{PG_CONFIG}'::regconfig, %(expressions)s)"
    output_field = SearchVectorField()


def to_fts5(parsed):
    """The FTS5 expression: each term a quoted string, so FTS5 reads no operator, column
    filter or prefix in it, only words (a quoted string of several words is a phrase)."""

    def quoted(term):
        return '"' + term.replace('"', '""') + '"'

    groups = ("(" + " OR ".join(map(quoted, group)) + ")" for group in parsed.required)
    return " AND ".join(groups) + "".join(f" NOT {quoted(term)}" for term in parsed.excluded)


def to_tsquery(parsed):
    """The tsquery: each term through phraseto_tsquery(), which takes any text as a
    parameter and keeps a phrase's word order; the terms are combined with &, | and !."""

    def phrase(term):
        return SearchQuery(term, config=PG_CONFIG, search_type="phrase")

    groups = (functools.reduce(operator.or_, map(phrase, group)) for group in parsed.required)
    tsquery = functools.reduce(operator.and_, groups)
    for term in parsed.excluded:
        tsquery &= ~phrase(term)
    return tsquery
