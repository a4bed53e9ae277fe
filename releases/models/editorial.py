"""What staff and imports keep beside a release: import runs, share links, uploaded
attachments and public update notes. The rules for each live in releases/editorial/."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from .release import Release


class ImportRun(models.Model):
    """One run of `load_releases`, recorded when it ends: who started it, what it read,
    what it wrote and every problem its --report would hold. Read-only in the admin."""

    class Outcome(models.TextChoices):
        COMPLETED = "completed", "Completed"
        INTERRUPTED = "interrupted", "Interrupted (Ctrl-C)"
        ABORTED = "aborted", "Stopped: could not go on"
        STRICT = "strict", "Stopped at the first error (--strict), nothing written"

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    started_by = models.CharField(max_length=200, help_text="The command, the user and the host.")
    paths = models.JSONField(default=list, help_text="The files, folders and archives read.")
    dry_run = models.BooleanField(default=False, help_text="Counted only; nothing was written.")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    files = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(
        default=0,
        help_text="Files changed since the last import whose release was edited here "
        "meanwhile: the edit was kept.",
    )
    skipped = models.PositiveIntegerField(default=0, help_text="Files with an error.")
    duplicates = models.PositiveIntegerField(
        default=0,
        help_text="Releases this run found to repeat another, kept in their place "
        "(status Duplicate).",
    )
    problems = models.JSONField(default=list, help_text="Errors, warnings and notes, per file.")

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self):
        return f"Import of {self.started_at:%-d %B %Y, %H:%M} UTC"


class ShareLink(models.Model):
    """A link that shows one release, before it is public, to people without an account
    (a minister's office, journalists under embargo). editorial/sharing.py makes, checks
    and revokes them; only a publisher may make one."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="share_links")
    # Only a hash: the secret is in the link alone, shown once when it is made, so a copy
    # of the database opens nothing.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Kept when the user is deleted, as "a deleted user": the link may still be open.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="share_link_expires_after_made"
            )
        ]

    def __str__(self):
        return f"Share link for “{self.release}”"

    def is_open(self, now=None):
        """Whether the link still shows its release: not revoked and not expired."""
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at


def attachment_path(attachment, filename):
    """Where storage keeps an upload: a folder per release, so that the same name uploaded
    for two releases never collides (storage adds a suffix within one)."""
    return f"attachments/{attachment.release_id}/{filename}"


class Attachment(models.Model):
    """A file uploaded for a release: a document readers download, or an image for its
    body. Served by releases/attachments.py, never straight from storage; what is accepted
    is decided by editorial/uploads.py."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="uploads")
    title = models.CharField(
        max_length=255,
        help_text="Shown as the link, as in “Annual report (PDF, 1.2 MB)”; for an image, "
        "its text for readers who cannot see it.",
    )
    file = models.FileField(
        upload_to=attachment_path,
        max_length=255,
        help_text="PDF, Word, Excel, OpenDocument, CSV or plain text, or a PNG, JPEG, GIF "
        "or WebP image.",
    )
    # Set from the file's checked content (editorial/uploads.py), never from the browser.
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveBigIntegerField(default=0, editable=False, help_text="In bytes.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers list first.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("releases:attachment", kwargs={"pk": self.pk, "name": self.filename})

    def clean(self):
        from ..editorial.uploads import inspect

        # Only a new upload is checked: a stored file was checked when it came in.
        if self.file and not self.file._committed:
            try:
                kind = inspect(self.file)
            except ValidationError as error:
                raise ValidationError({"file": error.messages}) from None
            self.content_type, self.size = kind.content_type, self.file.size

    @property
    def filename(self):
        return self.file.name.rsplit("/", 1)[-1]


class UpdateNote(models.Model):
    """A public correction: what changed in a live release, shown dated on its page and
    in its feed entry. Writing one also sets the release's last-updated time
    (editorial/corrections.py)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="update_notes")
    note = models.TextField(help_text="Shown to the public under the release, with the date.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.note
