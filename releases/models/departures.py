"""Releases that left the public site, kept so that a mirror of the API can drop them.

A release withdrawn or unpublished is still a row, but its departure must not show
anything about its new state (a draft's new title, say); a deleted one is no row at all.
So every departure from the public list is written here, with the release's id and slug
as the public knew them, and the sync (api/sync.py) sends these as tombstones.
"""

from django.db import models
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone

from .release import Release


class Departure(models.Model):
    """One release leaving the public list: its id and slug, why, and when."""

    class Reason(models.TextChoices):
        WITHDRAWN = "withdrawn", "Withdrawn"
        UNPUBLISHED = "unpublished", "Unpublished (back to draft)"
        DELETED = "deleted", "Deleted"
        # A live release whose publish time a publisher moved into the future: it comes
        # back, as a change, when that time passes.
        RESCHEDULED = "rescheduled", "Moved to a publish time still to come"
        # A live release an import folds into another ("duplicate" status): written by
        # editorial/duplicates.fold(), through record_departures(), for all it folds at once.
        DUPLICATE = "duplicate", "Folded into another release as a duplicate"

    release_id = models.BigIntegerField(help_text="The id the release had.")
    slug = models.SlugField(max_length=255, help_text="The slug it had when it left.")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.slug} {self.reason} at {self.at:%Y-%m-%d %H:%M}"


def is_live(release):
    """Whether `release`, as loaded, is on the public list: published()'s rule, on the row."""
    return (
        release.status == Release.Status.PUBLISHED
        and release.published_at is not None
        and release.published_at <= timezone.now()
    )


def record_departures(releases, reason, using=None):
    """Note that each of `releases` on the public list now leaves it (call before the
    change), in one INSERT (on SQLite one per 249: its limit of 999 parameters), none if
    none is live. A draft or a scheduled release was never public: nothing is written for
    it. A release may be a row (values_list(named=True)) of pk, slug, status, published_at."""
    Departure.objects.db_manager(using).bulk_create(
        Departure(release_id=release.pk, slug=release.slug, reason=reason)
        for release in releases
        if is_live(release)
    )


def record_departure(release, reason, using=None):
    """record_departures() for one release."""
    record_departures([release], reason, using)


@receiver(pre_delete, sender=Release)
def note_deleted_release(sender, instance, using, **kwargs):
    """Every delete (the admin's, a queryset's) passes here: Django sends this signal for
    each row rather than deleting in bulk once a receiver is connected."""
    record_departure(instance, Departure.Reason.DELETED, using)
