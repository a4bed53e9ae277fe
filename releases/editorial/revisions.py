"""A release's revisions, kept by django-reversion: recording, listing and restoring them.

Every admin save, bulk action and restore runs inside `recorded()`, which keeps one
revision saying who and why. Imports call `record_import()` once per batch instead, which
writes the same rows in bulk. Restoring brings back a revision's content (title, date,
body, attachments, links) and never its state: publishing stays a publisher's own act
(states.py).
"""

import json
from contextlib import contextmanager

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from reversion.models import Revision, Version

from ..models import Minister, Portfolio, Release
from .states import can_publish
from .times import nz_time

# Derived or bookkeeping columns are left out: body_html and search_names are rebuilt from
# what is kept, and a revision of every import would otherwise store each body twice.
NOT_KEPT = ("body_html", "search_names", "content_hash", "front_matter", "updated_at")
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
    if not can_publish(user):
        raise PermissionDenied("Only staff who may publish releases can restore a revision.")
    fields = version.field_dict
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


def record_import(release_ids, comment, using=None):
    """Keep one revision, with `comment` and no user, holding the current version of each
    release in `release_ids`: what an import created or changed.

    For importers, which write thousands of rows a second: versions are serialised in
    reversion's own format (json, as its serializer writes one object) from batches of
    releases whose links come in two prefetch queries, and written with bulk_create, so
    the cost is a few queries a thousand releases, not several a release. The ministers
    and portfolios are not followed (their names stay current in their own tables).
    Returns the revision, or None if there were no releases.
    """
    ids = list(release_ids)
    if not ids:
        return None
    using = using or DEFAULT_DB_ALIAS
    content_type = ContentType.objects.db_manager(using).get_for_model(Release)
    # The fields register() keeps (all but NOT_KEPT), as reversion's own admin reads them.
    fields = reversion.revisions._get_options(Release).fields
    releases = Release.objects.using(using).prefetch_related("ministers", "portfolios")
    with transaction.atomic(using=using):
        revision = Revision.objects.using(using).create(
            date_created=timezone.now(), comment=comment
        )
        for start in range(0, len(ids), IMPORT_BATCH):
            batch = releases.filter(pk__in=ids[start : start + IMPORT_BATCH])
            Version.objects.using(using).bulk_create(
                _version(revision, content_type, release, fields, using) for release in batch
            )
    return revision


def _version(revision, content_type, release, fields, using):
    # serializers.serialize("json", [obj]) is json.dumps of the python serializer's list:
    # the python one reads the prefetched links, and one dumps per release is the format
    # reversion's deserializer reads back.
    data = serializers.serialize("python", [release], fields=fields)
    return Version(
        revision=revision,
        content_type=content_type,
        object_id=str(release.pk),
        db=using,
        format="json",
        serialized_data=json.dumps(data, cls=DjangoJSONEncoder),
        object_repr=str(release),
    )
