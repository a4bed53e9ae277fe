"""The import: sources -> parsing in worker processes -> batches written in this process.

Takes paths and options; gives an ImportResult. Reading runs in a thread, parsing and
rendering in worker processes, and the single database writer here; at most a few chunks
are in flight between them, which bounds memory whatever the input.
"""

import collections
import contextlib
import dataclasses
import itertools
import multiprocessing
import os
import queue
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from django.db import connections, reset_queries, router, transaction
from django.utils import timezone

from ..editorial import duplicates
from ..models import ImportRun, Release
from ..sqlite import unmapped
from .parsing import parse_source
from .results import COUNTS, ImportAborted, ImportResult, InvalidFile, Problem, StrictModeError
from .sources import read_sources
from .writing import ReleaseWriter, analyze_tables

ANALYZE_AFTER = 1000  # releases created or updated
# Files go to the workers, and releases into a transaction, by count and by size, so that
# memory stays bounded whatever the files hold: the corpus averages 5 kB a file, but 200
# files of 5 MB each would be a gigabyte in one chunk. Neither limit splits the corpus.
CHUNK_FILES, CHUNK_BYTES = 200, 2**20
BATCH_BYTES = 16 * 2**20  # of bodies and their HTML
WORKER_NICENESS = 10  # added to the parsing workers' niceness (see _parsed)


class _Rollback(Exception):
    pass


def import_releases(
    paths,
    *,
    dry_run=False,
    strict=False,
    batch_size=1000,
    progress=None,
    stop=None,
    started_by="import_releases()",
):
    """Import every release under `paths` and return an ImportResult.

    Each batch of `batch_size` files (fewer if their bodies pass BATCH_BYTES) is written
    in one transaction. With `strict`, the first error raises StrictModeError and nothing
    at all is written; with `dry_run`, everything is validated and counted, then rolled
    back. `progress`, if given, is called once per file. `stop`, if given, is an Event
    checked between batches: once set, the import stops there with `result.interrupted`
    set (and, with `strict`, writes nothing). If the import cannot go on, `result.aborted`
    says why; the batches before it stay written. However it ends, the run is recorded
    as an ImportRun, `started_by` saying who or what started it.
    """
    result = ImportResult(dry_run=dry_run)
    started, started_at = time.perf_counter(), timezone.now()
    connection = connections[router.db_for_write(Release)]
    if connection.vendor == "sqlite":
        # Copying the write-ahead log into the database every 40 MB rather than every 4 MB
        # saves a few seconds.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint=10000")
    outcome = None
    # Memory-mapped reads (settings.py) speed pages up but slow a bulk write down.
    with unmapped():
        try:
            # One outer transaction makes --strict all-or-nothing and lets --dry-run count
            # exactly what it would do before throwing it all away.
            with (
                transaction.atomic(durable=True)
                if (strict or dry_run)
                else contextlib.nullcontext()
            ):
                _run(paths, result, strict, batch_size, progress, stop or threading.Event())
                if dry_run or (strict and result.interrupted):
                    raise _Rollback
        except _Rollback:
            pass
        except ImportAborted as exc:
            result.aborted = str(exc)
        except StrictModeError:
            outcome = ImportRun.Outcome.STRICT
            raise
        except KeyboardInterrupt:
            outcome = ImportRun.Outcome.INTERRUPTED
            raise
        else:
            if result.created + result.updated >= ANALYZE_AFTER:
                analyze_tables()
        finally:
            result.elapsed = time.perf_counter() - started
            _record(result, paths, started_at, started_by, outcome)
    return result


def _record(result, paths, started_at, started_by, outcome):
    """Keep the run, with every problem its --report would hold, as an ImportRun."""
    Outcome = ImportRun.Outcome
    if outcome is None:
        outcome = (
            Outcome.ABORTED
            if result.aborted
            else Outcome.INTERRUPTED
            if result.interrupted
            else Outcome.COMPLETED
        )
    ImportRun.objects.create(
        started_at=started_at,
        finished_at=timezone.now(),
        started_by=storable(started_by)[:200],
        paths=[storable(str(path)) for path in paths],
        dry_run=result.dry_run,
        outcome=outcome,
        problems=[
            {key: storable(value) for key, value in dataclasses.asdict(problem).items()}
            for problem in result.problems
        ],
        **{count: getattr(result, count) for count in COUNTS},
    )


def storable(text):
    """Text either database can store: file names that are not UTF-8 come back from the
    system with lone surrogates, and messages quote values that may hold NUL."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def _run(paths, result, strict, batch_size, progress, stop):
    writer = ReleaseWriter()
    # A database imported before copies were recognised has them folded now, once.
    with transaction.atomic():
        result.duplicates += duplicates.fingerprint_stored()
    batch, keys_in_batch, batch_bytes = [], set(), 0

    def report(problem):
        result.problems.append(problem)
        if strict and problem.level == "error":
            raise StrictModeError(problem)

    def flush():
        nonlocal batch_bytes
        batch_bytes = 0
        created, updated, kept, folded = writer.write(batch, report)
        result.created += created
        result.updated += updated
        result.kept += kept
        result.duplicates += folded
        result.batches += 1
        batch.clear()
        keys_in_batch.clear()
        reset_queries()  # under DEBUG, Django would otherwise keep every INSERT in memory

    parsed_chunks = in_background(_parsed(_all_sources(paths, report), writer.known_hashes))
    for source, unchanged, parsed, problems in itertools.chain.from_iterable(parsed_chunks):
        result.files += 1
        if progress:
            progress(source)
        for problem in problems:
            report(problem)
        if unchanged:
            result.unchanged += 1
        elif parsed is None and not any(p.level == "error" for p in problems):
            result.ignored += 1
        elif parsed is not None:
            if parsed.import_key in keys_in_batch:  # the same release twice: write the first first
                flush()
            batch.append(parsed)
            keys_in_batch.add(parsed.import_key)
            batch_bytes += len(parsed.body) + len(parsed.body_html)
            if len(batch) >= batch_size or batch_bytes >= BATCH_BYTES:
                flush()
        if stop.is_set():  # what is in the batch so far is written, whole, below
            break
    if batch:
        flush()
    result.interrupted = stop.is_set()


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


def _start_worker():
    # The single database writer in this process is the import's bottleneck: workers run
    # at a lower priority, so they fill the cores' spare time rather than take the writer's
    # (on 2 cores the first import of the archive took 18 s instead of 20-22 s).
    os.nice(WORKER_NICENESS)
    # Ctrl-C reaches the whole process group: the main process stops the import between
    # batches, and the workers must not die mid-chunk printing tracebacks of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def chunks(sources, files=CHUNK_FILES, size=CHUNK_BYTES):
    """Lists of consecutive sources, each of at most `files` files and, unless one file
    alone is larger, `size` bytes."""
    chunk, total = [], 0
    for source in sources:
        if chunk and (len(chunk) == files or total + len(source.data) > size):
            yield chunk
            chunk, total = [], 0
        chunk.append(source)
        total += len(source.data)
    if chunk:
        yield chunk


def _parsed(sources, known_hashes):
    """Yield lists of (source, unchanged, parsed release or None, problems), one list per
    chunk of sources, in order (a list, not each file, crosses the thread boundary).

    Parsing and rendering take most of an import's time, so they run in worker processes
    while this one reads the next files and writes to the database. At most a few chunks
    are in flight, which bounds memory whatever the size of the archive. A file whose
    bytes are already stored is not parsed at all: it comes back as unchanged.
    """
    workers = os.cpu_count() or 1
    context = multiprocessing.get_context("fork")  # workers inherit the configured Django
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker) as pool:
        pending = collections.deque()
        for chunk in chunks(sources):
            unchanged = [s.digest in known_hashes for s in chunk]
            changed = [s for s, u in zip(chunk, unchanged) if not u]
            future = pool.submit(_parse_chunk, changed) if changed else None
            pending.append((chunk, unchanged, future))
            if len(pending) > 2 * workers:
                yield _collect(*pending.popleft())
        while pending:
            yield _collect(*pending.popleft())


def _collect(chunk, unchanged, future):
    try:
        outcomes = iter(future.result() if future else [])
    except BrokenProcessPool:
        # A worker died (the system stops a process that exhausts its memory): the import
        # cannot go on without its workers. What was written stays; a re-run goes on.
        raise ImportAborted(
            f"a parsing process stopped while reading {chunk[0].path} … {chunk[-1].path}"
        ) from None
    return [
        (source, is_unchanged, *((None, []) if is_unchanged else next(outcomes)))
        for source, is_unchanged in zip(chunk, unchanged)
    ]


def _parse_chunk(sources):
    return [_parse_one(source) for source in sources]


def _parse_one(source):
    """Parse one file in a worker: (parsed release or None, problems). No file, however
    strange, may stop the others: anything unforeseen is that file's error."""
    problems = []

    def warn(field, message):
        problems.append(Problem(source.path, field, message, "warning"))

    try:
        parsed = parse_source(source, warn)
    except InvalidFile as exc:
        return None, [*problems, Problem(source.path, exc.field, exc.message)]
    except Exception as exc:
        reason = f"could not be read ({type(exc).__name__}: {str(exc)[:200]})"
        return None, [*problems, Problem(source.path, "file", reason)]
    if parsed is None:
        problems.append(Problem(source.path, "file", "no front matter; ignored", "note"))
    return parsed, problems


def _all_sources(paths, report):
    for path in paths:
        if not os.path.lexists(path):
            report(Problem(str(path), "path", "does not exist"))
            continue
        yield from read_sources(path, report)
