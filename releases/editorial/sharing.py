"""Share links: one release, before it is public, for people without an account (the
minister's office, journalists under embargo).

A link is /share/<token>/. The token is a random secret (secrets.token_urlsafe: 256 bits)
signed with the site's SECRET_KEY (django.core.signing, which checks in constant time), and
only the secret's SHA-256 is stored: the link is shown once, when it is made, and a copy of
the database opens nothing. A tampered token fails its signature before the database is
asked; an expired or revoked link is found and refused. All three answer the site's plain
404 page, which names no release, so a wrong guess learns nothing.

Only a publisher (states.can_publish) makes or revokes a link; each function checks again,
whatever the admin let through.
"""

import hashlib
import secrets
from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from ..models import Release, ShareLink
from . import preview
from .states import require_publisher
from .times import nz_time

DEFAULT_LIFETIME = timedelta(hours=48)
MAX_LIFETIME = timedelta(days=14)
# A signature made for share links is worth nothing anywhere else the key signs.
SIGNER = signing.Signer(salt="releases.share-link")


def _hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def create(release, user, lifetime=DEFAULT_LIFETIME):
    """Make a share link to `release` for `lifetime` (at most 14 days). Returns the link
    and its address (a path), the only copy of its secret."""
    require_publisher(user, to="make or revoke share links")
    if not timedelta(0) < lifetime <= MAX_LIFETIME:
        raise ValidationError("A share link can be open for an hour to 14 days.")
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    link = ShareLink.objects.create(
        release=release,
        token_hash=_hash(secret),
        created_by=user,
        created_at=now,
        expires_at=now + lifetime,
    )
    return link, reverse("releases:share", args=[SIGNER.sign(secret)])


def revoke(link, user):
    """Close `link` at once; revoking it again changes nothing."""
    require_publisher(user, to="make or revoke share links")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = user
        link.save(update_fields=["revoked_at", "revoked_by"])
    return link


def find_open(token):
    """The open link `token` names, or None: tampered, unknown, expired or revoked."""
    try:
        secret = SIGNER.unsign(token)
    except signing.BadSignature:
        return None
    link = ShareLink.objects.filter(token_hash=_hash(secret)).first()
    return link if link is not None and link.is_open() else None


def describe(link, now=None):
    """A link's state as the admin lists it: open until, expired, or revoked by whom."""
    if link.revoked_at is not None:
        return f"Revoked {nz_time(link.revoked_at)} by {link.revoked_by or 'a deleted user'}"
    if not link.is_open(now):
        return "Expired"
    return "Open"


def shared_release(request, token):
    """/share/<token>/: the link's release as its public page will be, under a banner, to
    anyone holding an open link; once the release is public (or withdrawn, which is public
    at its address with its notice), a redirect (302, since the link may yet be revoked)
    to its address. Never indexed, never cached."""
    link = find_open(token)
    public = link and Release.objects.viewable().only("slug").filter(pk=link.release_id).first()
    if link is None:
        response = render(request, "404.html", status=404)
    elif public:
        response = redirect(public)
    else:
        release = Release.objects.for_page().get(pk=link.release_id)
        response = preview.render_preview(
            request,
            release,
            "Shared preview: not public yet.",
            "This release has been shared with you. Please do not pass the link on. It "
            f"stops working {nz_time(link.expires_at)}.",
        )
    # Whatever the answer, so that no search engine lists it and no browser or proxy
    # keeps it for the next person at the same computer or behind the same cache.
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"
    return response
