"""A release's revisions, kept by django-reversion: recording, listing and restoring them.

Every admin save, bulk action and restore runs inside `recorded()`, which keeps one
revision saying who and why. Merges, which relink thousands of releases at once, call
`record_many()` instead, which writes the same rows in bulk. Restoring brings back a revision's content (title, date,
body, attachments, links) and never its state: publishing stays a publisher's own act
(states.py).
"""

import json
from contextlib import contextmanager

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from reversion.models import Revision, Version

from ..models import Minister, Portfolio, Release
from .states import require_publisher
from .times import nz_time

# Derived or bookkeeping columns are left out: body_html and search_names are rebuilt from
# what is kept, and a revision of every import would otherwise store each body twice.
NOT_KEPT = (
    "body_html", "search_names", "content_hash", "text_hash", "front_matter", "updated_at",
)  # fmt: skip
# What a restore brings back. The address (slug) and the state stay as they are now.
RESTORED = ("title", "date", "source_url", "body", "attachments")

reversion.register(Minister)
reversion.register(Portfolio)
# Following the links keeps each minister's and portfolio's name as it was then.
reversion.register(Release, exclude=NOT_KEPT, follow=("ministers", "portfolios"))

IMPORT_BATCH = 1000


@contextmanager
def recorded(user, comment):
    """A block, in one transaction, whose saves of registered models make one revision by
    `user` (None for an import or a command) with `comment`. An error inside keeps none."""
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        yield


def comment(text):
    """Set the comment of the revision being recorded, if one is."""
    if reversion.is_active():
        reversion.set_comment(text)


def history(release):
    """The versions of `release`, newest first, each with its revision and its user."""
    return (
        Version.objects.get_for_object(release)
        .select_related("revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def restore(release, version, user):
    """Bring back the content of `version` of `release`, as a new revision. Its status,
    publish and withdrawal times and address stay as they are now: a restored published
    version of what is now a draft stays a draft until a publisher publishes it."""
    require_publisher(user, to="restore a revision")
    fields = version.field_dict
    keep_imported_states([release.pk])
    comment = f"Restored the version of {nz_time(version.revision.date_created)}"
    with recorded(user, comment):
        for name in RESTORED:
            if name in fields:  # a version kept before a field existed has none
                setattr(release, name, fields[name])
        release.save()
        # A minister or portfolio deleted since is left out rather than refused.
        release.ministers.set(Minister.objects.filter(pk__in=fields.get("ministers", [])))
        release.portfolios.set(Portfolio.objects.filter(pk__in=fields.get("portfolios", [])))
    return release


def keep_imported_states(release_ids):
    """For each of these releases that came from an import and has no revision yet, keep
    a first one: its state as the import wrote it, dated when it was imported. Called
    before anything changes them, so an imported release's history starts with its
    import; recording all 55,000 at import time instead would cost the import 8 of its
    20 seconds (bench/editorial.py), for releases most of which never change."""
    ids = [int(pk) for pk in release_ids]
    content_type = ContentType.objects.get_for_model(Release)
    kept = Version.objects.filter(content_type=content_type, object_id__in=map(str, ids))
    versioned = set(kept.values_list("object_id", flat=True))
    imported = Release.objects.filter(pk__in=ids, imported_at__isnull=False)
    by_import = {}
    for pk, imported_at in imported.values_list("pk", "imported_at"):
        if str(pk) not in versioned:
            by_import.setdefault(imported_at, []).append(pk)
    for imported_at, pks in by_import.items():
        record_many(pks, "Imported by load_releases.", date=imported_at)


def record_many(release_ids, comment, user=None, using=None, date=None):
    """Keep one revision, with `comment` and `user` (None for a command), holding the
    current version of each release in `release_ids`: what a merge relinked, or an import
    created or changed.

    For changes to thousands of releases at once: each version is written in
    reversion's own format (what serializers.serialize("json", [release]) writes, which
    its deserializer reads back) from plain rows, a thousand at a time, with their links
    from the link tables, and inserted in one statement run for every row: a few queries
    a thousand releases, none a release. Django's serializer, called per release, cost 1.5 ms each (it builds
    a query for each link field even when the links are prefetched). The ministers and
    portfolios are not followed: their names stay current in their own tables.
    Returns the revision, or None if there were no releases.
    """
    ids = list(release_ids)
    if not ids:
        return None
    using = using or DEFAULT_DB_ALIAS
    links, columns = _kept_fields()
    with transaction.atomic(using=using):
        revision = Revision.objects.using(using).create(
            date_created=date or timezone.now(), comment=comment, user=user
        )
        for start in range(0, len(ids), IMPORT_BATCH):
            batch = ids[start : start + IMPORT_BATCH]
            linked = {name: _links(name, batch, using) for name in links}
            rows = Release.objects.using(using).filter(pk__in=batch).values("pk", *columns)
            _write_versions(revision, rows, linked, using)
    return revision


def record_unapplied(release_id, values, ministers, portfolios, content_hash):
    """Keep, in a release's history, the version a changed file would have made of it when
    the import kept an edit made in the admin instead: `values` are the file's content
    fields, `ministers` and `portfolios` the ids its names map to. So the two versions can
    be compared and the file's restored. Kept once per version of the file, though every
    import names the conflict again until it is resolved. Returns the revision, or None."""
    comment = (
        "Not applied by load_releases: the file's version, kept because the release was "
        f"edited in the admin (file {content_hash[:12]})."
    )
    content_type = ContentType.objects.get_for_model(Release)
    versions = Version.objects.filter(content_type=content_type, object_id=str(release_id))
    if versions.filter(revision__comment=comment).exists():
        return None
    links, columns = _kept_fields()
    row = Release.objects.values("pk", *columns).get(pk=release_id)
    row |= {name: value for name, value in values.items() if name in columns}
    linked = {"ministers": {release_id: ministers}, "portfolios": {release_id: portfolios}}
    with transaction.atomic():
        revision = Revision.objects.create(date_created=timezone.now(), comment=comment)
        _write_versions(revision, [row], linked, DEFAULT_DB_ALIAS)
    return revision


def _kept_fields():
    """(link fields, column fields) that register() keeps (all but NOT_KEPT), as
    reversion's own admin reads them. The serializer leaves out the primary key
    (serialize=False): it is the version's "pk"."""
    kept = reversion.revisions._get_options(Release).fields
    links = [name for name in kept if Release._meta.get_field(name).many_to_many]
    columns = [n for n in kept if n not in links and Release._meta.get_field(n).serialize]
    return links, columns


def _write_versions(revision, rows, linked, using):
    """One Version of `revision` for each release row, its links taken from `linked`."""
    content_type = ContentType.objects.db_manager(using).get_for_model(Release)
    label = Release._meta.label_lower
    with connections[using].cursor() as cursor:
        cursor.executemany(
            _insert_versions_sql(connections[using]),
            [
                (
                    revision.pk,
                    str(row["pk"]),
                    content_type.pk,
                    using,
                    "json",
                    row["title"],  # object_repr: str(release)
                    _serialized(label, row, linked),
                )
                for row in rows
            ],
        )


def _insert_versions_sql(connection):
    # A plain INSERT run for every row: bulk_create spent more time building a Version and
    # preparing each of its values than the database took to write them.
    columns = ["revision_id", "object_id", "content_type_id", "db", "format", "object_repr",
               "serialized_data"]  # fmt: skip
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    table = connection.ops.quote_name(Version._meta.db_table)
    return f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))})"


def _links(name, release_ids, using):
    """{release id: [linked ids]} for the many-to-many field `name`, in one query."""
    field = Release._meta.get_field(name)
    through = field.remote_field.through.objects.using(using)
    source, target = field.m2m_column_name(), field.m2m_reverse_name()  # release_id, …
    linked = {}
    pairs = through.filter(**{f"{source}__in": release_ids}).values_list(source, target)
    for release_id, other_id in pairs:
        linked.setdefault(release_id, []).append(other_id)
    return linked


def _serialized(label, row, linked):
    # As Django's json serializer writes it: [{"model", "pk", "fields"}], dates and times
    # as DjangoJSONEncoder writes them, links as lists of ids, non-ASCII text as it is.
    pk = row.pop("pk")
    fields = row | {name: links.get(pk, []) for name, links in linked.items()}
    return json.dumps(
        [{"model": label, "pk": pk, "fields": fields}], cls=DjangoJSONEncoder, ensure_ascii=False
    )
