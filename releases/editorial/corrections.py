"""Corrections in public. A publisher changing a live release says whether it is a minor
change (a typo: nothing is shown) or a public update, whose note is listed, dated, on the
release's page and in its feed entry, and whose time becomes its last-updated time
(`last_updated_at`, read by with_times() for pages, feeds and sitemaps)."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from ..models import Release, UpdateNote
from .states import require_publisher

MINOR, UPDATE = "minor", "update"
CHOICES = [
    (MINOR, "Minor change (a typo, a broken link): nothing is shown to the public"),
    (UPDATE, "Public update: the note below is shown on the page and in feeds, dated today"),
]


def is_live(release):
    """Whether `release`, as stored, is public now (published()'s rule)."""
    return Release.objects.published().filter(pk=release.pk).exists()


def announce_update(release, note, user):
    """Record a public update of `release` with `note`, now: the note is listed on its page
    and in its feed entry, and its last-updated time moves to now. Returns the note."""
    require_publisher(user, to="update one in public")
    note = (note or "").strip()
    if not note:
        raise ValidationError("Say what changed: the note is shown on the release's page.")
    now = timezone.now()
    release.last_updated_at = now
    release.save(update_fields=["last_updated_at", "updated_at"])
    return UpdateNote.objects.create(release=release, note=note, created_at=now)
