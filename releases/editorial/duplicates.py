"""One release, one page: the rule for when a release repeats another, and folding copies.

The old site published some releases twice (1,340 files of the archive in 621 groups with
identical bodies, mostly an address and the same address with "-0"). The rule, once:

    A release repeats another when their titles and bodies have the same words in the same
    order (letters and digits; case, punctuation and spacing aside: `fingerprint()`) and
    their dates are the same or one day apart (`WINDOW`; the archive's dates are UTC days,
    one before New Zealand's at times). Of the copies, the one with the earliest date is
    kept, then the lowest id; a copy more than a day after the one kept starts a group of
    its own.

Words rather than exact text: the seed release's two copies differ by one full stop, and
the 1990s' copies by an ALL CAPS title. Only imported, dated releases with a body fold:
an empty body says nothing of what a release is, and an unknown date has no neighbours.

A copy keeps its row, file identity and front matter, with status DUPLICATE and
`duplicate_of` the one kept: published() and viewable() leave it out, so it is listed
nowhere, and its address redirects to the one kept (views.release_detail). A release edited
in the admin since its import is never changed by the fold: a publisher who sets a copy
back to published (`keep_apart()`) is not undone by the next import.
"""

import datetime
import hashlib
import itertools
import re

from django.db import connections, router
from django.utils import timezone

from ..models import Departure, Release, record_departures
from . import revisions, states

Status = Release.Status
WINDOW = datetime.timedelta(days=1)
WORDS = re.compile(r"\w+")
FOLDED_COMMENT = "Found by load_releases to repeat an earlier release (or no longer to)."
# What fold() reads of each release in a group of copies (a tombstone needs the last two).
COPY_FIELDS = [
    "pk", "text_hash", "date", "status", "duplicate_of", "updated_at", "imported_at", "slug",
    "published_at",
]  # fmt: skip


def fingerprint(title, body):
    """The SHA-256 of a release's words, title then body; "" for a body without words,
    which repeats nothing (and is never compared)."""
    if not WORDS.search(body or ""):
        return ""
    words = " ".join(WORDS.findall(f"{title}\n{body}".casefold()))
    return hashlib.sha256(words.encode("utf-8")).hexdigest()


def kept_for(copies):
    """{release id: id of the release it repeats} among `copies`, (id, date) pairs of
    releases with one fingerprint: the rule's choice of which one is kept."""
    repeats, kept = {}, None
    for pk, date in sorted(copies, key=lambda copy: (copy[1], copy[0])):
        if kept is not None and date - kept[1] <= WINDOW:
            repeats[pk] = kept[0]
        else:
            kept = (pk, date)
    return repeats


def fold(release_ids, created=()):
    """Apply the rule to each group of copies that one of `release_ids` (releases an
    import has just written) belongs to, or is kept for; return how many releases it made
    duplicates. Three queries, whatever the number of releases, and two more to write what
    changes: the releases, and the tombstones of those folded while public, so that a
    mirror of the API drops them (models/departures.py); with a revision's few for
    releases stored before. Releases withdrawn, or edited in the admin since their import,
    keep their state.

    `created` are those of `release_ids` the import has just inserted: no one has seen them
    (its transaction hides them until it commits), so folding one leaves no tombstone."""
    ids = list(release_ids)
    if not ids:
        return 0
    # Two lookups, by id and on the duplicate_of index: as one query with an OR, or as a
    # subquery, SQLite read every release (0.4 s a batch of the archive).
    releases = Release.objects.order_by()
    hashes = set(releases.filter(pk__in=ids).values_list("text_hash", flat=True))
    hashes |= set(releases.filter(duplicate_of__in=ids).values_list("text_hash", flat=True))
    hashes -= {"", None}
    members = (
        Release.objects.filter(
            text_hash__in=hashes,
            import_key__isnull=False,
            date__isnull=False,
            # A withdrawn release still answers at its address: its copies may lead there.
            status__in=[Status.PUBLISHED, Status.DUPLICATE, Status.WITHDRAWN],
        )
        .order_by("text_hash")
        .values_list(*COPY_FIELDS, named=True)
    )
    rows, left = {}, set()  # left as they are: withdrawn, or edited in the admin since
    for row in members:
        edited = row.imported_at is not None and row.updated_at > row.imported_at
        if row.status == Status.WITHDRAWN or edited:
            if row.status == Status.DUPLICATE:
                continue  # nor is a duplicate so left ever the one kept
            left.add(row.pk)
        rows[row.pk] = row
    repeats = {}
    for _, group in itertools.groupby(rows.values(), key=lambda row: row.text_hash):
        repeats |= kept_for((row.pk, row.date) for row in group)
    changes = []
    folded = []  # rows of the releases that were not duplicates before
    for row in rows.values():
        wanted = (
            (Status.DUPLICATE, repeats[row.pk]) if row.pk in repeats else (Status.PUBLISHED, None)
        )
        if row.pk not in left and (row.status, row.duplicate_of) != wanted:
            changes.append(Release(pk=row.pk, status=wanted[0], duplicate_of_id=wanted[1]))
            if row.status != Status.DUPLICATE and wanted[0] == Status.DUPLICATE:
                folded.append(row)
    if not changes:
        return 0
    # Releases the import wrote before this batch get a revision of the change, as any
    # change to an imported release does; those it has just created start their history
    # from their import, as all do.
    written = set(ids)
    earlier = [release.pk for release in changes if release.pk not in written]
    if earlier:
        revisions.keep_imported_states(earlier)
    unseen = set(created)
    record_departures((row for row in folded if row.pk not in unseen), Departure.Reason.DUPLICATE)
    now = timezone.now()
    for release in changes:
        # The import wrote it: not an edit in the admin, which a later import would keep.
        release.updated_at = release.imported_at = now
    Release.objects.bulk_update(
        changes, ["status", "duplicate_of", "updated_at", "imported_at"], batch_size=500
    )
    if earlier:
        revisions.record_many(earlier, FOLDED_COMMENT)
    return len(folded)


def fingerprint_stored(batch_size=1000):
    """Fingerprint the imported releases that have none (imported before duplicates were
    recognised) and fold their copies, a batch at a time; return how many it made
    duplicates. An import calls it first, so importing again folds an older database; once
    done, it costs one query on the text_hash index."""
    missing = Release.objects.filter(import_key__isnull=False, text_hash__isnull=True).order_by()
    connection = connections[router.db_for_write(Release)]
    quote = connection.ops.quote_name
    # One plain UPDATE by id for each: bulk_update's CASE of a thousand ids, compared for
    # each of the thousand rows, took longer than the hashing.
    update = "UPDATE {} SET {} = %s WHERE {} = %s".format(
        *map(quote, [Release._meta.db_table, "text_hash", "id"])
    )
    folded = 0
    while batch := list(missing.values_list("pk", "title", "body")[:batch_size]):
        with connection.cursor() as cursor:
            cursor.executemany(update, [(fingerprint(t, body), pk) for pk, t, body in batch])
        folded += fold(pk for pk, _, _ in batch)
    return folded


def keep_apart(release, user):
    """Not a duplicate after all: `release` is published again, at its own address, and
    imports leave it so (it counts as edited in the admin). A publisher's move."""
    states.require_publisher(user, to="set a duplicate back to published")
    if not release.is_duplicate:
        return release
    return states.publish(release, user)
