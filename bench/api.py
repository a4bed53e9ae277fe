"""Server time of the API and the CSV download with the full real corpus loaded.

    python bench/api.py [--corpus PATH] [--databases sqlite postgres] [--runs N] [--reuse]

For each database, a database of its own: with --reuse, a copy of bench/site.py's (which
is never written to: SQLite's copied with .backup, PostgreSQL's as a TEMPLATE), else a
fresh one loaded with `load_releases CORPUS`; then migrated and analysed. Then, as in
bench/site.py, a process with production settings and no page cache (CACHE_URL=dummy://)
times each API address in-process with django.test.Client: the median of --runs requests
after a few warm-up ones, and the queries each costs. Issue 15's targets: a 100-release page
at most 50 ms, a filtered and searched one at most 80 ms. Another process streams the
whole archive's CSV once and reports releases a second (target at least 5,000) and its
own peak memory (target under 200 MB). Results print as a table and are saved to
bench/results/api.json.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from imports import DEFAULT_CORPUS, ROOT, fresh, manage, run_script

SITE_SQLITE = Path(tempfile.gettempdir()) / "beehive-site-bench" / "site.sqlite3"
SITE_POSTGRES = "beehive_site_bench"
POSTGRES = "postgres://postgres@127.0.0.1:5432/beehive_api_bench"
SEED = "trade-minister-lead-first-virtual-trade-mission-japan-0"
CSV_RELEASES_A_SECOND = 5000
CSV_PEAK_MB = 200
# name: (address, target in ms)
PAGES = {
    "releases, 100 a page": ("/api/releases/?page_size=100", 50),
    "releases, 100 a page, page 500": ("/api/releases/?page_size=100&page=500", 50),
    "releases, filtered": (
        "/api/releases/?page_size=100&portfolio=health&government=fifth-labour&year=2005",
        80,
    ),
    "releases, searched and filtered": (
        "/api/releases/?page_size=100&q=housing&minister=phil-twyford&year=2018",
        80,
    ),
    "releases, searched (housing)": ("/api/releases/?page_size=100&q=housing", 80),
    "releases, fields=id,slug,modified": (
        "/api/releases/?page_size=100&fields=id,slug,modified",
        50,
    ),
    "sync, 100 changes": ("/api/releases/?modified_since=2000-01-01T00:00:00Z&page_size=100", 50),
    "release": (f"/api/releases/{SEED}/", 50),
    "ministers, 100 a page": ("/api/ministers/?page_size=100", 50),
    "portfolios, 100 a page": ("/api/portfolios/?page_size=100", 50),
    "governments": ("/api/governments/", 50),
    # Not the API: the site's own list, which bench/site.py holds to 50 ms, timed in the same
    # run, to tell a slow API from a busy machine.
    "site's /releases/ page (reference)": ("/releases/", 50),
}


def measure(runs):
    """In this process, with Django set up from the environment: time every address."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    results = {}
    for name, (url, _) in PAGES.items():
        # secure=True: with DEBUG off the site redirects plain HTTP to HTTPS.
        for _ in range(3):
            response = client.get(url, secure=True)
            if response.status_code != 200:
                sys.exit(f"{url} answered {response.status_code}: {response.content[:300]}")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, secure=True)
        query_count = len(queries)
        items = None
        if response["Content-Type"] == "application/json":
            data = response.json()
            items = len(data if isinstance(data, list) else data.get("results", [data]))
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
            "items": items,
        }
    print(json.dumps(results))


def measure_csv():
    """In this process: stream the whole archive's CSV once, reading it as a client would."""
    import django

    django.setup()
    from django.test import Client

    response = Client(HTTP_HOST="localhost").get("/releases/csv/", secure=True)
    started = time.perf_counter()
    size = lines = anonymous = 0
    for piece in response.streaming_content:
        size += len(piece)
        lines += piece.count(b"\r\n")
        anonymous = max(anonymous, _anonymous_kib())
    seconds = time.perf_counter() - started
    rows = lines - 1  # the header; a body's own line breaks are not in the CSV
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": round(seconds, 2),
                "releases_a_second": round(rows / seconds),
                "megabytes": round(size / 1e6, 1),
                "peak_mb": round(peak_mb),
                "peak_anonymous_mb": round(anonymous / 1024),
            }
        )
    )


def _anonymous_kib():
    """This process's memory of its own (RssAnon), read after each piece of the CSV. The
    peak resident size also counts the database file's pages that SQLite maps
    (mmap_size in settings), which the kernel may drop at any time."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    return 0


def copy_site_database(name, url):
    """A copy of bench/site.py's database, which this never writes to."""
    if name == "sqlite":
        target = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        subprocess.run(["sqlite3", str(SITE_SQLITE), f".backup {target}"], check=True)
    else:
        own = url.rsplit("/", 1)[1]
        for sql in (
            f"DROP DATABASE IF EXISTS {own}",
            f"CREATE DATABASE {own} TEMPLATE {SITE_POSTGRES}",
        ):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)


def site_database_exists(name):
    if name == "sqlite":
        return SITE_SQLITE.exists()
    found = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc",
         f"SELECT 1 FROM pg_database WHERE datname = '{SITE_POSTGRES}'"],
        capture_output=True, text=True,
    )  # fmt: skip
    return found.stdout.strip() == "1"


def analyze(database_url):
    """Planner statistics, as bench/site.py gives them (see its analyze())."""
    command = "VACUUM ANALYZE" if database_url.startswith("postgres") else "ANALYZE"
    manage(
        database_url,
        "shell",
        "-c",
        f"from django.db import connection; connection.cursor().execute('{command}')",
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument(
        "--reuse", action="store_true", help="Copy bench/site.py's loaded databases."
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure-csv", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        return measure(options.runs)
    if options.measure_csv:
        return measure_csv()

    workdir = Path(tempfile.gettempdir()) / "beehive-api-bench"
    workdir.mkdir(exist_ok=True)
    urls = {"sqlite": f"sqlite:///{workdir / 'api.sqlite3'}", "postgres": POSTGRES}
    # With DEBUG off, the reference page's template asks for static files' hashed names.
    manage(urls[options.databases[0]], "collectstatic", "--noinput", "-v0")
    results = {}
    for name in options.databases:
        url = urls[name]
        if options.reuse and site_database_exists(name):
            print(f"{name}: copying bench/site.py's database …", flush=True)
            copy_site_database(name, url)
            manage(url, "migrate", "--noinput", "-v0")
        else:
            if not options.corpus.exists():
                sys.exit(f"No corpus at {options.corpus}")
            print(f"{name}: loading {options.corpus.name} …", flush=True)
            fresh(url)
            manage(url, "load_releases", str(options.corpus), "-v0")
        analyze(url)
        print(f"{name}: measuring …", flush=True)
        os.environ["CACHE_URL"] = "dummy://"  # every answer built, none from the cache
        results[name] = {
            "pages": run_script(__file__, url, "--measure", "--runs", str(options.runs)),
            "csv": run_script(__file__, url, "--measure-csv"),
        }

    load = os.getloadavg()
    print(f"\nLoad average at the end (1, 5, 15 min): {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}")
    names = list(options.databases)
    print()
    print("| address | target | " + " | ".join(f"{n} median (queries)" for n in names) + " |")
    print("|---|---|" + "---|" * len(names))
    for page, (_, target) in PAGES.items():
        cells = []
        for n in names:
            row = results[n]["pages"][page]
            flag = " ✗" if row["median_ms"] > target else ""
            cells.append(f"{row['median_ms']} ms ({row['queries']}){flag}")
        print(f"| {page} | ≤ {target} ms | " + " | ".join(cells) + " |")
    print()
    print("| full-archive CSV | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for label, key, unit in (
        ("rows", "rows", ""),
        ("releases a second (≥ 5,000)", "releases_a_second", ""),
        ("seconds", "seconds", " s"),
        ("size", "megabytes", " MB"),
        ("peak memory (< 200 MB)", "peak_mb", " MB"),
        ("of it, the process's own (RssAnon)", "peak_anonymous_mb", " MB"),
    ):
        print(f"| {label} | " + " | ".join(f"{results[n]['csv'][key]}{unit}" for n in names) + " |")
    print("\n✗ marks a page over its target.")
    out = ROOT / "bench" / "results" / "api.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"targets_ms": {p: t for p, (_, t) in PAGES.items()},
                               "load_average": load, "results": results}, indent=2) + "\n")  # fmt: skip
    print(f"Saved to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
