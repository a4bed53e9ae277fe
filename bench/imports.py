"""Import speed and memory on the full real corpus, against Django's own loaddata.

    python bench/imports.py [--corpus PATH] [--databases sqlite postgres] [--runs N]
                            [--no-loaddata]

For each database, N times (3 by default; the figure is the median, since this machine's
speed drifts a great deal, by a factor of two from one hour to the next): a fresh schema,
`load_releases CORPUS` (first run) and the same again (no changes). Then `loaddata` of a
JSON fixture holding the same releases (made once with dumpdata) into another fresh
schema. Every step runs as its own `manage.py` process with production settings (DEBUG
off); peak memory is the largest total memory (proportional set size) of that process and
its workers, sampled every 200 ms. Results print as a table and are saved to
bench/results/imports.json.

First, the two plain steps issue 2 timed on the machine its targets were set on (reading
the archive with tarfile, 3.4 s; parsing every file's front matter with python-frontmatter,
3.7 s) are timed here too, so figures from different machines can be compared.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import typing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "beehive-releases.tar.xz"
POSTGRES = "postgres://postgres@127.0.0.1:5432/beehive_bench"
# Reading smaps_rollup walks the process's page tables and holds its memory map lock:
# sampled every 20 ms, it slowed the import it measured by a quarter.
SAMPLE_EVERY = 0.2  # seconds
DUMPED_MODELS = [
    "releases.Minister",
    "releases.MinisterAlias",
    "releases.Portfolio",
    "releases.PortfolioAlias",
    "releases.Release",
]


def tree_memory(pid):
    """Proportional set size, in bytes, of a process and all its descendants: forked
    workers share their parent's pages, which a sum of resident sizes would count twice."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                total += next(
                    int(line.split()[1]) * 1024 for line in rollup if line.startswith("Pss:")
                )
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total


class Run(typing.NamedTuple):
    seconds: float
    peak: int  # bytes, of the whole process tree
    status: int | None  # None when killed at the timeout
    stdout: str
    stderr: str


def run_manage(database_url, *args, timeout=None, preexec_fn=None):
    """Run manage.py with production settings, sampling its memory; return a Run. A run
    still going after `timeout` seconds is killed with its whole process group (workers
    included), as is one whose caller is interrupted."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only",
        "ALLOWED_HOSTS": "localhost",
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        process_group=0,
        preexec_fn=preexec_fn,
    )
    peak = 0

    def sample():
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, tree_memory(process.pid))
            time.sleep(SAMPLE_EVERY)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        out, err = process.communicate(timeout=timeout)
        status = process.returncode
    except (subprocess.TimeoutExpired, KeyboardInterrupt) as exc:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        if isinstance(exc, KeyboardInterrupt):
            raise
        status = None
    elapsed = time.perf_counter() - started
    sampler.join()
    return Run(elapsed, peak, status, out, err)


def manage(database_url, *args):
    """Run manage.py; return (seconds, peak bytes of the process tree, stdout); exit if it
    fails."""
    run = run_manage(database_url, *args)
    if run.status != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{run.stderr[-3000:]}")
    return run.seconds, run.peak, run.stdout


def run_script(script, database_url, *args):
    """Run `script` with `args` in a process with production settings (DEBUG off), as a
    server would be; return the last line of its output, read as JSON."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only",
        "ALLOWED_HOSTS": "localhost",
        "DJANGO_SETTINGS_MODULE": "beehive.settings",
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.run(
        [sys.executable, str(script), *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if process.returncode:
        sys.exit(f"{args[0]} failed:\n{process.stdout[-2000:]}{process.stderr[-3000:]}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def fresh(database_url):
    """An empty, migrated database."""
    if database_url.startswith("postgres"):
        name = database_url.rsplit("/", 1)[1]
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(database_url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    manage(database_url, "migrate", "--noinput", "-v0")


# What issue 2 measured for two plain steps on the machine its targets were set on.
REFERENCE_S = {
    "read the archive (tarfile)": 3.4,
    "parse all front matter (python-frontmatter)": 3.7,
}


def reference_steps(corpus):
    """Time the issue's two reference steps here, to compare this machine with that one."""
    import frontmatter

    started = time.perf_counter()
    with tarfile.open(corpus, mode="r|*") as archive:
        texts = [
            archive.extractfile(member).read().decode("utf-8")
            for member in archive
            if member.isfile() and member.name.endswith(".md")
        ]
    read = time.perf_counter() - started
    started = time.perf_counter()
    for text in texts:
        frontmatter.loads(text)
    parse = time.perf_counter() - started
    return dict(zip(REFERENCE_S, (round(read, 1), round(parse, 1)), strict=True))


def timed(row, step):
    """'19.2 s (18.6, 19.2, 19.9)': a step's median, then each run's time."""
    return f"{row[f'{step}_s']} s ({', '.join(map(str, row[f'{step}_runs_s']))})"


def save_results(name, results, **extra):
    """Write bench/results/NAME.json; databases not run this time keep their last figures."""
    out = ROOT / "bench" / "results" / f"{name}.json"
    out.parent.mkdir(exist_ok=True)
    saved = json.loads(out.read_text()) if out.exists() else {}
    saved.update(results, **extra)
    out.write_text(json.dumps(saved, indent=2) + "\n")
    print(f"\nSaved to {out.relative_to(ROOT)}")


def corpus_parser(doc):
    """An argument parser described by doc's first line, with --corpus and --databases."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    return parser


def main():
    parser = corpus_parser(__doc__)
    parser.add_argument("--runs", type=int, default=3, help="Imports to take the median of.")
    parser.add_argument("--no-loaddata", action="store_true", help="Skip the slow loaddata run.")
    options = parser.parse_args()
    if not options.corpus.exists():
        sys.exit(f"No corpus at {options.corpus}")

    reference = reference_steps(options.corpus)
    workdir = Path(tempfile.mkdtemp(prefix="beehive-bench-"))
    fixture = workdir / "releases.json"
    urls = {"sqlite": f"sqlite:///{workdir / 'bench.sqlite3'}", "postgres": POSTGRES}
    results = {}
    for name in options.databases:
        url = urls[name]
        print(f"{name}: importing {options.corpus.name} …", flush=True)
        runs = []
        for _ in range(options.runs):
            fresh(url)
            runs.append(
                [manage(url, "load_releases", str(options.corpus), "-v0") for _ in range(2)]
            )
        summary = runs[0][0][2]
        first = statistics.median(run[0][0] for run in runs)
        second = statistics.median(run[1][0] for run in runs)
        row = {
            "first_import_s": round(first, 1),
            "first_import_runs_s": [round(run[0][0], 1) for run in runs],
            "first_import_peak_mb": round(max(run[0][1] for run in runs) / 2**20),
            "second_import_s": round(second, 1),
            "second_import_runs_s": [round(run[1][0], 1) for run in runs],
            "second_import_peak_mb": round(max(run[1][1] for run in runs) / 2**20),
            "summary": summary.strip(),
        }
        if not options.no_loaddata:
            if not fixture.exists():
                manage(url, "dumpdata", *DUMPED_MODELS, "--output", str(fixture))
            fresh(url)
            loaddata, _, _ = manage(url, "loaddata", str(fixture))
            row["loaddata_s"] = round(loaddata, 1)
            row["speedup_vs_loaddata"] = round(loaddata / first, 1)
        results[name] = row

    print()
    print(f"Medians of {options.runs} runs (each run's time in brackets); peak memory of all runs.")
    print("| database | first import | peak memory | second import | loaddata | speed-up |")
    print("|---|---|---|---|---|---|")
    for name, row in results.items():
        print(
            f"| {name} | {timed(row, 'first_import')} | {row['first_import_peak_mb']} MB | "
            f"{timed(row, 'second_import')} | {row.get('loaddata_s', '–')} s | "
            f"{row.get('speedup_vs_loaddata', '–')}x |"
        )
    print("\nThis machine against the one issue 2's targets were set on:")
    for step, seconds in reference.items():
        print(f"- {step}: {seconds} s here, {REFERENCE_S[step]} s there")
    save_results("imports", results, reference_steps_s=reference)


if __name__ == "__main__":
    main()
