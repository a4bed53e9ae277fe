"""Merging ministers or portfolios: two records found to be one person or portfolio
become one, and nothing that pointed at the merged-away ones is lost.

The record that stays keeps every release once, in the place its first merged link had
(the first portfolio listed is a release's main one); it takes the others' spellings and
names as aliases, so the next import maps them to it; their public addresses redirect to
it; search finds its releases by its name; and each release relinked keeps a revision
saying so.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import MergedAddress
from ..search import index_releases
from .revisions import keep_imported_states, record_many
from .states import require_publisher


def merge(survivor, merged, user):
    """Fold the records `merged` into `survivor` (ministers, or portfolios) and delete them;
    return the number of releases whose links changed."""
    require_publisher(user, to="merge ministers or portfolios")
    model = type(survivor)
    merged = [record for record in merged if record.pk != survivor.pk]
    if not merged:
        raise ValidationError("Choose at least two records: one to keep and one to merge into it.")
    if any(type(record) is not model for record in merged):
        raise ValidationError("Only ministers with ministers, or portfolios with portfolios.")
    kind = model._meta.model_name
    column, ids = f"{kind}_id", [record.pk for record in merged]
    links = model.releases.through.objects
    aliases = model.aliases.rel.related_model.objects
    with transaction.atomic():
        merged_links = links.filter(**{f"{column}__in": ids}).order_by("pk")
        release_ids = set(merged_links.values_list("release_id", flat=True))
        keep_imported_states(release_ids)
        linked = set(
            links.filter(**{column: survivor.pk}, release_id__in=release_ids).values_list(
                "release_id", flat=True
            )
        )
        # A release's first link to any merged record becomes its link to the survivor,
        # unless it has one already; its other links to them go.
        first = {}
        for link_id, release_id in merged_links.values_list("pk", "release_id"):
            if release_id not in linked:
                first.setdefault(release_id, link_id)
        links.filter(pk__in=first.values()).update(**{column: survivor.pk})
        links.filter(**{f"{column}__in": ids}).delete()

        aliases.filter(**{f"{column}__in": ids}).update(**{column: survivor.pk})
        known = set(aliases.values_list("spelling", flat=True))
        names = dict.fromkeys(r.name for r in merged if r.name not in known)
        aliases.bulk_create(aliases.model(spelling=n, **{column: survivor.pk}) for n in names)

        addresses = MergedAddress.objects.filter(kind=kind)
        addresses.filter(target_id__in=ids).update(target_id=survivor.pk)
        addresses.filter(slug=survivor.slug).delete()  # its own address is its again
        addresses.bulk_create(
            MergedAddress(kind=kind, slug=r.slug, target_id=survivor.pk) for r in merged
        )
        model.objects.filter(pk__in=ids).delete()
        index_releases(release_ids)
        names = ", ".join(f"“{record}”" for record in merged)
        record_many(release_ids, f"Merged {names} into “{survivor}”", user)
    return len(release_ids)


def merged_into(model, slug):
    """The record that the merged-away `slug` of a minister or portfolio now is, or None."""
    address = MergedAddress.objects.filter(kind=model._meta.model_name, slug=slug).first()
    return address and model.objects.filter(pk=address.target_id).first()
