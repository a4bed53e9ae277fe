"""Counts of a list of releases (search results or any other) by portfolio, minister, year
and government, in one statement, which on PostgreSQL also picks the ids of a page of them."""

import collections

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F
from django.db.models.expressions import OrderBy

from .models import Government, Minister, Portfolio

FACETS = ("portfolios", "ministers", "years", "governments")


def facets(queryset, limit=10, kinds=FACETS, page=None):
    """Count the releases of a queryset (search results or any list) by portfolio, minister,
    year and government, or only by the `kinds` of those asked for.

    Returns {"portfolios": [...], "ministers": [...], "years": [...], "governments": [...],
    "total": n}. Portfolios and ministers (the `limit` commonest) and governments are model
    instances with `release_count` (every one counted if `limit` is None); years are
    {"year": 2021, "release_count": 12} dicts, newest first. Anything with no release in
    the queryset is left out. `total` counts every release in the queryset, with or
    without a date: a paginator can use it instead of counting the same search again.

    `page`, a slice of the queryset in its own order, also gives "page": the ids of those
    releases, in no order (the queryset narrowed to them orders them again), or None where
    the statement does not pick them (on SQLite, or in an order _order_sql() cannot follow).
    """
    # One statement (see _facet_counts_sql): three queries over a list of ids passed back
    # in cost twice as much for a broad search. On PostgreSQL the page's ids come from the
    # same matches, which saves reading them again (a broad search's SQL 45 -> 40 ms);
    # SQLite's FTS5 then ranks every match in the statement, and the page's twenty
    # still run the match: 20 ms against 16, so it searches again instead.
    vendor = connections[queryset.db].vendor
    order, ordered_by = _order_sql(queryset) if page and vendor == "postgresql" else (None, ())
    # A search's rank only if the page is ordered by it: each match would be ranked for nothing.
    columns = ["pk", "date", *(["rank"] if "rank" in ordered_by else [])]
    try:
        found, params = queryset.order_by().values(*columns).query.sql_with_params()
    except EmptyResultSet:  # queryset.none(), e.g. a query without a searchable word
        rows = []
    else:
        sql = _facet_counts_sql(vendor, kinds)
        if order:
            sql += f""" UNION ALL SELECT 'page', pk, NULL FROM
                (SELECT pk FROM found ORDER BY {order} LIMIT %s OFFSET %s) AS page"""
            params = (*params, page.stop - page.start, page.start)
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(sql.format(found=found), params)
            rows = cursor.fetchall()
    counts = collections.defaultdict(dict)
    for kind, key, count in rows:
        counts[kind][key] = count

    def commonest(model, counted):
        # Only the records that can make the top `limit` (ties included) are fetched.
        enough = sorted(counted.values(), reverse=True)[:limit]
        cutoff = enough[-1] if enough else 0
        records = model.objects.using(queryset.db).in_bulk(
            [pk for pk, n in counted.items() if n >= cutoff]
        )
        for pk, record in records.items():
            record.release_count = counted[pk]
        return sorted(records.values(), key=lambda r: (-r.release_count, r.name))[:limit]

    result = {"total": counts["total"].get(None, 0)}
    if page:
        result["page"] = list(counts["page"]) if order else None
    if "portfolios" in kinds:
        result["portfolios"] = commonest(Portfolio, counts["portfolios"])
    if "ministers" in kinds:
        result["ministers"] = commonest(Minister, counts["ministers"])
    if "years" in kinds:
        years = sorted(counts["years"].items(), reverse=True)
        result["years"] = [{"year": year, "release_count": n} for year, n in years]
    if "governments" in kinds:
        result["governments"] = []
        for government in Government.objects.using(queryset.db).all():
            if government.pk in counts["governments"]:
                government.release_count = counts["governments"][government.pk]
                result["governments"].append(government)
    return result


def _order_sql(queryset):
    """The queryset's order as SQL over the columns facets() finds (pk, date and a search's
    rank), and the names of those it orders by; (None, ()) if it orders by anything else."""
    query = queryset.query
    terms = query.order_by or (queryset.model._meta.ordering if query.default_ordering else ())
    sql, names = [], []
    for term in terms:
        if isinstance(term, str):
            term = F(term.removeprefix("-")).desc() if term.startswith("-") else F(term).asc()
        name = getattr(term.expression, "name", None) if isinstance(term, OrderBy) else None
        name = "pk" if name == "id" else name
        if name not in ("pk", "date", "rank"):
            return None, ()
        nulls = " NULLS LAST" if term.nulls_last else " NULLS FIRST" if term.nulls_first else ""
        sql.append(f"found.{name} {'DESC' if term.descending else 'ASC'}{nulls}")
        names.append(name)
    return ", ".join(sql) or None, tuple(names)


def _facet_counts_sql(vendor, kinds):
    """One statement that finds the releases once, then counts them by portfolio, by
    minister, by year and by government (those of them in `kinds`), and in all: rows of
    (kind, key, count).

    Each engine is told how to reach the links of the releases found: SQLite loops over
    them and looks each one's links up (CROSS JOIN keeps it from reading every link and
    looking for its release among them); PostgreSQL fetches them all in one index scan for
    an array of ids, where its own choice, hashing every link of each kind, took twice as
    long. Years and governments are counted here too: sending a row per distinct date to
    be added up in Python cost about 3 of the 20 ms of a broad search's facets."""

    def by(kind, table, column):
        if vendor == "postgresql":
            links = f"{table} AS link WHERE link.release_id = ANY(ARRAY(SELECT pk FROM found))"
        else:
            links = f"found CROSS JOIN {table} AS link WHERE link.release_id = found.pk"
        return f"SELECT '{kind}', link.{column}, count(*) FROM {links} GROUP BY link.{column}"

    if vendor == "postgresql":
        year = "CAST(extract(year FROM found.date) AS integer)"
    else:
        year = "CAST(strftime('%%Y', found.date) AS integer)"  # %% : the SQL takes parameters
    counts = {
        "portfolios": by("portfolios", "releases_release_portfolios", "portfolio_id"),
        "ministers": by("ministers", "releases_release_ministers", "minister_id"),
        "years": f"""SELECT 'years', {year}, count(*) FROM found
            WHERE found.date IS NOT NULL GROUP BY {year}""",
        # The range ReleaseQuerySet.in_government() selects: start included, end excluded.
        "governments": """SELECT 'governments', government.id, count(*)
            FROM found JOIN releases_government AS government
                ON found.date >= government.start_date
                AND (government.end_date IS NULL OR found.date < government.end_date)
            GROUP BY government.id""",
    }
    selects = [counts[kind] for kind in kinds]
    selects.append("SELECT 'total', NULL, count(*) FROM found")
    return f"WITH found AS MATERIALIZED ({{found}}) {' UNION ALL '.join(selects)}"
