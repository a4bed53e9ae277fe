"""Time related() (releases/related.py) across a sample of the full real corpus.

    python bench/related.py [--databases sqlite postgres] [--per-kind N]

Uses the databases bench/site.py loads (run it first, or with --reuse). In one process with
production settings, it picks N releases (40 unless told) of each kind at random, with a
fixed seed: any release, short titles (three words or fewer), long titles (fifteen or
more), titles with no word worth searching for, undated releases and releases with no
portfolio. Each release is loaded as its page loads it; related() then runs three times
and its median counts. Prints the median and 95th percentile per kind and overall, of the
time and of this process's CPU time (on SQLite, which runs in the process, that is the
query's own cost, whatever else the machine is doing), and the number of queries a call
made; saves them to bench/results/related.json.
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from imports import run_script, save_results

URLS = {
    "sqlite": f"sqlite:///{Path(tempfile.gettempdir()) / 'beehive-site-bench' / 'site.sqlite3'}",
    "postgres": "postgres://postgres@127.0.0.1:5432/beehive_site_bench",
}
SEED = 14
RUNS = 3


def sample(per_kind):
    """{kind: [release ids]}, each kind's at random from those that have it."""
    from releases.models import Release
    from releases.related import distinctive_words

    rows = list(
        Release.objects.published()
        .with_primary_portfolio()
        .values_list("pk", "title", "date", "primary_portfolio_id")
    )
    kinds = {
        "any": lambda title, date, portfolio: True,
        "short title": lambda title, date, portfolio: len(title.split()) <= 3,
        "long title": lambda title, date, portfolio: len(title.split()) >= 15,
        "no word to search": lambda title, date, portfolio: not distinctive_words(title),
        "undated": lambda title, date, portfolio: date is None,
        "no portfolio": lambda title, date, portfolio: portfolio is None,
    }
    chooser = random.Random(SEED)
    chosen = {}
    for kind, has in kinds.items():
        ids = [pk for pk, *fields in rows if has(*fields)]
        chosen[kind] = chooser.sample(ids, min(per_kind, len(ids)))
    return chosen


def measure(per_kind):
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from releases.models import Release
    from releases.related import related

    def p95(values):
        return sorted(values)[max(0, round(len(values) * 0.95) - 1)]

    def summary(times, cpu_times):
        return {
            "releases": len(times),
            "median_ms": round(statistics.median(times), 2),
            "p95_ms": round(p95(times), 2),
            "cpu_median_ms": round(statistics.median(cpu_times), 2),
            "cpu_p95_ms": round(p95(cpu_times), 2),
        }

    results, everything, everything_cpu, queries = {}, [], [], set()
    for kind, ids in sample(per_kind).items():
        times, cpu_times = [], []
        for pk in ids:
            release = Release.objects.for_page().get(pk=pk)
            with CaptureQueriesContext(connection) as captured:
                related(release)  # warm-up, and the queries one call makes
            queries.add(len(captured))
            runs, cpu = [], []
            for _ in range(RUNS):
                started, started_cpu = time.perf_counter(), time.process_time()
                related(release)
                runs.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            times.append(statistics.median(runs))
            cpu_times.append(statistics.median(cpu))
        results[kind] = summary(times, cpu_times) if times else {"releases": 0}
        everything += times
        everything_cpu += cpu_times
    results["all"] = {**summary(everything, everything_cpu), "queries_per_call": sorted(queries)}
    print(json.dumps(results))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--per-kind", type=int, default=40)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        return measure(options.per_kind)
    results = {}
    for name in options.databases:
        print(f"{name}: timing related() …", flush=True)
        results[name] = run_script(
            __file__, URLS[name], "--measure", "--per-kind", str(options.per_kind)
        )
    print("\n| database | releases | median | p95 | CPU median | CPU p95 |")
    print("|---|---|---|---|---|---|")
    for name, kinds in results.items():
        for kind, row in kinds.items():
            if row["releases"]:
                print(f"| {name} | {kind} ({row['releases']}) | {row['median_ms']} ms | "
                      f"{row['p95_ms']} ms | {row['cpu_median_ms']} ms | {row['cpu_p95_ms']} ms |")  # fmt: skip
        print(f"| {name} | queries per call | {kinds['all']['queries_per_call']} | | | |")
    save_results("related", results)


if __name__ == "__main__":
    sys.exit(main())
