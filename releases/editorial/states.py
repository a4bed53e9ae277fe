"""A release's states and the moves between them.

Draft → published (live, or scheduled while its publish time is in the future) →
withdrawn. Unpublishing returns a published or withdrawn release to draft. An import may
also make a published release a duplicate of another (duplicates.py); publishing it again
undoes that. Every move is a publisher's (`can_publish`): the admin calls these functions,
and each checks again, so a forged request that reaches one is refused here whatever the
form let through.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ..models import Departure, Release, record_departure
from ..models.departures import is_live

Status = Release.Status

# The columns a move writes; the text, and so the search index, is left alone.
STATE_FIELDS = [
    "status", "published_at", "last_updated_at", "withdrawn_at", "withdrawal_reason",
    "duplicate_of",
]  # fmt: skip


def can_publish(user):
    """The one rule for who may publish, schedule, unpublish and withdraw."""
    return user.has_perm("releases.publish_release")


def require_publisher(user, to="do that"):
    """Refuse (PermissionDenied) anyone who may not publish: the server's own check."""
    if not can_publish(user):
        raise PermissionDenied(f"Only staff who may publish releases can {to}.")


def _save(release):
    release.save(update_fields=[*STATE_FIELDS, "updated_at"])


def publish(release, user):
    """Make `release` public: at its publish time if it has one (a future one schedules
    it), else now. A withdrawn release is reinstated and its notice removed; a duplicate
    (editorial/duplicates.py) is one no longer, back at its own address."""
    require_publisher(user)
    if release.status == Status.PUBLISHED:
        return release
    release.status = Status.PUBLISHED
    if release.published_at is None:
        release.published_at = timezone.now()
    release.withdrawn_at = release.withdrawal_reason = None
    release.duplicate_of = None
    _save(release)
    return release


def unpublish(release, user):
    """Published in error: back to draft, so its address answers 404 again. Its times go
    too: it was never properly public, so publishing it later is its first publication."""
    require_publisher(user)
    if release.status == Status.DRAFT:
        return release
    record_departure(release, Departure.Reason.UNPUBLISHED)
    release.status = Status.DRAFT
    release.published_at = release.last_updated_at = None
    release.withdrawn_at = release.withdrawal_reason = None
    release.duplicate_of = None
    _save(release)
    return release


def withdraw(release, reason, user):
    """Withdraw a live release: it stays at its address with a notice giving `reason` and
    the time, and leaves every list, search, feed and sitemap."""
    require_publisher(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason: it is shown on the release's page.")
    if not Release.objects.published().filter(pk=release.pk).exists():
        # A draft or scheduled release has never been public: there is nothing to withdraw.
        raise ValidationError(f"“{release}” is not live: only a live release can be withdrawn.")
    record_departure(release, Departure.Reason.WITHDRAWN)
    release.status = Status.WITHDRAWN
    release.withdrawn_at = timezone.now()
    release.withdrawal_reason = reason
    _save(release)
    return release


def note_leaving(release):
    """Call before an edit saves `release` with a new publish time: if the stored release
    is live and this copy will not be (its time moved into the future), the public list
    loses it until then, which the API's sync must tell (models/departures.py)."""
    stored = Release.objects.filter(pk=release.pk).first()
    if stored is not None and not is_live(release):
        record_departure(stored, Departure.Reason.RESCHEDULED)
