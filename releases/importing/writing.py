"""Writing: batches of ParsedReleases -> rows, each batch in one transaction.

Takes lists of ParsedRelease; gives (created, updated) counts and a Problem for each file
the database refused. Ministers and portfolios are resolved to one record per name, new
slugs never collide, and a batch is either written whole or not at all.
"""

import datetime
import functools
import itertools

from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from .. import names
from ..editorial import duplicates, revisions
from ..models import (
    RESERVED_SLUGS,
    Minister,
    MinisterAlias,
    Portfolio,
    PortfolioAlias,
    Release,
)
from .parsing import SLUG_LENGTH
from .results import Problem

# Values one statement may carry: SQLite's default limit since 3.32 (PostgreSQL's is 65,535).
MAX_PARAMETERS = 32766


class UniqueSlugs:
    """Hands out slugs that no other row of a model has, nor any of `reserved`, without a
    query per slug."""

    def __init__(self, queryset, reserved=()):
        self.taken = {*reserved, *queryset.values_list("slug", flat=True)}

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
        # A record answers to its name too, as renamed in the admin (an export writes
        # it): the spellings imports saw come first.
        for pk, name in self.names.items():
            self.by_key.setdefault(fold(name), pk)
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

    def known(self, spellings):
        """The ids of the records these spellings map to, creating none: a spelling of no
        record yet is left out."""
        ids = (self.by_spelling.get(s) or self.by_key.get(self.fold(s)) for s in spellings)
        return list(dict.fromkeys(pk for pk in ids if pk is not None))


class ReleaseWriter:
    """Upserts batches of parsed releases with their ministers and portfolios."""

    CONTENT_FIELDS = [
        "import_key", "content_hash", "text_hash", "title", "date", "source_url", "body", "body_html",
        "attachments", "front_matter", "search_names", "updated_at", "imported_at",
    ]  # fmt: skip
    NEW_FIELDS = CONTENT_FIELDS + [
        "slug", "status", "published_at", "withdrawn_at", "withdrawal_reason", "created_at",
    ]  # fmt: skip

    def __init__(self):
        self._load()

    def _load(self):
        """What the database holds: identities, hashes, slugs and names (see write())."""
        imported = Release.objects.filter(import_key__isnull=False)
        rows = imported.values_list("import_key", "pk", "content_hash")
        self.existing = {key: pk for key, pk, _ in rows}
        self.known_hashes = {content_hash for _, _, content_hash in rows}
        self.slugs = UniqueSlugs(Release.objects.all(), reserved=RESERVED_SLUGS)
        self.ministers = NameRegistry(
            Minister, MinisterAlias, names.minister_key, names.minister_display_name
        )
        self.portfolios = NameRegistry(
            Portfolio, PortfolioAlias, names.portfolio_key, names.portfolio_display_name
        )

    def write(self, batch, report):
        """Write one batch in one transaction; return (created, updated, kept, duplicates).

        A changed file whose release was edited in the admin since its last import is not
        applied: the admin's version is kept (`kept`) and the file named in a warning.
        Releases written that repeat another, stored or in the batch, are folded into it
        (`duplicates`: editorial/duplicates.py).

        Everything is checked before it gets here, so the database refusing a value is
        rare; when it does, the batch is rolled back and written again file by file, so
        the refused file alone is skipped and reported. The slugs and names handed out
        in the failed attempt are forgotten by reading them again from the database.
        """
        try:
            created, updated, kept, folded = self._write(batch)
        except (DatabaseError, ValueError) as exc:
            self._load()
            if len(batch) == 1:
                report(Problem(batch[0].path, "database", f"refused the release: {exc}"))
                return 0, 0, 0, 0
            counts = [self.write([parsed], report) for parsed in batch]
            return tuple(sum(column) for column in zip(*counts))
        for parsed, edited in kept:
            self._keep_unapplied(parsed)
            message = (
                f"changed since the last import, but its release was edited in the admin on "
                f"{edited:%-d %B %Y at %H:%M} UTC: the admin's version is kept"
            )
            report(Problem(parsed.path, "release", message, "warning"))
        return created, updated, len(kept), folded

    def _write(self, batch):
        now = timezone.now()
        new = [p for p in batch if p.import_key not in self.existing]
        changed = [p for p in batch if p.import_key in self.existing]
        # Edited since its last import: a release saved after the import wrote it. (One
        # imported before imports were timed has no imported_at, and counts as not edited.)
        edited = dict(
            Release.objects.filter(pk__in=[self.existing[p.import_key] for p in changed])
            .filter(updated_at__gt=F("imported_at"))
            .values_list("pk", "updated_at")
        )
        kept = [(p, edited[pk]) for p in changed if (pk := self.existing[p.import_key]) in edited]
        changed = [p for p in changed if self.existing[p.import_key] not in edited]
        written = new + changed
        with transaction.atomic():
            minister_ids = self.ministers.resolve(s for p in written for s in p.ministers)
            portfolio_ids = self.portfolios.resolve(s for p in written for s in p.portfolios)
            links = {p.import_key: self._links(p, minister_ids, portfolio_ids) for p in written}
            # Each row carries its search_names: the database indexes it as it is written.
            rows = (
                [
                    *self._content(p, links[p.import_key], now),
                    self._slug(p),
                    p.status,
                    p.published_at or published_at(p.date, now, p.status),
                    p.withdrawn_at,
                    p.withdrawal_reason,
                    now,
                ]
                for p in new
            )
            ids = dict(insert_rows(Release, self.NEW_FIELDS, rows, returning=["import_key", "id"]))
            # A release a changed file updates keeps a revision of what it was and of
            # what the file makes it (editorial/revisions.py), as an admin save would.
            # Such files are rare: this, and one UPDATE each, cost a first import nothing.
            revisions.keep_imported_states(self.existing[p.import_key] for p in changed)
            for p in changed:
                ids[p.import_key] = self.existing[p.import_key]
                Release.objects.filter(pk=ids[p.import_key]).update(
                    **dict(zip(self.CONTENT_FIELDS, self._content(p, links[p.import_key], now)))
                )
            changed_ids = [ids[p.import_key] for p in changed]
            # Before the links go in: a new release folded now was never counted in its
            # ministers' and portfolios' tallies (migration 0021), so none is counted again.
            folded = duplicates.fold(ids.values(), created=[ids[p.import_key] for p in new])
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
            if changed_ids:
                revisions.record_many(changed_ids, "Updated by load_releases: its file changed.")
        self.existing.update(ids)
        # A kept file's hash is not stored: the next import finds the conflict again.
        self.known_hashes.update(p.content_hash for p in written)
        return len(new), len(changed), kept, folded

    def _keep_unapplied(self, parsed):
        """Keep the version a kept file would have made in its release's history, beside the
        admin's, so staff can compare them and restore the file's. Its names of no
        minister or portfolio yet are left out rather than made records of."""
        revisions.record_unapplied(
            self.existing[parsed.import_key],
            {name: getattr(parsed, name) for name in revisions.RESTORED},
            self.ministers.known(parsed.ministers),
            self.portfolios.known(parsed.portfolios),
            parsed.content_hash,
        )

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
            parsed.import_key, parsed.content_hash, parsed.text_hash, parsed.title, parsed.date,
            parsed.source_url,
            parsed.body, parsed.body_html, parsed.attachments, parsed.front_matter, search_names,
            now, now,
        ]  # fmt: skip

    def _slug(self, parsed):
        """The URL's last segment; where the old site reused it, qualified by the date."""
        return self.slugs.claim(
            parsed.url_slug, parsed.date.isoformat() if parsed.date else "undated"
        )


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


def published_at(date, now, status=Release.Status.PUBLISHED):
    """Imported releases were public on their date; the source gives days, in UTC. A
    draft without a publish time of its own has none."""
    if status == Release.Status.DRAFT:
        return None
    if date is None:
        return now
    return datetime.datetime.combine(date, datetime.time(), tzinfo=datetime.UTC)


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
