"""Hostile input beside the full corpus: does memory stay bounded and the import finish?

    python bench/hostile.py [--corpus PATH] [--databases sqlite postgres] [--timeout S]
                            [--each] [--case-timeout S]

Issue 11's last "What must hold" line: a folder with every hostile case of the issue,
imported beside the full corpus, stays under issue 2's 500 MB and finishes within its time
bar (20 s on SQLite) plus the time to reject the bad files. make_hostile_folder() writes
that folder, with good releases beside the bad files and inside the directory named x.md.

For each database, each into a fresh database: `load_releases CORPUS HOSTILE -v0 --report`,
the corpus alone (the baseline: the difference is what the bad files cost), and the hostile
folder alone; and, to show that memory does not grow with the size of the files, a
folder of 60 good releases of 1.9 MB each, just under the importer's 2 MB limit. Each is
a `manage.py` process with production settings, timed, its peak memory
(proportional set size of it and its workers) sampled as bench/imports.py does. It is killed
with its process group after --timeout seconds ("timed out"), and its address space is
capped at 4 GB (RLIMIT_AS), so a runaway import dies of a MemoryError instead of taking the
machine down. The JSON report and the database then tell the exit status, the errors, which
hostile entries the report names and whether the good files imported. --each also imports
every hostile entry alone, from a folder of its own, to say which case hangs, crashes or
goes unnamed. Results print as tables and are saved to bench/results/hostile.json.
"""

import atexit
import json
import os
import random
import resource
import shutil
import string
import sys
import tempfile
from pathlib import Path

from imports import POSTGRES, corpus_parser, fresh, run_manage, save_results

MEMORY_BAR_MB = 500  # issue 2
TIME_BAR_S = {"sqlite": 20}  # issue 2 set no bar for PostgreSQL
ADDRESS_SPACE = 4 * 2**30
GOOD_URL = "https://www.beehive.govt.nz/release/hostile-bench-{}"
# Entries a correct importer may take without a word: a directory is walked, not read;
# escaped markup and deep nesting are legal Markdown once made harmless.
MAY_PASS = {"x.md", "markup-title.md", "deep-quote.md", "deep-div.md"}
if os.geteuid() == 0:
    MAY_PASS.add("secret.md")  # root reads a chmod 000 file anyway


def release(name, body="The bridge is open.", **fields):
    """A release in the corpus's format (that of release_text in releases/tests/conftest.py),
    each field given as raw YAML so that a case can put anything there."""
    fields = {
        "title": f'"Hostile bench: {name}"',
        "date": "2021-06-01",
        "url": GOOD_URL.format(name),
        "ministers": "\n  - Hon Damien O'Connor",
        "portfolios": "\n  - Transport",
        **fields,
    }
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in fields.items()) + "---\n\n" + body


def alias_bomb(levels=9, width=9):
    """A YAML list of `levels` anchored lists, each of `width` aliases of the one before:
    about 400 bytes that stand for width**levels (387 million) strings."""
    names = string.ascii_lowercase[:levels]
    lists = [f"&a [{','.join('x' * width)}]"]
    lists += [f"&{b} [{','.join([f'*{a}'] * width)}]" for a, b in zip(names, names[1:])]
    return f"[{','.join(lists)}]"


def make_hostile_folder(folder):
    """Write every hostile case into folder; return ({entry: its class in issue 11},
    {good file's path in the folder: its URL})."""
    folder.mkdir(parents=True)
    cases, good = {}, {}

    def write(name, kind, data):
        cases[name] = kind
        (folder / name).write_bytes(data.encode() if isinstance(data, str) else data)

    for n in (1, 2, 3):
        (folder / f"good-{n}.md").write_text(release(f"good-{n}"))
        good[f"good-{n}.md"] = GOOD_URL.format(f"good-{n}")
    # 1: alias bombs under 600 bytes, in each field that is flattened to text.
    for field in ("title", "ministers", "portfolios", "attachments"):
        write(f"bomb-{field}.md", "1 alias bomb", release(f"bomb-{field}", **{field: alias_bomb()}))
    # 2: entries a folder walk cannot read as files.
    cases["x.md"] = "2 directory named .md"
    (folder / "x.md").mkdir()
    (folder / "x.md" / "inside.md").write_text(release("inside"))
    good["x.md/inside.md"] = GOOD_URL.format("inside")
    cases["broken.md"] = "2 broken symlink"
    (folder / "broken.md").symlink_to(folder / "no-such-file.md")
    write("secret.md", "2 permission denied", release("secret"))
    (folder / "secret.md").chmod(0)  # as root (this benchmark's user) it is read anyway
    if "secret.md" in MAY_PASS:
        good["secret.md"] = GOOD_URL.format("secret")
    # 3: values past the model's limits, or that PostgreSQL refuses.
    write("long-url.md", "3 URL over 500", release("long-url", url=GOOD_URL.format("u" * 500)))
    minister, portfolio = "\n  - Hon Aroha " + "Wharenui" * 33, "\n  - " + "Transport " * 30
    write("long-minister.md", "3 minister over 255", release("minister", ministers=minister))
    write("long-portfolio.md", "3 portfolio over 255", release("portfolio", portfolios=portfolio))
    write("nul-body.md", "3 NUL in body", release("nul-body", body="The bridge\0 is open."))
    write("long-title.md", "3 title of 5,000", release("long-title", title="T" * 5000))
    # 4: special files.
    cases["zero.md"] = "4 symlink to /dev/zero"
    (folder / "zero.md").symlink_to("/dev/zero")
    cases["pipe.md"] = "4 FIFO"
    os.mkfifo(folder / "pipe.md")
    # The smaller ones: URLs that are not URLs, a null title, escaped markup in a title.
    host = "https://www.bee hive.govt.nz/release/space"
    write("space-host.md", "smaller: space in host", release("space-host", url=host))
    newline = '"https://www.beehive.govt.nz/release/\\nnewline"'
    write("newline-url.md", "smaller: newline in URL", release("newline-url", url=newline))
    write("null-title.md", "smaller: title ~", release("null-title", title="~"))
    markup = '"A &lt;img src=x onerror=alert(1)&gt; title"'
    write("markup-title.md", "smaller: escaped markup", release("markup-title", title=markup))
    # Bodies nested 100,000 levels deep, for the Markdown renderer and the HTML cleaner.
    write("deep-quote.md", "deep nesting", release("deep-quote", body=">" * 100_000 + " deep"))
    write("deep-div.md", "deep nesting", release("deep-div", body="<div>" * 100_000))
    # Random bytes, bare and inside front matter fences; and a 50 MB file.
    noise = random.Random(11).randbytes
    write("random-1.md", "random bytes", noise(4096))
    write("random-2.md", "random bytes", b"---\n" + noise(4096) + b"\n---\n\nBody.")
    write("random-3.md", "random bytes", noise(2**20))
    write("big.md", "50 MB file", release("big", body="The bridge is open. " * (50 * 2**20 // 20)))
    return cases, good


def make_large_folder(folder, files=60):
    """Good releases of 1.9 MB each, just under the importer's 2 MB limit (115 MB in all):
    memory must not grow with their number. Return {file: its URL}."""
    folder.mkdir(parents=True)
    body = "The bridge is open. " * (19 * 2**20 // 200)
    for n in range(files):
        (folder / f"large-{n}.md").write_text(release(f"large-{n}", body=body))
    return {f"large-{n}.md": GOOD_URL.format(f"large-{n}") for n in range(files)}


def limit_memory():
    """In the child, before exec: cap its address space, so a runaway import fails alone."""
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def load(url, paths, report, timeout):
    """Import paths into url; return (the Run, the report's problems or None if none)."""
    report.unlink(missing_ok=True)
    args = ["load_releases", *map(str, paths), "-v0", "--report", str(report)]
    run = run_manage(url, *args, timeout=timeout, preexec_fn=limit_memory)
    problems = json.loads(report.read_text())["problems"] if report.exists() else None
    return run, problems


def stored(url, urls, timeout):
    """(releases in the database, how many of urls are among them), or ('?', '?')."""
    code = (
        "from releases.models import Release as R; "
        f"print(R.objects.count(), R.objects.filter(source_url__in={list(urls)!r}).count())"
    )
    run = run_manage(url, "shell", "-v0", "-c", code, timeout=timeout)
    return tuple(map(int, run.stdout.split()[-2:])) if run.status == 0 else ("?", "?")


def naming(problems, name):
    """The report's problems whose path is the entry `name` itself."""
    return [p for p in problems or [] if p["path"] == name or p["path"].endswith("/" + name)]


def status(run):
    """'1', 'timed out' or '1, traceback: MemoryError': how a run ended."""
    text = "timed out" if run.status is None else str(run.status)
    if "Traceback" in run.stderr:
        text += f", traceback: {run.stderr.strip().splitlines()[-1][:80]}"
    return text


def measure(url, paths, cases, good, workdir, options):
    """One import into a fresh database, and what its report and the database tell."""
    fresh(url)
    run, problems = load(url, paths, workdir / "report.json", options.timeout)
    total, imported = stored(url, good.values(), options.timeout)
    required = [name for name in cases if name not in MAY_PASS]
    unnamed = [name for name in required if not naming(problems, name)]
    return {
        "exit": status(run),
        "finished": run.status is not None and "Traceback" not in run.stderr,
        "errors": "no report" if problems is None else sum(p["level"] == "error" for p in problems),
        "unnamed": unnamed,
        "named": f"{len(required) - len(unnamed)}/{len(required)}" if cases else "–",
        "good": f"{imported}/{len(good)}" if good else "–",
        "releases": total,
        "seconds": round(run.seconds, 1),
        "peak_mb": round(run.peak / 2**20),
    }


def each_case(url, cases, workdir, options):
    """Import every hostile entry alone, from a folder of its own: {entry: what happened}."""
    folder = workdir / "each"
    make_hostile_folder(folder / "all")
    fresh(url)
    outcomes = {}
    for name in cases:
        (folder / name).mkdir()
        (folder / "all" / name).rename(folder / name / name)
        run, problems = load(url, [folder / name], workdir / "report.json", options.case_timeout)
        said = "; ".join(
            f"{p['level']}: {p['field']}: {p['message'][:70]!r}" for p in naming(problems, name)
        )
        outcomes[name] = f"exit {status(run)}" + (f"; {said}" if said else "; not named")
        print(f"- {name} ({cases[name]}): {outcomes[name]}", flush=True)
    return outcomes


def verdict(database, rows):
    """What the figures say against issue 11's bar, and what the report left unnamed."""
    both, alone, bad = rows["corpus + hostile"], rows["corpus alone"], rows["hostile alone"]
    print(f"\n{database}:")
    for label, row in (("corpus + hostile", both), ("hostile alone", bad)):
        if row["unnamed"]:
            print(f"- {label}: not named in the report: {', '.join(row['unnamed'])}")
    extra = round(both["seconds"] - alone["seconds"], 1)
    print(f"- corpus + hostile {both['seconds']} s, corpus alone {alone['seconds']} s: +{extra} s")
    for label in ("corpus + hostile", "large files alone"):
        peak = rows[label]["peak_mb"]
        print(f"- {label}: peak {peak} MB; under {MEMORY_BAR_MB} MB: {peak < MEMORY_BAR_MB}")
    if database in TIME_BAR_S:
        bar = round(TIME_BAR_S[database] + bad["seconds"], 1)
        print(
            f"- time bar {TIME_BAR_S[database]} s + {bad['seconds']} s to reject the bad files "
            f"(hostile alone) = {bar} s; met: {both['finished'] and both['seconds'] <= bar}"
        )


def main():
    parser = corpus_parser(__doc__)
    parser.add_argument("--timeout", type=float, default=600, help="Seconds per import.")
    parser.add_argument("--each", action="store_true", help="Also import each case alone.")
    parser.add_argument("--case-timeout", type=float, default=60, help="Seconds per case.")
    options = parser.parse_args()
    if not options.corpus.exists():
        sys.exit(f"No corpus at {options.corpus}")

    workdir = Path(tempfile.mkdtemp(prefix="beehive-hostile-"))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)  # two 50 MB files
    hostile = workdir / "hostile"
    cases, good = make_hostile_folder(hostile)
    large = workdir / "large"
    large_good = make_large_folder(large)
    urls = {"sqlite": f"sqlite:///{workdir / 'bench.sqlite3'}", "postgres": POSTGRES}
    runs = {
        "corpus + hostile": ([options.corpus, hostile], good),
        "corpus alone": ([options.corpus], {}),
        "hostile alone": ([hostile], good),
        "large files alone": ([large], large_good),
    }
    results = {}
    for database in options.databases:
        results[database] = {}
        for label, (paths, expected) in runs.items():
            print(f"{database}: {label} …", flush=True)
            found = cases if hostile in paths else {}
            results[database][label] = measure(
                urls[database], paths, found, expected, workdir, options
            )
        if options.each:
            print(f"{database}: each hostile entry alone (timeout {options.case_timeout:g} s):")
            results[database]["each"] = each_case(urls[database], cases, workdir, options)

    print(f"\n{len(cases)} hostile entries; 'named' counts those the report must name.")
    print("| database | run | exit | errors | named | good imported | releases | time | peak |")
    print("|---|---|---|---|---|---|---|---|---|")
    for database, rows in results.items():
        for label in runs:
            r = rows[label]
            print(
                f"| {database} | {label} | {r['exit']} | {r['errors']} | {r['named']} | "
                f"{r['good']} | {r['releases']} | {r['seconds']} s | {r['peak_mb']} MB |"
            )
    for database, rows in results.items():
        verdict(database, rows)
    save_results("hostile", results, timeout_s=options.timeout, cases=cases)


if __name__ == "__main__":
    main()
