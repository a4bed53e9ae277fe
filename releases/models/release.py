"""A press release: its text, its links to ministers and portfolios, its state and times,
and what an import read."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Greatest
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from ..querysets import ReleaseQuerySet
from ..rendering import NestedTooDeeply, render_markdown
from .catalogue import Minister, Portfolio


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


# The fixed addresses under /releases/ (releases/urls.py): a release with one of these as
# its slug would be shadowed by that page, so no release may have one.
RESERVED_SLUGS = frozenset({"csv", "feed", "filters"})


def validate_not_reserved(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(
            "/releases/%(slug)s/ is one of the site's own pages. Choose another address.",
            code="reserved_slug",
            params={"slug": value},
        )


class Release(models.Model):
    """A press release, as imported from Markdown or written by staff in the admin."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        # Live once published_at has passed, scheduled until then (see published()).
        PUBLISHED = "published", "Published"
        # Still at its address with a notice; listed nowhere (see viewable()).
        WITHDRAWN = "withdrawn", "Withdrawn"
        # A copy of another release (duplicate_of), which the import found: listed nowhere,
        # its address redirects to the one kept (editorial/duplicates.py holds the rule).
        DUPLICATE = "duplicate", "Duplicate"

    title = models.CharField(
        max_length=500,
        help_text="As readers see it on the page, in lists, feeds and search results.",
    )
    slug = models.SlugField(
        max_length=255,
        unique=True,
        validators=[validate_not_reserved],
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
    ministers = models.ManyToManyField(
        Minister,
        related_name="releases",
        blank=True,
        help_text="Who issued it. Type part of a name to find them.",
    )
    portfolios = models.ManyToManyField(
        Portfolio,
        related_name="releases",
        blank=True,
        help_text="The first one chosen is its main portfolio: the page's “More in …” links.",
    )

    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="A draft is seen by staff only. Published goes live at the publish time.",
    )
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
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        editable=False,
        # Indexed in Meta, and no database constraint (Django applies SET_NULL itself), so
        # that SQLite can drop the column again without rebuilding the table, which would
        # lose its triggers: the migration stays reversible.
        db_index=False,
        db_constraint=False,
        help_text="The release this one repeats, kept in its place.",
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
    text_hash = models.CharField(  # noqa: DJ001 (nullable: see above)
        max_length=64,
        null=True,
        blank=True,
        editable=False,
        help_text="Fingerprint of the title and body as imported (editorial/duplicates.py): "
        "releases sharing it, a day apart at most, are one release.",
    )
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
    body = models.TextField(
        blank=True,
        help_text="Markdown: a blank line between paragraphs, ## for a heading, **bold**, "
        "[link text](https://…), - for a list. The preview button below shows it as "
        "readers will see it.",
    )
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
            # published() by its publish time: the newest publication (latest_update(), the
            # sitemap index) and the few releases still scheduled (NamedQuerySet.active())
            # are each found at one end of it, where release_published_idx, in date order,
            # had every published release read.
            models.Index(fields=["status", "published_at"], name="release_live_idx"),
            # The import finds copies of a release (editorial/duplicates.py) by these.
            models.Index(fields=["text_hash"], name="release_text_hash_idx"),
            models.Index(fields=["duplicate_of"], name="release_duplicate_of_idx"),
            # The API's sync (with_modified()): changes since a time, in the order made.
            models.Index(Greatest("updated_at", "published_at"), name="release_modified_idx"),
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

    @property
    def is_duplicate(self):
        return self.status == self.Status.DUPLICATE


@receiver(m2m_changed, sender=Release.ministers.through)
@receiver(m2m_changed, sender=Release.portfolios.through)
def reindex_linked_releases(sender, instance, action, reverse, pk_set, using, **kwargs):
    """Re-index releases whose ministers or portfolios changed. The admin sets them after
    saving the release, so Release.save() alone would index the old names."""
    from ..search import index_releases

    if reverse and action == "pre_clear":
        # A minister's or portfolio's releases are unknown once cleared: note them now.
        instance._releases_to_reindex = list(instance.releases.values_list("pk", flat=True))
    elif action == "post_clear" and reverse:
        index_releases(instance.__dict__.pop("_releases_to_reindex", []), using=using)
    elif action in ("post_add", "post_remove", "post_clear"):
        index_releases(pk_set if reverse else [instance.pk], using=using)
