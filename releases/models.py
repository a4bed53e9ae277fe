"""The release archive: releases, the ministers who issued them and their portfolios.

A Release links to any number of Ministers and Portfolios. A person or a portfolio is one
record however the source spells it: every spelling seen is kept as an alias whose folded
key (see names.py) points at the record, so later imports map to the same row.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from .querysets import NamedQuerySet, ReleaseQuerySet
from .rendering import NestedTooDeeply, render_markdown


class NamedEntity(models.Model):
    """A minister or portfolio: a display name, a public slug and the aliases it answers to."""

    name = models.CharField(max_length=255, help_text="The name shown to the public.")
    slug = models.SlugField(max_length=255, unique=True, help_text="Used in the public address.")

    objects = NamedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Releases are found by their ministers' and portfolios' names: re-index on a rename.
        from .search import index_releases

        index_releases(self.releases.values_list("pk", flat=True), using=self._state.db)


class Alias(models.Model):
    """One spelling of a name as seen in imported data, and the record it resolves to."""

    spelling = models.CharField(
        max_length=500, unique=True, help_text="Exactly as imported; later imports match it."
    )

    class Meta:
        abstract = True
        ordering = ["spelling"]

    def __str__(self):
        return self.spelling


class Minister(NamedEntity):
    """A person who issued releases; 'Hon', 'Rt Hon' and spelling variants fold into one."""

    class Meta(NamedEntity.Meta):
        pass

    def get_absolute_url(self):
        return reverse("releases:minister", kwargs={"slug": self.slug})


class MinisterAlias(Alias):
    minister = models.ForeignKey(Minister, on_delete=models.CASCADE, related_name="aliases")

    class Meta(Alias.Meta):
        verbose_name_plural = "minister aliases"


class Portfolio(NamedEntity):
    """An area of ministerial responsibility, such as 'Trade and Export Growth'."""

    class Meta(NamedEntity.Meta):
        pass

    def get_absolute_url(self):
        return reverse("releases:portfolio", kwargs={"slug": self.slug})


class PortfolioAlias(Alias):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="aliases")

    class Meta(Alias.Meta):
        verbose_name_plural = "portfolio aliases"


class MergedAddress(models.Model):
    """The public address of a minister or portfolio merged into another: it redirects
    there for good (editorial/merges.py)."""

    class Kind(models.TextChoices):
        MINISTER = "minister", "Minister"
        PORTFOLIO = "portfolio", "Portfolio"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    slug = models.SlugField(max_length=255)
    target_id = models.PositiveIntegerField(help_text="The record it was merged into.")
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "slug"], name="one_merged_address")]
        verbose_name_plural = "merged addresses"

    def __str__(self):
        return f"{self.kind} {self.slug}"


class Government(models.Model):
    """A New Zealand government, from the day it was sworn in to the day its successor was.

    Reference data (loaded by a migration): a release belongs to the government in office
    on its date, so nothing needs to be stored on the release itself.
    """

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    prime_ministers = models.CharField(max_length=200, help_text="In order, comma-separated.")
    start_date = models.DateField(help_text="The day it was sworn in.")
    end_date = models.DateField(
        null=True, blank=True, help_text="The day its successor was sworn in; empty if in office."
    )

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="government_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("releases:government", kwargs={"slug": self.slug})


def validate_attachments(value):
    """Attachments are a list of addresses, as the importer writes them. Anything else
    shows as nonsense on the public page: a bare string, for one, is listed letter by letter."""
    if not isinstance(value, list) or not all(
        isinstance(item, str) and item.strip() for item in value
    ):
        raise ValidationError(
            "Enter a list of addresses, each in double quotes, such as "
            '["https://www.beehive.govt.nz/sites/default/files/report.pdf"], or [] for none.',
            code="invalid_attachments",
        )


class Release(models.Model):
    """A press release, as imported from Markdown or written by staff in the admin."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        # Live once published_at has passed, scheduled until then (see published()).
        PUBLISHED = "published", "Published"
        # Still at its address with a notice; listed nowhere (see viewable()).
        WITHDRAWN = "withdrawn", "Withdrawn"

    title = models.CharField(max_length=500)
    slug = models.SlugField(
        max_length=255,
        unique=True,
        # No angle brackets: the admin shows help text as HTML.
        help_text="The last part of the public address, as in /releases/this-is-the-slug/. "
        "Changing it breaks links to the old address.",
    )
    date = models.DateField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Date of the release. Empty when the source gives no real date.",
    )
    source_url = models.URLField(
        "source URL",
        max_length=500,
        blank=True,
        db_index=True,
        help_text="Where the release was first published. Not unique: the old site reused some.",
    )
    ministers = models.ManyToManyField(Minister, related_name="releases", blank=True)
    portfolios = models.ManyToManyField(Portfolio, related_name="releases", blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a published release goes public, New Zealand time. A time in the "
        "future schedules it: it stays off the public site, feeds and search until then. "
        "Left empty, publishing makes it public at once.",
    )
    # Every column added here is nullable with no default: a NOT NULL one makes Django
    # rebuild the table on SQLite, which drops the search triggers (migration 0006), and
    # the importer's INSERTs name their columns, leaving any new one to the database.
    last_updated_at = models.DateTimeField(
        "last updated",
        null=True,
        blank=True,
        editable=False,
        help_text="When it was last updated in public. Empty until then: a release never "
        "updated was last updated when it was first published (see with_times()).",
    )
    withdrawn_at = models.DateTimeField("withdrawn", null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField(  # noqa: DJ001 (nullable: see above)
        null=True,
        blank=True,
        editable=False,
        help_text="Shown on the release's page beside the date it was withdrawn.",
    )
    # Modified: any change at all, for syncing and caching; never shown as a public time.
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Import bookkeeping: which file a release came from and whether it has changed (the
    # file's raw front matter is kept below, with the other long text).
    import_key = models.CharField(
        max_length=600,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="Identity of the imported file: its date and source URL.",
    )
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    imported_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When an import last wrote it. Changed after that (updated_at later) means "
        "edited here, which a later import keeps rather than overwrites.",
    )
    search_names = models.TextField(
        blank=True,
        editable=False,
        help_text="Its ministers' and portfolios' names, as search indexes them.",
    )

    # The long text comes last: on SQLite, reading any column stored after a long value
    # walks that value's overflow pages (migration 0006 put these columns last).
    attachments = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_attachments],
        help_text="A list of addresses, each in double quotes: "
        '["https://www.beehive.govt.nz/sites/default/files/report.pdf"]. [] for none.',
    )
    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = models.TextField(
        "body HTML",
        blank=True,
        editable=False,
        help_text="The body rendered and sanitised when saved.",
    )
    front_matter = models.TextField(
        blank=True, editable=False, help_text="The YAML front matter exactly as imported."
    )

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = [models.F("date").desc(nulls_last=True), "-id"]
        get_latest_by = "date"
        # Changing a release is not publishing it: advisers draft, a press secretary
        # publishes (enforced in ReleaseAdmin).
        permissions = [("publish_release", "Can publish releases")]
        indexes = [
            # Covers published() (status and published_at) with the date, so counting a
            # listing reads the index alone, not the rows with their long bodies.
            models.Index(fields=["status", "date", "published_at"], name="release_published_idx"),
            # Lets a re-import read every stored file's identity and hash from the index
            # alone, without visiting 55,000 rows.
            models.Index(fields=["import_key", "content_hash"], name="release_import_idx"),
            # SQLite looks each search match up by id, to check it is published and read
            # its date for the facets: from this index, hundreds of releases a page, rather
            # than from the rows (the facets of "Maori" took 12 ms instead of 16). PostgreSQL
            # reads the rows its search index points at in one bitmap scan instead.
            models.Index(fields=["id", "status", "published_at", "date"], name="release_match_idx"),
            # latest_update(): only the few releases updated in public are in it.
            models.Index(
                fields=["last_updated_at"],
                name="release_last_updated_idx",
                condition=Q(last_updated_at__isnull=False),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Render once here (the importer does the same in bulk), never per request.
        self.body_html = render_markdown(self.body, self.source_url)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()  # publishing without a time means "now"
        # Search needs nothing more: the database re-indexes the written title and body,
        # and link changes (m2m_changed, below) bring search_names up to date.
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("releases:detail", kwargs={"slug": self.slug})

    def clean(self):
        # A body nested too deeply to render in reasonable time is a form error in the
        # admin, as it is a file error in an import, rather than a crash in save().
        try:
            render_markdown(self.body)
        except NestedTooDeeply as exc:
            raise ValidationError({"body": str(exc)}) from None

    @property
    def is_withdrawn(self):
        return self.status == self.Status.WITHDRAWN


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
    problems = models.JSONField(default=list, help_text="Errors, warnings and notes, per file.")

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self):
        return f"Import of {self.started_at:%-d %B %Y, %H:%M} UTC"


@receiver(m2m_changed, sender=Release.ministers.through)
@receiver(m2m_changed, sender=Release.portfolios.through)
def reindex_linked_releases(sender, instance, action, reverse, pk_set, using, **kwargs):
    """Re-index releases whose ministers or portfolios changed. The admin sets them after
    saving the release, so Release.save() alone would index the old names."""
    from .search import index_releases

    if reverse and action == "pre_clear":
        # A minister's or portfolio's releases are unknown once cleared: note them now.
        instance._releases_to_reindex = list(instance.releases.values_list("pk", flat=True))
    elif action == "post_clear" and reverse:
        index_releases(instance.__dict__.pop("_releases_to_reindex", []), using=using)
    elif action in ("post_add", "post_remove", "post_clear"):
        index_releases(pk_set if reverse else [instance.pk], using=using)


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
        from .editorial.uploads import inspect

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
