"""The Markdown round trip and the bulk download on the full real corpus.

    python bench/export.py [--corpus PATH] [--databases sqlite postgres]

For each database: a fresh schema and `load_releases CORPUS`; then `export_releases` into a
folder, a .tar.gz and a .zip, and `export_releases --jsonl` (each timed, with its peak
memory), and a staff backup (`--include-drafts`: every release, the copies folded as
duplicates and their status too); then the backup imported into a second fresh database,
and every release of both compared field by field (title, date, slug, source URL, body,
attachments, ministers and portfolios in order, status and times). The public export
leaves out the copies (editorial/duplicates.py), which are not public, so only the backup
can give back every release. Every step runs as its own `manage.py` process
with production settings (DEBUG off), as bench/imports.py's do; the comparison reads each
database in a process of its own (this script, with --fingerprint). Results print as a
table and are saved to bench/results/export.json.
"""

import hashlib
import json
import sys
import tempfile
from pathlib import Path

from imports import corpus_parser, fresh, manage, run_script, save_results

DATABASES = {  # names of this benchmark's own, so no other run's are touched
    "postgres": (
        "postgres://postgres@127.0.0.1:5432/beehive_bench_export",
        "postgres://postgres@127.0.0.1:5432/beehive_bench_export_back",
    ),
}
FIELDS = [
    "title", "date", "source_url", "body", "attachments", "status", "published_at",
    "withdrawn_at", "withdrawal_reason",
]  # fmt: skip
SHOWN = 5  # differences listed


def fingerprint(out):
    """Write {slug: {field: digest}} of every release in this process's database to `out`;
    print the count as JSON. Plain queries, not the exporter's own code, so a mistake
    there cannot hide itself."""
    import django

    django.setup()
    from releases.models import Release

    def digest(value):
        text = json.dumps(value, default=str, ensure_ascii=False)
        return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()

    releases = {}
    for slug, *values in Release.objects.values_list("slug", *FIELDS).iterator(chunk_size=2000):
        releases[slug] = {field: digest(value) for field, value in zip(FIELDS, values)}
    for field in ("ministers", "portfolios"):
        linked = {}
        through = getattr(Release, field).through.objects.order_by("pk")
        pairs = through.values_list("release__slug", f"{field[:-1]}__name")
        for slug, name in pairs.iterator(chunk_size=10000):
            linked.setdefault(slug, []).append(name)
        for slug, fields in releases.items():
            fields[field] = digest(linked.get(slug, []))
    Path(out).write_text(json.dumps(releases))
    print(json.dumps({"releases": len(releases)}))


def differences(before, after):
    """[(slug, [fields that differ])] between two fingerprints, a missing release as
    'missing' and an extra one as 'extra'."""
    found = [(slug, ["missing"]) for slug in before.keys() - after.keys()]
    found += [(slug, ["extra"]) for slug in after.keys() - before.keys()]
    for slug in before.keys() & after.keys():
        fields = [field for field in before[slug] if before[slug][field] != after[slug][field]]
        if fields:
            found.append((slug, fields))
    return sorted(found)


def main():
    options = corpus_parser(__doc__).parse_args()
    if not options.corpus.exists():
        sys.exit(f"No corpus at {options.corpus}")
    workdir = Path(tempfile.mkdtemp(prefix="beehive-bench-export-"))
    urls = {
        "sqlite": (f"sqlite:///{workdir / 'a.sqlite3'}", f"sqlite:///{workdir / 'b.sqlite3'}"),
        **DATABASES,
    }
    results = {}
    for name in options.databases:
        url, back_url = urls[name]
        print(f"{name}: importing {options.corpus.name} …", flush=True)
        fresh(url)
        import_s, _, _ = manage(url, "load_releases", str(options.corpus), "-v0")
        row = {"import_s": round(import_s, 1)}
        backup = workdir / f"{name}-backup.tar.gz"
        for kind, destination, flags in [
            ("folder", workdir / f"{name}-folder", []),
            ("tar_gz", workdir / f"{name}.tar.gz", []),
            ("zip", workdir / f"{name}.zip", []),
            ("backup", backup, ["--include-drafts"]),
        ]:
            print(f"{name}: exporting to {destination.name} …", flush=True)
            seconds, peak, out = manage(url, "export_releases", str(destination), *flags)
            row[f"export_{kind}_s"], row[f"export_{kind}_peak_mb"] = (
                round(seconds, 1),
                round(peak / 2**20),
            )
            row[f"export_{kind}_summary"] = out.strip()
        jsonl = workdir / f"{name}.jsonl.gz"
        print(f"{name}: writing the bulk download …", flush=True)
        seconds, peak, out = manage(url, "export_releases", "--jsonl", str(jsonl))
        row.update(
            jsonl_s=round(seconds, 1),
            jsonl_peak_mb=round(peak / 2**20),
            jsonl_mb=round(jsonl.stat().st_size / 2**20, 1),
        )
        print(f"{name}: importing the backup into a fresh database …", flush=True)
        fresh(back_url)
        reimport_s, _, out = manage(back_url, "load_releases", str(backup), "-v0")
        row.update(reimport_s=round(reimport_s, 1), reimport_summary=out.strip())
        prints = {}
        for side, database in [("before", url), ("after", back_url)]:
            path = workdir / f"{name}-{side}.json"
            row[f"releases_{side}"] = run_script(__file__, database, "--fingerprint", str(path))[
                "releases"
            ]
            prints[side] = json.loads(path.read_text())
        found = differences(prints["before"], prints["after"])
        row.update(differences=len(found), first_differences=found[:SHOWN])
        results[name] = row

    print()
    print(
        "| database | export: folder | .tar.gz | .zip | peak memory | bulk download "
        "| releases before → after | differences |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, row in results.items():
        peak = max(row[f"export_{kind}_peak_mb"] for kind in ("folder", "tar_gz", "zip"))
        print(
            f"| {name} | {row['export_folder_s']} s | {row['export_tar_gz_s']} s | "
            f"{row['export_zip_s']} s | {peak} MB | {row['jsonl_s']} s, {row['jsonl_mb']} MB, "
            f"peak {row['jsonl_peak_mb']} MB | {row['releases_before']:,} → "
            f"{row['releases_after']:,} | {row['differences']} |"
        )
        for slug, fields in row["first_differences"]:
            print(f"  {name}: {slug}: {', '.join(fields)}")
    save_results("export", results)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--fingerprint"]:
        fingerprint(sys.argv[2])
    else:
        main()
