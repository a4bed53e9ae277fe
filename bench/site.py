"""Server time of the public pages with the full real corpus loaded.

    python bench/site.py [--corpus PATH] [--databases sqlite postgres] [--runs N] [--reuse]

For each database: a fresh schema and `load_releases CORPUS` (as in bench/imports.py, each
step its own manage.py process with production settings), then one more process that
renders each page in-process with django.test.Client, DEBUG off: a few warm-up requests,
then the median of --runs timed ones, and the number of queries. Every kind of public
page is measured (pages, search, A-Z indexes, feeds, sitemaps, robots.txt, the old-address
redirect), with no cache, and each is held to issue 13's target: a median of at most
50 ms. Results print as a table and are saved to bench/results/site.json.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from imports import DEFAULT_CORPUS, ROOT, fresh, manage, run_script

POSTGRES = "postgres://postgres@127.0.0.1:5432/beehive_site_bench"
TARGET_MS = 50
SEED = "trade-minister-lead-first-virtual-trade-mission-japan-0"
# Every kind of public page, each held to issue 13's target. name: (address, status).
PAGES = {
    "home": ("/", 200),
    "release list": ("/releases/", 200),
    "release list, page 2000": ("/releases/?page=2000", 200),
    "release list, filtered": (
        "/releases/?portfolio=health&portfolio=education&government=fifth-labour&year=2005",
        200,
    ),
    # Whole search pages, rendered (bench/search.py times the search itself). With filters
    # in use, each such facet is counted again without its own filter.
    "search, one word (housing)": ("/releases/?q=housing", 200),
    "search with a minister": ("/releases/?q=housing&minister=phil-twyford", 200),
    "search with four filters": (
        "/releases/?q=housing&minister=phil-twyford&portfolio=housing"
        "&government=sixth-labour&year=2018",
        200,
    ),
    "release": (f"/releases/{SEED}/", 200),
    # A recent one: its next release in the portfolio is near the end of the date index.
    "release, recent (Agriculture)": ("/releases/todd-mcclay-lead-large-trade-mission-china/", 200),
    "portfolios A-Z": ("/portfolios/", 200),
    "portfolio (Trade and Export Growth)": ("/portfolios/trade-and-export-growth/", 200),
    "portfolio (Health, the largest)": ("/portfolios/health/", 200),
    "ministers A-Z": ("/ministers/", 200),
    "minister (Damien O'Connor)": ("/ministers/damien-oconnor/", 200),
    "minister with year (Damien O'Connor, 2021)": ("/ministers/damien-oconnor/?year=2021", 200),
    "governments": ("/governments/", 200),
    "government (Fifth Labour)": ("/governments/fifth-labour/", 200),
    "RSS feed": ("/releases/feed/", 200),
    "Atom feed": ("/releases/feed/atom/", 200),
    "portfolio RSS feed (Health)": ("/portfolios/health/feed/", 200),
    "minister Atom feed (Damien O'Connor)": ("/ministers/damien-oconnor/feed/atom/", 200),
    "sitemap index": ("/sitemap.xml", 200),
    "sitemap of the home page and indexes": ("/sitemap-pages.xml", 200),
    "sitemap of releases, first page (full)": ("/sitemap-releases.xml?p=1", 200),
    "sitemap of portfolios": ("/sitemap-portfolios.xml", 200),
    "sitemap of ministers": ("/sitemap-ministers.xml", 200),
    "sitemap of governments": ("/sitemap-governments.xml", 200),
    "robots.txt": ("/robots.txt", 200),
    "old address (redirect)": (f"/release/{SEED}", 301),
}


def measure(runs):
    """In this process, with Django set up from the environment: time every page."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    results = {}
    for name, (url, status) in PAGES.items():
        # secure=True: with DEBUG off the site redirects plain HTTP to HTTPS.
        for _ in range(3):
            response = client.get(url, secure=True)
            if response.status_code != status:
                sys.exit(f"{url} answered {response.status_code}, not {status}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url, secure=True)
        # Count now: the log is read lazily and each request clears it.
        query_count = len(queries)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(url, secure=True)
            times.append((time.perf_counter() - started) * 1000)
        results[name] = {
            "url": url,
            "median_ms": round(statistics.median(times), 1),
            "min_ms": round(min(times), 1),
            "queries": query_count,
        }
    print(json.dumps(results))


def measure_in_subprocess(database_url, runs):
    # Every page built, none served from the page cache (releases/caching.py): issue 13's
    # 50 ms is for pages uncached. bench/load.py measures them cached.
    os.environ["CACHE_URL"] = "dummy://"
    return run_script(__file__, database_url, "--measure", "--runs", str(runs))


def analyze(database_url):
    """Give the query planner statistics, as an operator would after a bulk load.

    Without them SQLite guesses, and drives a portfolio's count from the whole release
    index instead of the portfolio's links; PostgreSQL autovacuum would do this by itself,
    but it is off on this machine, and VACUUM also lets counts read only the index.
    """
    command = "VACUUM ANALYZE" if database_url.startswith("postgres") else "ANALYZE"
    manage(
        database_url,
        "shell",
        "-c",
        f"from django.db import connection; connection.cursor().execute('{command}')",
    )


def has_releases(database_url):
    """Whether the database already holds the corpus (for --reuse)."""
    try:
        _, _, out = manage(
            database_url,
            "shell",
            "-c",
            "from releases.models import Release; print(Release.objects.count())",
        )
    except SystemExit:
        return False
    return out.strip().splitlines()[-1] == "55167"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument(
        "--reuse", action="store_true", help="Keep a database that already holds the corpus."
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        return measure(options.runs)
    if not options.corpus.exists():
        sys.exit(f"No corpus at {options.corpus}")

    workdir = Path(tempfile.gettempdir()) / "beehive-site-bench"
    workdir.mkdir(exist_ok=True)
    urls = {"sqlite": f"sqlite:///{workdir / 'site.sqlite3'}", "postgres": POSTGRES}
    # With DEBUG off, templates ask the manifest storage for static files' hashed names.
    manage(urls[options.databases[0]], "collectstatic", "--noinput", "-v0")
    results = {}
    for name in options.databases:
        url = urls[name]
        if not (options.reuse and has_releases(url)):
            print(f"{name}: loading {options.corpus.name} …", flush=True)
            fresh(url)
            manage(url, "load_releases", str(options.corpus), "-v0")
        else:
            manage(url, "migrate", "--noinput", "-v0")
        analyze(url)
        print(f"{name}: measuring …", flush=True)
        results[name] = measure_in_subprocess(url, options.runs)

    names = list(options.databases)
    print()
    print("| page | " + " | ".join(f"{n} median (queries)" for n in names) + " |")
    print("|---|" + "---|" * len(names))
    for page in PAGES:
        cells = []
        for n in names:
            row = results[n][page]
            flag = " ✗" if row["median_ms"] > TARGET_MS else ""
            cells.append(f"{row['median_ms']} ms ({row['queries']}){flag}")
        print(f"| {page} | " + " | ".join(cells) + " |")
    print(f"\nEvery page is held to the {TARGET_MS} ms target; ✗ marks a miss.")
    out = ROOT / "bench" / "results" / "site.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"target_ms": TARGET_MS, "results": results}, indent=2) + "\n")
    print(f"Saved to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
