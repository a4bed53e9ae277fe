"""Search result snippets: a short excerpt of each release's body around the words that
matched, as safe HTML, from the engine's own excerpt (FTS5 snippet(), PostgreSQL
ts_headline()) in one query for a whole page."""

import html
import json
import re

from django.contrib.postgres.search import SearchHeadline
from django.db import connections, router
from django.utils.safestring import mark_safe

from .models import Release
from .search import FTS_TABLE, PG_CONFIG, parse, to_fts5, to_tsquery

# Private-use characters mark the matched words in the engines' excerpts; they survive
# HTML escaping untouched and only then become <mark> tags.
OPEN, CLOSE = "\ue000", "\ue001"
SNIPPET_WORDS = 30


def add_snippets(releases, query):
    """Give each release `snippet`: a short excerpt of its body as safe HTML, with the
    words that matched in <mark> and everything else escaped. One query for the lot.

    Pass a page's object_list: the same objects get the attribute, so the template sees it.
    """
    releases = list(releases)
    parsed = parse(query)
    excerpts = {}
    if releases and parsed.required:
        ids = [release.pk for release in releases]
        connection = connections[releases[0]._state.db or router.db_for_read(Release)]
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT rowid, snippet({FTS_TABLE}, 2, %s, %s, '…', %s) FROM {FTS_TABLE} "
                    f"WHERE {FTS_TABLE} MATCH %s AND rowid IN (SELECT value FROM json_each(%s))",
                    [OPEN, CLOSE, SNIPPET_WORDS, to_fts5(parsed), json.dumps(ids)],
                )
                excerpts = dict(cursor.fetchall())
        else:
            headline = SearchHeadline(
                "body",
                to_tsquery(parsed),
                config=PG_CONFIG,
                start_sel=OPEN,
                stop_sel=CLOSE,
                max_words=SNIPPET_WORDS,
                min_words=SNIPPET_WORDS // 2,
            )
            rows = Release.objects.using(connection.alias).filter(pk__in=ids)
            excerpts = dict(rows.annotate(excerpt=headline).values_list("pk", "excerpt"))
    for release in releases:
        release.snippet = _snippet_html(excerpts.get(release.pk) or "")
    return releases


# Markdown and raw HTML that would be noise in a one-line excerpt. An excerpt may end in the
# middle of a comment, an image or a link target, so those run to its end if unclosed
# (keeping the "…" that says the body goes on).
UNCLOSED = r"(?:(?=…$)|$)"
MARKUP = [
    re.compile(rf"<!--.*?(?:-->|{UNCLOSED})", re.DOTALL),  # HTML comments
    re.compile(rf"!\[[^\]]*\](?:\([^)]*?(?:\)|{UNCLOSED}))?"),  # images
    re.compile(rf"\]\([^)]*?(?:\)|{UNCLOSED})"),  # link targets and titles (the link text stays)
    re.compile(r"<[a-zA-Z/!][^>]*>"),  # raw HTML tags, which the page does not show either
    # Backslash escapes (of any ASCII punctuation), emphasis, headings, code.
    re.compile(r"\\(?=[!-/:-@\[-`{-~])|[*#`\[\]]+"),
]
MARKED = re.compile(f"{OPEN}([^{OPEN}{CLOSE}]*){CLOSE}")


def _snippet_html(excerpt):
    """Turn an engine's excerpt (Markdown, matches between OPEN and CLOSE) into safe HTML:
    everything escaped, then only balanced <mark> tags added."""
    for pattern in MARKUP:
        excerpt = pattern.sub("", excerpt)
    text = html.escape(" ".join(html.unescape(excerpt).split()), quote=False)
    text = MARKED.sub(r"<mark>\1</mark>", text)
    return mark_safe(text.replace(OPEN, "").replace(CLOSE, ""))
