"""Search speed on the full real corpus, against a plain icontains scan of title and body.

    python bench/search.py [--corpus PATH] [--databases sqlite postgres] [--reuse]

For each database: load the corpus with `load_releases` into a fresh database (a temporary
SQLite file; the PostgreSQL database beehive_search_bench), then, in one process with
production settings, time what a page of search results costs: the count, the first 20
results (from the list page's queryset) with their snippets and, for one-word queries, the
facets (whose total the page shows as its number of results, and whose statement picks the
page's ids on PostgreSQL, as views.filtered_page does).
The same page is then built with icontains over title and body (no snippets, so the
comparison favours it).
Medians after a warm-up run; PostgreSQL is vacuumed and analysed after the load, as
autovacuum would be. Results print as a table and are saved to bench/results/search.json.
--reuse skips the load when the databases are already full.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from imports import DEFAULT_CORPUS, ROOT, fresh, manage, save_results

POSTGRES = "postgres://postgres@127.0.0.1:5432/beehive_search_bench"
SQLITE = Path(tempfile.gettempdir()) / "beehive-search-bench.sqlite3"
ONE_WORD = ["housing", "Maori", "tourism"]
THREE_WORDS = ["virtual trade mission", "mental health services", "free trade agreement"]
LIMITS_MS = {1: 50, 3: 100}
RUNS = 7
SCAN_RUNS = 3  # a scan takes seconds: fewer runs


def measure():
    """Run in a child process whose DATABASE_URL names the database: print the timings."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beehive.settings")
    import django

    django.setup()
    from django.db.models import Q

    from releases.facets import facets
    from releases.models import Release
    from releases.search import search
    from releases.snippets import add_snippets

    def listed():
        """The releases the list page starts from (views.release_list)."""
        return Release.objects.published().for_listing()

    def results_page(query, words):
        build_page(search(listed(), query), words, lambda page: add_snippets(page, query))

    def scan_page(query, words):
        results = listed()
        for word in query.split():
            results = results.filter(Q(title__icontains=word) | Q(body__icontains=word))
        build_page(results, words, list)

    def build_page(results, words, show):
        """As the list page does (views.filtered_page): with facets, their total is the
        number of results, and on PostgreSQL the same statement picks the page's ids."""
        page = results[:20]
        if words == 1:
            found = facets(results, page=slice(0, 20))
            if found["page"] is not None:
                page = results.filter(pk__in=found["page"])
        else:
            results.count()
        show(page)

    def median_ms(page, query, words, runs):
        page(query, words)  # warm-up: caches, prepared plans
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            page(query, words)
            times.append(time.perf_counter() - started)
        return round(statistics.median(times) * 1000, 1)

    rows = []
    for words, queries in ((1, ONE_WORD), (3, THREE_WORDS)):
        for query in queries:
            search_ms = median_ms(results_page, query, words, RUNS)
            scan_ms = median_ms(scan_page, query, words, SCAN_RUNS)
            count = search(Release.objects.published(), query).count()
            rows.append(
                {
                    "query": query,
                    "words": words,
                    "results": count,
                    "search_ms": search_ms,
                    "icontains_ms": scan_ms,
                    "ratio": round(scan_ms / search_ms, 1),
                    "limit_ms": LIMITS_MS[words],
                }
            )
    print(json.dumps(rows))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--reuse", action="store_true", help="Use the databases as they are.")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        return measure()
    if not options.corpus.exists():
        sys.exit(f"No corpus at {options.corpus}")

    urls = {"sqlite": f"sqlite:///{SQLITE}", "postgres": POSTGRES}
    results = {}
    for name in options.databases:
        url = urls[name]
        if not options.reuse:
            print(f"{name}: loading {options.corpus.name} …", flush=True)
            fresh(url)
            manage(url, "load_releases", str(options.corpus), "-v0")
            if name == "postgres":
                # What autovacuum does to every table some time after a bulk load (this
                # machine's server runs with it off): without statistics the planner scans
                # every release instead of using the search index, and without a visibility
                # map the facets read the link tables' rows as well as their indexes.
                psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", url.rsplit("/", 1)[1]]
                subprocess.run([*psql, "-qc", "VACUUM ANALYZE"], check=True)
        else:
            manage(url, "migrate", "--noinput", "-v0")  # the code may have moved on
        print(f"{name}: timing searches …", flush=True)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": "benchmark-only",
            "ALLOWED_HOSTS": "localhost",
        }
        child = subprocess.run(
            [sys.executable, __file__, "--measure"], env=env, capture_output=True, text=True
        )
        if child.returncode:
            sys.exit(f"Timing on {name} failed:\n{child.stderr[-3000:]}")
        results[name] = json.loads(child.stdout.splitlines()[-1])

    print()
    print("| database | query | results | search page | icontains page | ratio | target |")
    print("|---|---|---|---|---|---|---|")
    for name, rows in results.items():
        for row in rows:
            within = "ok" if row["search_ms"] <= row["limit_ms"] else "SLOW"
            print(
                f"| {name} | {row['query']}{' + facets' if row['words'] == 1 else ''} | "
                f"{row['results']:,} | {row['search_ms']} ms | {row['icontains_ms']} ms | "
                f"{row['ratio']}x | ≤ {row['limit_ms']} ms {within} |"
            )
    save_results("search", results)


if __name__ == "__main__":
    main()
