"""Revisions: how long a diff of the longest body takes, a history page with 50 revisions,
and an import's revisions for the whole corpus.

    python bench/editorial.py [--databases sqlite postgres] [--runs N] [--corpus PATH]
                              [--no-import]

1. The diff (no database): a synthetic body of 96,000 characters, the size of the
   corpus's longest, against a copy edited in eight places (words changed, a sentence
   added, a paragraph removed), through editorial/diffs.py as the compare page calls it.
   Median of --runs. Target: at most 1 s.
2. For each database, in a fresh schema (PostgreSQL: beehive_revisions): a release with
   that body saved 50 times, each a revision (editorial/revisions.recorded(), as the
   admin's save), then, in a process with production settings (DEBUG off), the admin's
   history page and the compare page of the first and last revisions through
   django.test.Client, logged in as a superuser: a few warm-up requests, then the median
   of --runs. Target: history page at most 300 ms.
3. Unless --no-import: `load_releases CORPUS` into the same schema; the release change
   list (plain, a late page, filtered, searched, a day), as in 2 (target: at most 300 ms,
   its queries the same whatever the page); then record_many() of every release, as a
   merge of everything would call it: the median of three.

Results print as a table and are saved to bench/results/editorial.json.
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from imports import DEFAULT_CORPUS, ROOT, fresh, manage, run_script

POSTGRES = "postgres://postgres@127.0.0.1:5432/beehive_revisions"
BODY_CHARS = 96_000
REVISIONS = 50
DIFF_TARGET_S = 1.0
HISTORY_TARGET_MS = 300
IMPORT_RUNS = 3
WORDS = (
    "the government minister announced funding for new housing schools health trade "
    "regional communities support investment infrastructure today million said families "
    "people programme work across country better services economy growth and of to in"
).split()


def synthetic_body(chars=BODY_CHARS, seed=12):
    """Paragraphs of sentences of common words, like a long release, `chars` long."""
    rng = random.Random(seed)
    paragraphs, length = [], 0
    while length < chars:
        sentences = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 25))).capitalize() + "."
            for _ in range(rng.randint(2, 6))
        ]
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:chars]


def edited(body, seed=34):
    """`body` edited in eight places: words replaced, a sentence added, a paragraph gone."""
    rng = random.Random(seed)
    paragraphs = body.split("\n\n")
    for index in rng.sample(range(len(paragraphs)), 6):
        words = paragraphs[index].split(" ")
        words[rng.randrange(len(words))] = "corrected"
        paragraphs[index] = " ".join(words)
    paragraphs.insert(len(paragraphs) // 3, "A sentence added by the press secretary.")
    del paragraphs[len(paragraphs) // 2]
    return "\n\n".join(paragraphs)


def time_diff(runs):
    """Median seconds of the body and title diffs the compare page shows."""
    from releases.editorial import diffs

    old = synthetic_body()
    new = edited(old)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        html = diffs.body_diff(old, new)
        diffs.word_diff("Minister announces funding", "Minister announces more funding")
        times.append(time.perf_counter() - started)
    assert html.count("<ins>") >= 7, "the edits were not found"
    return {"body_chars": len(old), "median_s": round(statistics.median(times), 3)}


def setup_history():
    """In this process: a superuser and a release with REVISIONS revisions."""
    from django.contrib.auth.models import User

    from releases.editorial import revisions
    from releases.models import Release

    user = User.objects.create_superuser("bench", password="bench")
    body = synthetic_body()
    release = Release.objects.create(title="Long release", slug="long-release", body=body)
    for n in range(REVISIONS):
        with revisions.recorded(user, f"Edit {n}"):
            release.title = f"Long release, edit {n}"
            release.body = edited(body, seed=n)
            release.save()
    print(json.dumps({"release": release.pk}))


def logged_in_client():
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="bench"))
    return client


def time_pages(client, pages, runs):
    """{name: median ms and queries} of each (url, query) in `pages`, after warm-ups."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = {}
    for name, (url, query) in pages.items():
        for _ in range(3):
            # secure=True: with DEBUG off the site redirects plain HTTP to HTTPS.
            response = client.get(url, query, secure=True)
            if response.status_code != 200:
                sys.exit(f"{url} answered {response.status_code}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url, query, secure=True)
        query_count = len(queries)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(url, query, secure=True)
            times.append((time.perf_counter() - started) * 1000)
        results[name] = {"median_ms": round(statistics.median(times), 1), "queries": query_count}
    return results


def measure_pages(release_id, runs):
    """In this process: median times of the history and compare pages."""
    from releases.editorial import revisions
    from releases.models import Release

    release = Release.objects.get(pk=release_id)
    versions = list(revisions.history(release))
    assert len(versions) == REVISIONS
    base = f"/admin/releases/release/{release_id}/history/"
    pages = {
        f"history page ({REVISIONS} revisions)": (base, {}),
        "compare first and last": (
            f"{base}compare/",
            {"old": versions[-1].pk, "new": versions[0].pk},
        ),
    }
    print(json.dumps(time_pages(logged_in_client(), pages, runs)))


def measure_changelist(runs):
    """In this process, with the corpus loaded: the release change list as staff use it,
    plain, filtered and searched, 50 releases a page."""
    from releases.models import Portfolio

    health = Portfolio.objects.get(slug="health").pk
    base = "/admin/releases/release/"
    pages = {
        "change list": (base, {}),
        "change list, page 500": (base, {"p": 500}),
        "change list, live only": (base, {"publication": "live"}),
        "change list, filtered by portfolio (Health)": (base, {"portfolio": health}),
        "change list, searched (housing)": (base, {"q": "housing"}),
        "change list, searched and filtered": (
            base,
            {"q": "housing", "portfolio": health},
        ),
        "change list, a year (2021)": (base, {"year": 2021}),
    }
    print(json.dumps(time_pages(logged_in_client(), pages, runs)))


def time_record_many(runs=IMPORT_RUNS):
    """In this process: record_many() of every release, `runs` times (each keeps one
    more revision of every release); the median and each run, in seconds."""
    from releases.editorial import revisions
    from releases.models import Release

    ids = list(Release.objects.values_list("pk", flat=True))
    times = []
    for run in range(runs):
        started = time.perf_counter()
        revisions.record_many(ids, f"Benchmark: the whole corpus, run {run}")
        times.append(round(time.perf_counter() - started, 1))
    print(json.dumps({"releases": len(ids), "median_s": statistics.median(times), "runs": times}))


def in_subprocess(database_url, *args):
    return run_script(__file__, database_url, *args)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--no-import", action="store_true")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.step:
        import django

        django.setup()
        step, *args = options.step
        if step == "diff":
            return print(json.dumps(time_diff(options.runs)))
        if step == "setup":
            return setup_history()
        if step == "pages":
            return measure_pages(int(args[0]), options.runs)
        if step == "changelist":
            return measure_changelist(options.runs)
        return time_record_many()

    workdir = Path(tempfile.gettempdir()) / "beehive-editorial-bench"
    workdir.mkdir(exist_ok=True)
    urls = {"sqlite": f"sqlite:///{workdir / 'editorial.sqlite3'}", "postgres": POSTGRES}
    # With DEBUG off, templates ask the manifest storage for static files' hashed names.
    manage(urls[options.databases[0]], "collectstatic", "--noinput", "-v0")
    results = {
        "diff": in_subprocess(
            urls[options.databases[0]], "--step", "diff", "--runs", str(options.runs)
        )
    }
    for name in options.databases:
        url = urls[name]
        print(f"{name}: {REVISIONS} revisions …", flush=True)
        fresh(url)
        release = in_subprocess(url, "--step", "setup")["release"]
        results[name] = in_subprocess(
            url, "--step", "pages", str(release), "--runs", str(options.runs)
        )
        if not options.no_import and options.corpus.exists():
            print(f"{name}: loading {options.corpus.name} …", flush=True)
            manage(url, "load_releases", str(options.corpus), "-v0")
            results[name] |= in_subprocess(url, "--step", "changelist", "--runs", str(options.runs))
            results[name]["record_many"] = in_subprocess(url, "--step", "import")

    diff = results["diff"]
    print(
        f"\nDiff of a {diff['body_chars']:,}-character body edited in 8 places: "
        f"{diff['median_s']} s median (target ≤ {DIFF_TARGET_S} s)"
    )
    print("\n| database | page | median | queries |\n|---|---|---|---|")
    for name in options.databases:
        for page, row in results[name].items():
            if page != "record_many":
                print(f"| {name} | {page} | {row['median_ms']} ms | {row['queries']} |")
    for name in options.databases:
        if "record_many" in results[name]:
            row = results[name]["record_many"]
            print(
                f"{name}: record_many() of {row['releases']:,} releases: "
                f"{row['median_s']} s median {row['runs']}"
            )
    print(f"(history page and change list target ≤ {HISTORY_TARGET_MS} ms)")
    out = ROOT / "bench" / "results" / "editorial.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Saved to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
