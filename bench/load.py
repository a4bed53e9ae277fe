"""Load on real servers: wrk against gunicorn on loopback, full corpus in PostgreSQL.

    python bench/load.py [--corpus PATH] [--reuse] [--seconds N] [--mix-seconds N]

A fresh database with the corpus (as bench/imports.py loads it; --reuse keeps one that
holds it), static files collected, a Redis of its own on a free port, then gunicorn with
production settings, twice: uncached (CACHE_URL=dummy://) and with the shared Redis cache
warm. In each, wrk measures the cheapest view there is (/robots.txt), each page type on
its own for --seconds, and --mix-seconds of all of them at once, many addresses of each
type in turn, as a crawler and readers would ask. Every request asks for gzip, as browsers
do. Printed as a table and saved to bench/results/load.json.

Targets (issue 13): no errors; with the cache warm, the mix and each page type reach at
least half the requests a second of /robots.txt on the same server.
"""

import argparse
import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from imports import DEFAULT_CORPUS, ROOT, fresh, manage

# bench/site.py, by its path: "site" is also a module of Python's own, imported first.
_spec = importlib.util.spec_from_file_location("site_bench", Path(__file__).with_name("site.py"))
site_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(site_bench)

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/beehive_load_bench"
RESULTS = ROOT / "bench" / "results" / "load.json"
WORKERS = 2  # the machine's cores
SHARE = 0.5  # of /robots.txt's throughput, with the cache warm


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def addresses(database_url):
    """{page type: [paths]}: many addresses of each type, from the loaded corpus."""
    code = """
import json
from releases.models import Minister, Portfolio, Release
releases = Release.objects.published().order_by("-date", "-id")
slugs = list(releases.values_list("slug", flat=True)[:4000:200])
portfolios = list(Portfolio.objects.order_by("name").values_list("slug", flat=True)[::20])
ministers = list(Minister.objects.order_by("name").values_list("slug", flat=True)[::20])
print(json.dumps([slugs, portfolios, ministers]))
"""
    _, _, out = manage(database_url, "shell", "-c", code)
    slugs, portfolios, ministers = json.loads(out.strip().splitlines()[-1])
    words = ["housing", "trade", "health", "climate", "school", "police", "budget", "water"]
    return {
        "home": ["/"],
        "release list": ["/releases/", "/releases/?page=2", "/releases/?page=50"],
        "filtered list": [f"/releases/?portfolio={p}&year=2019" for p in portfolios[:6]],
        "search": [f"/releases/?q={w}" for w in words],
        "release": [f"/releases/{s}/" for s in slugs],
        "portfolio": [f"/portfolios/{p}/" for p in portfolios],
        "minister": [f"/ministers/{m}/" for m in ministers],
        "portfolios A-Z": ["/portfolios/"],
        "ministers A-Z": ["/ministers/"],
        "feeds": ["/releases/feed/", "/releases/feed/atom/"]
        + [f"/portfolios/{p}/feed/" for p in portfolios[:4]],
        "sitemap pages": ["/sitemap.xml", "/sitemap-releases.xml", "/sitemap-releases.xml?p=2"],
    }


def wrk(base, paths, seconds, connections, script_dir):
    """Run wrk on `paths` in turn; return requests/s, p50 and p99 (ms) and errors."""
    script = script_dir / "paths.lua"
    listed = ", ".join(json.dumps(p) for p in paths)
    script.write_text(
        f"local paths = {{{listed}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i], {["Accept-Encoding"] = "gzip"})\nend\n'
    )
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
               "--latency", "-s", str(script), base]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        "errors": errors,
    }


def _ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit], 2)


def serve(env, port):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "beehive.wsgi",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=5)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit(f"gunicorn did not start:\n{process.stderr.read()[-3000:]}")


def run(mode, env, pages, options, workdir):
    """Measure one server (uncached or cached); return {name: figures}."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve(env, port)
    try:
        for paths in pages.values():  # warm: every address once (fills the cache if any)
            for path in paths:
                urllib.request.urlopen(base + path, timeout=60).read()
        # As many connections as workers, and a few more when the answers are quick.
        connections = WORKERS * (4 if mode == "cached" else 1)
        results = {"/robots.txt (trivial)": wrk(base, ["/robots.txt"], options.seconds,
                                                 connections, workdir)}  # fmt: skip
        for name, paths in pages.items():
            results[name] = wrk(base, paths, options.seconds, connections, workdir)
            print(f"  {mode} {name}: {results[name]}", flush=True)
        everything = [path for paths in pages.values() for path in paths]
        results["mix"] = wrk(base, everything, options.mix_seconds, connections, workdir)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log = server.stderr.read()
    if "Traceback" in log:
        sys.exit(f"the {mode} server logged an error:\n{log[-3000:]}")
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--mix-seconds", type=int, default=60)
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="beehive-load-"))
    if not (options.reuse and site_bench.has_releases(DATABASE_URL)):
        fresh(DATABASE_URL)
        manage(DATABASE_URL, "load_releases", str(options.corpus))
        site_bench.analyze(DATABASE_URL)
    else:
        manage(DATABASE_URL, "migrate", "--noinput", "-v0")  # the code may have moved on
    static = workdir / "static"
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(static),
        "DJANGO_SETTINGS_MODULE": "beehive.settings",
    }
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   cwd=ROOT, env=env, check=True)  # fmt: skip
    pages = addresses(DATABASE_URL)
    redis_port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        results = {
            "uncached": run("uncached", env | {"CACHE_URL": "dummy://"}, pages, options, workdir),
            "cached": run(
                "cached",
                env | {"CACHE_URL": f"redis://127.0.0.1:{redis_port}/0"},
                pages,
                options,
                workdir,
            ),  # fmt: skip
        }
    finally:
        redis.kill()
    report(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                   **results}, indent=2))  # fmt: skip


def report(results):
    trivial = results["cached"]["/robots.txt (trivial)"]["requests_per_s"]
    print(f"\n{'page':24} {'uncached req/s':>14} {'p50':>8} {'p99':>8}"
          f" {'cached req/s':>13} {'p50':>7} {'p99':>7} {'share':>6} errors")  # fmt: skip
    failures = []
    for name, cached in results["cached"].items():
        uncached = results["uncached"][name]
        share = cached["requests_per_s"] / trivial
        errors = cached["errors"] + uncached["errors"]
        print(f"{name:24} {uncached['requests_per_s']:14.1f} {uncached['p50_ms']:8.1f} "
              f"{uncached['p99_ms']:8.1f} {cached['requests_per_s']:13.1f} "
              f"{cached['p50_ms']:7.1f} {cached['p99_ms']:7.1f} {share:6.0%} {errors}")  # fmt: skip
        if errors:
            failures.append(f"{name}: {errors} errors")
        if share < SHARE:
            failures.append(f"{name}: {share:.0%} of /robots.txt, cached (target {SHARE:.0%})")
    print("\n" + ("\n".join(failures) if failures else "Every target met."))


if __name__ == "__main__":
    main()
