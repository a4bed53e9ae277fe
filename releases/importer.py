"""Import Markdown releases with YAML front matter from files, folders and archives.

The pipeline is read -> parse -> normalise names -> validate -> upsert in batches, each batch
in one transaction, so an interrupted import leaves every batch either whole or absent.

Identity: an imported release is the file's (date, source URL) pair, stored as
`Release.import_key`. The URL alone is not enough: the old site reused 26 addresses for two
different releases on different dates. Re-running skips any file whose bytes hash to a
release already stored, without parsing it; a changed file updates its release in place
(same id, same slug).
"""

import collections
import contextlib
import dataclasses
import datetime
import functools
import hashlib
import html
import itertools
import json
import multiprocessing
import os
import queue
import re
import threading
import time
import typing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import libarchive
import yaml
from django.db import connections, models, reset_queries, router, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from frontmatter.default_handlers import YAMLHandler

from . import names
from .models import Minister, MinisterAlias, Portfolio, PortfolioAlias, Release
from .rendering import render_markdown

ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".zip")
ANALYZE_AFTER = 1000  # releases created or updated
WORKER_NICENESS = 10  # added to the parsing workers' niceness (see _parsed)
UNKNOWN_DATE = "0001-01-01"  # the old site's placeholder for a missing date
SLUG_LENGTH = Release._meta.get_field("slug").max_length
TITLE_LENGTH = Release._meta.get_field("title").max_length


FRONT_MATTER = YAMLHandler()


class YAMLLoader(yaml.CBaseLoader):
    """YAML's base loader reads every scalar as text: a bad date is then a field error
    rather than a crash inside the parser, a title such as 1984 stays "1984", and it is
    the fastest."""

    def resolve(self, kind, value, implicit):
        # The base schema has no implicit tags to look for, and load_yaml reads only each
        # node's kind: skipping the search saves a fifth of the YAML time.
        return kind.id


def load_yaml(text):
    """The YAML document in `text` as text, lists and dicts, exactly as yaml.CBaseLoader
    reads it, in half the time: libyaml builds the document's nodes in C, and these few
    lines replace PyYAML's general-purpose constructor, written in Python."""
    node = yaml.compose(text, Loader=YAMLLoader)
    try:
        return None if node is None else _plain(node, {})
    except RecursionError:
        raise InvalidFile("front matter", "invalid YAML: nested too deeply") from None


def _plain(node, built):
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if id(node) in built:  # an alias: the value already built, never built again
        if built[id(node)] is None:
            raise InvalidFile("front matter", "invalid YAML: a list or mapping inside itself")
        return built[id(node)]
    built[id(node)] = None
    if isinstance(node, yaml.SequenceNode):
        value = [_plain(item, built) for item in node.value]
    else:
        try:
            value = {_plain(key, built): _plain(item, built) for key, item in node.value}
        except TypeError:  # a list or mapping as a key
            raise InvalidFile("front matter", "invalid YAML: a key that is not text") from None
    built[id(node)] = value
    return value


@dataclasses.dataclass(frozen=True)
class Problem:
    """Something wrong with one file: an error skips the file, a warning does not."""

    path: str
    field: str
    message: str
    level: str = "error"

    def __str__(self):
        return f"{self.path}: {self.field}: {self.message}"


class InvalidFile(Exception):
    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


class StrictModeError(Exception):
    """Raised in --strict mode at the first error; the whole import is rolled back."""

    def __init__(self, problem):
        super().__init__(str(problem))
        self.problem = problem


class _DryRunRollback(Exception):
    pass


@dataclasses.dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ignored: int = 0
    files: int = 0
    elapsed: float = 0.0
    dry_run: bool = False
    problems: list = dataclasses.field(default_factory=list)

    @property
    def errors(self):
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self):
        return [p for p in self.problems if p.level == "warning"]

    @property
    def skipped(self):
        return len(self.errors)

    @property
    def rate(self):
        return self.files / self.elapsed if self.elapsed else 0.0

    def summary(self):
        prefix = "Dry run, nothing written: would have " if self.dry_run else ""
        return (
            f"{prefix}{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.skipped} skipped, {len(self.warnings)} warnings; {self.files} files in "
            f"{self.elapsed:.1f} s ({self.rate:,.0f} files/s)."
        )

    def as_json(self):
        counts = {k: getattr(self, k) for k in ("created", "updated", "unchanged", "skipped")}
        return json.dumps(
            {**counts, "problems": [dataclasses.asdict(p) for p in self.problems]}, indent=2
        )


class SourceFile(typing.NamedTuple):
    path: str
    data: bytes
    digest: str  # of the bytes, which tells a re-run that a file is unchanged

    @classmethod
    def read(cls, path, data):
        return cls(path, data, hashlib.sha256(data).hexdigest())


class ParsedRelease(typing.NamedTuple):
    """One file's release, validated and normalised, ready to write. A named tuple, not a
    dataclass: 55,000 of them cross from the worker processes, and tuples pickle three
    times faster."""

    path: str
    import_key: str
    content_hash: str
    title: str
    date: datetime.date | None
    source_url: str
    body: str
    body_html: str
    attachments: list
    ministers: list
    portfolios: list
    front_matter: str
    url_slug: str


# Reading ---------------------------------------------------------------------------------


def is_archive(path):
    return str(path).lower().endswith(ARCHIVE_SUFFIXES)


def read_sources(path) -> Iterator[SourceFile]:
    """Yield every Markdown file in a file, folder or archive, archives read as streams.

    libarchive reads every archive format and compression in C, and lets other threads run
    while it does: twice as fast as tarfile on the full archive, whose 55,000 headers
    tarfile parses in Python.
    """
    path = Path(path)
    if path.is_dir():
        for file in sorted(path.rglob("*.md")):
            yield SourceFile.read(str(file), file.read_bytes())
    elif is_archive(path):
        with libarchive.file_reader(str(path)) as archive:
            for entry in archive:
                if entry.isfile and entry.pathname.endswith(".md"):
                    yield SourceFile.read(f"{path}:{entry.pathname}", b"".join(entry.get_blocks()))
    else:
        yield SourceFile.read(str(path), path.read_bytes())


# Parsing and validation ------------------------------------------------------------------


def plain_text(item):
    """The text a front-matter list item meant. Unquoted items such as
    '- Māori Crown Relations: Te Arawhiti' arrive as mappings and '- [From a speech]' as
    lists; both stand for the plain text the author wrote."""
    if isinstance(item, dict):
        return ", ".join(f"{k}: {v}" if v is not None else f"{k}:" for k, v in item.items())
    if isinstance(item, list):
        return ", ".join(plain_text(i) for i in item)
    return "" if item is None else str(item)


def fallback_title(body, date, length=90):
    """A readable title for a release without one: its first sentence, or its date."""
    first_line = next((line for line in body.splitlines() if line.strip()), "")
    text = names.tidy(re.sub(r"[#*_\\\[\]>`]", "", first_line)).split(". ")[0].rstrip(".")
    if len(text) > length:
        text = text[:length].rsplit(" ", 1)[0] + "…"
    if text:
        return text
    return f"Untitled release, {date:%-d %B %Y}" if date else "Untitled release"


def clean_title(raw, body, date, warn):
    title = names.tidy(html.unescape(strip_tags(raw)) if "<" in raw else raw)
    if not title:
        title = fallback_title(body, date)
        warn("title", f"empty; shown as “{title}”")
    if len(title) > TITLE_LENGTH:
        warn("title", f"longer than {TITLE_LENGTH} characters; shortened")
        title = title[: TITLE_LENGTH - 1] + "…"
    return title


def name_list(meta, field, is_junk, warn):
    """The distinct spellings in a ministers/portfolios list, junk reported and dropped."""
    if meta.get(field) in (None, ""):
        warn(field, "missing; the release has none")
        return []
    items = meta[field] if isinstance(meta[field], list) else [meta[field]]
    spellings = []
    for item in items:
        text = names.tidy(plain_text(item))
        if not text:
            continue
        if is_junk(text):
            warn(field, f"“{text}” is not a name (kept only in the raw front matter)")
        elif text not in spellings:
            spellings.append(text)
    return spellings


def parse_source(source: SourceFile, warn) -> ParsedRelease | None:
    """Parse and validate one file. Raise InvalidFile for an error; return None for a
    README or LICENSE without front matter."""
    try:
        text = source.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidFile(
            "file", f"not valid UTF-8 (byte {exc.object[exc.start]:#04x} at offset {exc.start})"
        ) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not FRONT_MATTER.detect(text):
        if Path(source.path.rsplit(":", 1)[-1]).stem.upper() in {"README", "LICENSE"}:
            return None
        raise InvalidFile("front matter", "missing: the file must start with a '---' line")
    try:
        raw_front_matter, body = FRONT_MATTER.split(text)
    except ValueError:
        raise InvalidFile("front matter", "no closing '---' line") from None
    try:
        meta = load_yaml(raw_front_matter)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        # The front matter text starts on the opening "---" line, which is line 1.
        line = f" on line {where.line + 1}" if where else ""
        raise InvalidFile(
            "front matter", f"invalid YAML{line}: {getattr(exc, 'problem', exc)}"
        ) from None
    if not isinstance(meta, dict):
        raise InvalidFile("front matter", "must be a mapping of fields such as 'title:'")
    for field in ("title", "date", "url"):
        if field not in meta or (field != "title" and meta[field] in (None, "")):
            raise InvalidFile(field, "missing (required)")

    raw_date = str(meta["date"]).strip()
    try:
        date = None if raw_date == UNKNOWN_DATE else datetime.date.fromisoformat(raw_date)
    except ValueError:
        raise InvalidFile(
            "date", f"“{raw_date}” is not a valid date (expected YYYY-MM-DD)"
        ) from None
    if date is None:
        warn("date", f"{UNKNOWN_DATE} is the source's placeholder; stored as an unknown date")

    source_url = str(meta["url"]).strip()
    parts = urlsplit(source_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidFile("url", f"“{source_url}” is not an http(s) URL")

    attachments = meta.get("attachments") or []
    if not isinstance(attachments, list):
        attachments = [attachments]
    attachments = [plain_text(a).strip() for a in attachments if plain_text(a).strip()]

    body = body.strip()
    if not body:
        warn("body", "empty")
    elif "â€" in body or "\ufffd" in body:
        warn("body", "contains garbled characters (mojibake or U+FFFD) from the source")

    return ParsedRelease(
        path=source.path,
        import_key=f"{raw_date} {source_url}",
        content_hash=source.digest,
        title=clean_title(plain_text(meta["title"]), body, date, warn),
        date=date,
        source_url=source_url,
        body=body,
        body_html=render_markdown(body, source_url),
        attachments=attachments,
        ministers=name_list(meta, "ministers", names.is_junk_minister, warn),
        portfolios=name_list(meta, "portfolios", names.is_junk_portfolio, warn),
        front_matter=raw_front_matter,
        url_slug=slugify(parts.path.rstrip("/").rsplit("/", 1)[-1])[:SLUG_LENGTH],
    )


# Writing ---------------------------------------------------------------------------------


class UniqueSlugs:
    """Hands out slugs that no other row of a model has, without a query per slug."""

    def __init__(self, queryset):
        self.taken = set(queryset.values_list("slug", flat=True))

    def claim(self, wanted, qualifier=""):
        base = (wanted or "release")[:SLUG_LENGTH]
        candidates = [base]
        if qualifier:
            candidates.append(f"{base[: SLUG_LENGTH - len(qualifier) - 1]}-{qualifier}")
        for candidate in candidates:
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        n = 2
        while (candidate := f"{candidates[-1][: SLUG_LENGTH - 8]}-{n}") in self.taken:
            n += 1
        self.taken.add(candidate)
        return candidate


class NameRegistry:
    """Maps every spelling of a minister or portfolio to one record, creating records and
    aliases for spellings it has not seen."""

    def __init__(self, model, alias_model, fold, display):
        self.model, self.alias_model, self.fold, self.display = model, alias_model, fold, display
        self.fk = model._meta.model_name
        self.by_spelling = dict(alias_model.objects.values_list("spelling", f"{self.fk}_id"))
        self.by_key = {fold(s): pk for s, pk in self.by_spelling.items()}
        self.names = dict(model.objects.values_list("pk", "name"))
        self.slugs = UniqueSlugs(model.objects.all())

    def resolve(self, spellings):
        """Create whatever records and aliases these spellings need (call inside the batch's
        transaction), then return {spelling: id}."""
        new = [s for s in dict.fromkeys(spellings) if s not in self.by_spelling]
        records = {}
        for spelling in new:
            key = self.fold(spelling)
            if key not in self.by_key and key not in records:
                name = self.display(spelling)
                records[key] = self.model(name=name, slug=self.slugs.claim(slugify(name)))
        self.model.objects.bulk_create(records.values())
        self.by_key.update((key, record.pk) for key, record in records.items())
        self.names.update((record.pk, record.name) for record in records.values())
        aliases = []
        for spelling in new:
            self.by_spelling[spelling] = self.by_key[self.fold(spelling)]
            aliases.append(
                self.alias_model(spelling=spelling, **{f"{self.fk}_id": self.by_spelling[spelling]})
            )
        self.alias_model.objects.bulk_create(aliases)
        return self.by_spelling


class ReleaseWriter:
    """Upserts batches of parsed releases with their ministers and portfolios."""

    CONTENT_FIELDS = [
        "import_key", "content_hash", "title", "date", "source_url", "body", "body_html",
        "attachments", "front_matter", "search_names", "updated_at",
    ]  # fmt: skip
    NEW_FIELDS = CONTENT_FIELDS + ["slug", "status", "published_at", "created_at"]

    def __init__(self):
        imported = Release.objects.filter(import_key__isnull=False)
        rows = imported.values_list("import_key", "pk", "content_hash")
        self.existing = {key: pk for key, pk, _ in rows}
        self.known_hashes = {content_hash for _, _, content_hash in rows}
        self.slugs = UniqueSlugs(Release.objects.all())
        self.ministers = NameRegistry(
            Minister, MinisterAlias, names.minister_key, names.minister_display_name
        )
        self.portfolios = NameRegistry(
            Portfolio, PortfolioAlias, names.portfolio_key, names.portfolio_display_name
        )

    def write(self, batch):
        """Write one batch in one transaction; return (created, updated)."""
        now = timezone.now()
        new = [p for p in batch if p.import_key not in self.existing]
        changed = [p for p in batch if p.import_key in self.existing]
        with transaction.atomic():
            minister_ids = self.ministers.resolve(s for p in batch for s in p.ministers)
            portfolio_ids = self.portfolios.resolve(s for p in batch for s in p.portfolios)
            links = {p.import_key: self._links(p, minister_ids, portfolio_ids) for p in batch}
            # Each row carries its search_names: the database indexes it as it is written.
            rows = (
                [
                    *self._content(p, links[p.import_key], now),
                    self._slug(p),
                    Release.Status.PUBLISHED,
                    published_at(p.date, now),
                    now,
                ]
                for p in new
            )
            ids = dict(insert_rows(Release, self.NEW_FIELDS, rows, returning=["import_key", "id"]))
            # Files edited since their last import are rare: one UPDATE each is plenty.
            for p in changed:
                ids[p.import_key] = self.existing[p.import_key]
                Release.objects.filter(pk=ids[p.import_key]).update(
                    **dict(zip(self.CONTENT_FIELDS, self._content(p, links[p.import_key], now)))
                )
            changed_ids = [ids[p.import_key] for p in changed]
            for position, (through, column) in enumerate(
                [
                    (Release.ministers.through, "minister_id"),
                    (Release.portfolios.through, "portfolio_id"),
                ]
            ):
                through.objects.filter(release_id__in=changed_ids).delete()
                insert_rows(
                    through,
                    ["release_id", column],
                    (
                        (ids[key], target)
                        for key, targets in links.items()
                        for target in targets[position]
                    ),
                )
        self.existing.update(ids)
        self.known_hashes.update(p.content_hash for p in batch)
        return len(new), len(changed)

    @staticmethod
    def _links(parsed, minister_ids, portfolio_ids):
        """The distinct minister ids and portfolio ids of a release, in the source's order."""
        return (
            list(dict.fromkeys(minister_ids[s] for s in parsed.ministers)),
            list(dict.fromkeys(portfolio_ids[s] for s in parsed.portfolios)),
        )

    def _content(self, parsed, links, now):
        minister_ids, portfolio_ids = links
        # The names search indexes, as search.index_releases() computes them.
        search_names = " ".join(
            [self.ministers.names[pk] for pk in minister_ids]
            + [self.portfolios.names[pk] for pk in portfolio_ids]
        )
        return [
            parsed.import_key, parsed.content_hash, parsed.title, parsed.date, parsed.source_url,
            parsed.body, parsed.body_html, parsed.attachments, parsed.front_matter, search_names,
            now,
        ]  # fmt: skip

    def _slug(self, parsed):
        """The URL's last segment; where the old site reused it, qualified by the date."""
        return self.slugs.claim(
            parsed.url_slug, parsed.date.isoformat() if parsed.date else "undated"
        )


# Values one statement may carry: SQLite's default limit since 3.32 (PostgreSQL's is 65,535).
MAX_PARAMETERS = 32766


def insert_rows(model, field_names, rows, returning=()):
    """INSERT rows, as many as one statement may carry at a time; return the `returning`
    columns of the rows inserted (both databases support RETURNING, which saves looking
    the new rows up again).

    bulk_create builds and adapts every value in Python; for the full archive that cost
    more than parsing and rendering together. Only dates and JSON need adapting here.
    Many rows to a statement matter on SQLite: its search index triggers flush FTS5's
    pending terms to disk at the end of every statement, so one row per statement (as
    executemany runs) multiplies the index's segments and took twice as long in all.
    """
    connection = connections[router.db_for_write(model)]
    fields = [model._meta.get_field(name) for name in field_names]
    adapters = [
        # A batch holds few distinct dates and times: adapt each once.
        functools.cache(functools.partial(f.get_db_prep_save, connection=connection))
        if isinstance(f, models.DateField)
        else functools.partial(f.get_db_prep_save, connection=connection)
        if isinstance(f, models.JSONField)
        else None
        for f in fields
    ]
    quote = connection.ops.quote_name
    statement = "INSERT INTO {} ({}) VALUES ".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    placeholders = "({})".format(", ".join(["%s"] * len(fields)))
    suffix = " RETURNING " + ", ".join(map(quote, returning)) if returning else ""
    rows, returned = iter(rows), []
    with connection.cursor() as cursor:
        while chunk := list(itertools.islice(rows, MAX_PARAMETERS // len(fields))):
            cursor.execute(
                statement + ", ".join([placeholders] * len(chunk)) + suffix,
                [a(v) if a else v for row in chunk for a, v in zip(adapters, row)],
            )
            if returning:
                returned += cursor.fetchall()
    return returned


def published_at(date, now):
    """Imported releases were public on their date; the source gives days, in UTC."""
    if date is None:
        return now
    return datetime.datetime.combine(date, datetime.time(), tzinfo=datetime.UTC)


# The import ------------------------------------------------------------------------------


def import_releases(paths, *, dry_run=False, strict=False, batch_size=1000, progress=None):
    """Import every release under `paths` and return an ImportResult.

    Each batch of `batch_size` files is written in one transaction. With `strict`, the first
    error raises StrictModeError and nothing at all is written; with `dry_run`, everything is
    validated and counted, then rolled back. `progress`, if given, is called once per file.
    """
    result = ImportResult(dry_run=dry_run)
    started = time.perf_counter()
    connection = connections[router.db_for_write(Release)]
    if connection.vendor == "sqlite":
        # Memory-mapped reads (settings.py) speed pages up but slow a bulk write down, and
        # every page mapped would count as the import's memory. Copying the write-ahead log
        # into the database every 40 MB rather than every 4 MB saves a few seconds.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA mmap_size=0")
            cursor.execute("PRAGMA wal_autocheckpoint=10000")
    try:
        # One outer transaction makes --strict all-or-nothing and lets --dry-run count
        # exactly what it would do before throwing it all away.
        with transaction.atomic(durable=True) if (strict or dry_run) else contextlib.nullcontext():
            _run(paths, result, strict, batch_size, progress)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    else:
        if result.created + result.updated >= ANALYZE_AFTER:
            analyze_tables()
    result.elapsed = time.perf_counter() - started
    return result


def analyze_tables():
    """Refresh the query planner's statistics after a large change: without them both
    databases pick poor plans for listings and search (PostgreSQL's list page took 450 ms
    instead of 20 ms after a first import).

    Small imports leave statistics to autovacuum: PostgreSQL keeps a table's size estimate
    from ANALYZE even when the transaction rolls back, and an estimate taken from a handful
    of rows made the next large import plan its search-index updates as table scans.
    """
    tables = [Release, Release.ministers.through, Release.portfolios.through, Minister, Portfolio]
    connection = connections[router.db_for_write(Release)]
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _run(paths, result, strict, batch_size, progress):
    writer = ReleaseWriter()
    batch, keys_in_batch = [], set()

    def flush():
        created, updated = writer.write(batch)
        result.created += created
        result.updated += updated
        batch.clear()
        keys_in_batch.clear()
        reset_queries()  # under DEBUG, Django would otherwise keep every INSERT in memory

    chunks = _parsed(_all_sources(paths, result, strict), writer.known_hashes)
    for source, unchanged, parsed, problems in itertools.chain.from_iterable(in_background(chunks)):
        result.files += 1
        if progress:
            progress(source)
        for problem in problems:
            _report(result, strict, problem)
        if unchanged:
            result.unchanged += 1
        elif parsed is None and not any(p.level == "error" for p in problems):
            result.ignored += 1
        elif parsed is not None:
            if parsed.import_key in keys_in_batch:  # the same release twice: write the first first
                flush()
            batch.append(parsed)
            keys_in_batch.add(parsed.import_key)
            if len(batch) >= batch_size:
                flush()
    if batch:
        flush()


def in_background(generator, size=8):
    """Run a generator in a thread, handing its items over through a bounded queue.

    The database calls in the writing loop release the GIL, so reading and decompressing
    the next files overlaps with them. Exceptions reach the consumer; if the consumer
    stops early, the thread is told to stop too.
    """
    items, stop, done = queue.Queue(size), threading.Event(), object()

    def put(item):
        while not stop.is_set():
            try:
                return items.put(item, timeout=0.1)
            except queue.Full:
                pass

    def produce():
        try:
            for item in generator:
                put(item)
                if stop.is_set():
                    break
        except BaseException as exc:  # handed to the consumer, which raises it
            put(exc)
        finally:
            generator.close()
            put(done)

    thread = threading.Thread(target=produce, name="import-reader", daemon=True)
    thread.start()
    try:
        while (item := items.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _parsed(sources, known_hashes, chunk_size=200):
    """Yield lists of (source, unchanged, parsed release or None, problems), one list per
    chunk of sources, in order (a list, not each file, crosses the thread boundary).

    Parsing and rendering take most of an import's time, so they run in worker processes
    while this one reads the next files and writes to the database. At most a few chunks
    are in flight, which bounds memory whatever the size of the archive. A file whose
    bytes are already stored is not parsed at all: it comes back as unchanged.
    """
    workers = os.cpu_count() or 1
    context = multiprocessing.get_context("fork")  # workers inherit the configured Django
    # The single database writer in this process is the import's bottleneck: workers run
    # at a lower priority, so they fill the cores' spare time rather than take the writer's
    # (on 2 cores the first import of the archive took 18 s instead of 20-22 s).
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=os.nice, initargs=(WORKER_NICENESS,)
    ) as pool:
        pending = collections.deque()
        sources = iter(sources)
        while chunk := list(itertools.islice(sources, chunk_size)):
            unchanged = [s.digest in known_hashes for s in chunk]
            changed = [s for s, u in zip(chunk, unchanged) if not u]
            future = pool.submit(_parse_chunk, changed) if changed else None
            pending.append((chunk, unchanged, future))
            if len(pending) > 2 * workers:
                yield _collect(*pending.popleft())
        while pending:
            yield _collect(*pending.popleft())


def _collect(chunk, unchanged, future):
    outcomes = iter(future.result() if future else [])
    return [
        (source, is_unchanged, *((None, []) if is_unchanged else next(outcomes)))
        for source, is_unchanged in zip(chunk, unchanged)
    ]


def _parse_chunk(sources):
    return [_parse_one(source) for source in sources]


def _parse_one(source):
    """Parse one file in a worker: (parsed release or None, problems)."""
    problems = []

    def warn(field, message):
        problems.append(Problem(source.path, field, message, "warning"))

    try:
        parsed = parse_source(source, warn)
    except InvalidFile as exc:
        return None, [Problem(source.path, exc.field, exc.message)]
    if parsed is None:
        problems.append(Problem(source.path, "file", "no front matter; ignored", "note"))
    return parsed, problems


def _all_sources(paths, result, strict):
    for path in paths:
        if not os.path.exists(path):
            _report(result, strict, Problem(str(path), "path", "does not exist"))
            continue
        try:
            yield from read_sources(path)
        except (OSError, libarchive.ArchiveError) as exc:
            _report(result, strict, Problem(str(path), "file", f"cannot be read: {exc}"))


def _report(result, strict, problem):
    result.problems.append(problem)
    if strict and problem.level == "error":
        raise StrictModeError(problem)
