"""Every release as a Markdown file with the YAML front matter the importer reads, into a
folder, a .tar.gz or a .zip: importing the export gives back the same releases.

Each file is `releases/YYYY/MM/YYYY-MM-DD-<slug>.md`, as in the corpus (a release with no
date: `releases/undated/<slug>.md`, dated 0001-01-01 inside, the source's placeholder).
Beside the corpus's keys (title, date, url, ministers, portfolios, attachments) each file
names its `slug`, which the importer takes as the slug to give it, and with
`include_drafts` the state a published file does not need: `status` (draft or
withdrawn), `published` (a publish time other than midnight UTC of its date, as for a
scheduled release), `withdrawn` and `withdrawal_reason`.
"""

import dataclasses
import datetime
import io
import os
import re
import tarfile
import time
import zipfile
from pathlib import Path

from .. import names as spellings
from ..importing.parsing import UNKNOWN_DATE
from ..importing.writing import NameRegistry
from ..models import Minister, MinisterAlias, Portfolio, PortfolioAlias, Release
from . import rows

FIELDS = [
    "title", "slug", "date", "source_url", "attachments", "body", "status", "published_at",
    "withdrawn_at", "withdrawal_reason", "updated_at",
]  # fmt: skip
# What a double-quoted scalar must escape: quotes, backslashes, controls and rows.UNSAFE.
ESCAPED = re.compile('["\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]')
# zlib's fastest: level 6 (gzip's default) took four times as long, compressing the
# archive's 140 MB of Markdown to 31% of it rather than 37%.
COMPRESS_LEVEL = 1


def quote(text):
    """`text` as a YAML double-quoted scalar that reads back as exactly `text`."""
    if ESCAPED.search(text):
        return rows.to_json(text)
    return f'"{text}"'  # most titles and names: a tenth of json.dumps's time


def default_publish_time(status, date):
    """The publish time the importer gives a file with no `published` key (writing.py)."""
    if status == Release.Status.DRAFT or date is None:
        return None
    return datetime.datetime.combine(date, datetime.time(), tzinfo=datetime.UTC)


def iso(moment):
    return moment.astimezone(datetime.UTC).isoformat()


def markdown(row, minister_names, portfolio_names):
    """One release's file: front matter in the corpus's key order, then the body."""
    lines = ["---", f"title: {quote(row['title'])}"]
    lines.append(f"date: {row['date'].isoformat() if row['date'] else UNKNOWN_DATE}")
    if row["source_url"]:
        lines.append(f"url: {quote(row['source_url'])}")
    lines.append(f"slug: {quote(row['slug'])}")
    for key, ids, known in [
        ("ministers", row["ministers"], minister_names),
        ("portfolios", row["portfolios"], portfolio_names),
    ]:
        lines.append(f"{key}:" if ids else f"{key}: []")
        lines += [f"  - {quote(known[pk])}" for pk in ids]
    if row["attachments"]:
        lines.append("attachments:")
        lines += [f"  - {quote(address)}" for address in row["attachments"]]
    status = row["status"]
    if status != Release.Status.PUBLISHED:
        lines.append(f"status: {status}")
    if row["published_at"] != default_publish_time(status, row["date"]) and row["published_at"]:
        lines.append(f"published: {iso(row['published_at'])}")
    if status == Release.Status.WITHDRAWN:
        if row["withdrawn_at"]:
            lines.append(f"withdrawn: {iso(row['withdrawn_at'])}")
        if row["withdrawal_reason"]:
            lines.append(f"withdrawal_reason: {quote(row['withdrawal_reason'])}")
    lines += ["---", "", row["body"], ""]
    return "\n".join(lines).encode()


def file_path(row):
    if row["date"] is None:
        return f"releases/undated/{row['slug']}.md"
    day = row["date"].isoformat()  # a tenth of strftime's time
    return f"releases/{day[:4]}/{day[5:7]}/{day}-{row['slug']}.md"


def spellings_that_map_back(model, alias_model, fold, display, is_junk):
    """{pk: name} to write for every record, and the names an import would not map back to
    their own record (junk to the importer, or an alias of another record), to report."""
    registry = NameRegistry(model, alias_model, fold, display)
    written, astray = {}, []
    for pk, (name, _) in rows.names(model).items():
        written[pk] = name
        if is_junk(name) or registry.known([name]) != [pk]:
            astray.append(name)
    return written, astray


@dataclasses.dataclass
class ExportResult:
    destination: str
    releases: int = 0
    bytes: int = 0  # of Markdown, before any compression
    elapsed: float = 0.0
    astray: list = dataclasses.field(default_factory=list)  # names that will not map back

    def summary(self):
        return (
            f"Exported {self.releases:,} release(s), {self.bytes / 2**20:,.1f} MB of Markdown, "
            f"to {self.destination} in {self.elapsed:.1f} s."
        )


class FolderSink:
    def __init__(self, destination):
        self.root, self.made = Path(destination), set()
        if self.root.exists() and (not self.root.is_dir() or any(self.root.iterdir())):
            raise FileExistsError(
                f"{destination} exists and is not an empty folder: an export there would "
                "mix with what it holds (and an import would read both); choose a new folder"
            )

    def add(self, files):
        for name, data, _ in files:
            path = self.root / name
            if path.parent not in self.made:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.made.add(path.parent)
            path.write_bytes(data)

    def close(self, completed):
        pass


class ArchiveSink:
    """A .tar.gz or .zip, written under a temporary name and renamed when complete, so
    there is never a half-written archive at the destination."""

    def __init__(self, destination):
        self.destination = Path(destination)
        self.partial = self.destination.with_name(f".{self.destination.name}.{os.getpid()}.part")
        if self.destination.name.lower().endswith(".zip"):
            self.zip = zipfile.ZipFile(
                self.partial, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
            )
        else:
            self.zip = None
            self.tar = tarfile.open(self.partial, "w:gz", compresslevel=COMPRESS_LEVEL)

    def add(self, files):
        for name, data, moment in files:
            if self.zip:
                info = zipfile.ZipInfo(name, date_time=moment.timetuple()[:6])
                info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
                self.zip.writestr(info, data, compresslevel=COMPRESS_LEVEL)
            else:
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode = len(data), moment.timestamp(), 0o644
                self.tar.addfile(info, io.BytesIO(data))

    def close(self, completed):
        (self.zip or self.tar).close()
        if completed:
            os.replace(self.partial, self.destination)
        else:
            self.partial.unlink(missing_ok=True)


def exported(include_drafts=False):
    """The releases an export writes: the published ones (published(), the public rule),
    or for a staff backup every release whatever its state."""
    return Release.objects.all() if include_drafts else Release.objects.published()


def is_archive(destination):
    return str(destination).lower().endswith((".tar.gz", ".tgz", ".zip"))


def export_releases(destination, *, include_drafts=False, progress=None):
    """Write every published release (every release, whatever its state, with
    `include_drafts`) as Markdown under `destination`: a new or empty folder, or an
    archive if it ends in .tar.gz, .tgz or .zip. Return an ExportResult.

    `progress`, if given, is called with the number of releases in each chunk written.
    Raise FileExistsError for a folder that is not empty.
    """
    started = time.perf_counter()
    result = ExportResult(str(destination))
    ministers, astray = spellings_that_map_back(
        Minister, MinisterAlias, spellings.minister_key, spellings.minister_display_name,
        spellings.is_junk_minister,
    )  # fmt: skip
    portfolios, more = spellings_that_map_back(
        Portfolio, PortfolioAlias, spellings.portfolio_key, spellings.portfolio_display_name,
        spellings.is_junk_portfolio,
    )  # fmt: skip
    result.astray = astray + more
    releases = exported(include_drafts)
    sink = ArchiveSink(destination) if is_archive(destination) else FolderSink(destination)
    completed = False
    try:
        with rows.WriteBehind() as write:
            for chunk in rows.chunks(releases, FIELDS):
                files = [
                    (file_path(row), markdown(row, ministers, portfolios), row["updated_at"])
                    for row in chunk
                ]
                write(sink.add, files)
                result.bytes += sum(len(data) for _, data, _ in files)
                result.releases += len(chunk)
                if progress:
                    progress(len(chunk))
        completed = True
    finally:
        sink.close(completed)
    result.elapsed = time.perf_counter() - started
    return result
