"""Who issued releases and under which portfolio: one record per person or portfolio
however the source spells it (every spelling kept as an alias; see names.py), the
addresses of those merged into another, and New Zealand's governments."""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from ..querysets import NamedQuerySet


class NamedEntity(models.Model):
    """A minister or portfolio: a display name, a public slug and the aliases it answers to."""

    name = models.CharField(max_length=255, help_text="The name shown to the public.")
    slug = models.SlugField(max_length=255, unique=True, help_text="Used in the public address.")
    # Kept by the database itself (triggers, migration 0021), whatever writes the links or
    # the releases: how many of its releases are published (live or scheduled) and the
    # dates of the first and last. The A-Z pages read these instead of counting 60,000
    # links on every request; NamedQuerySet.active() corrects them for scheduled releases.
    published_count = models.PositiveIntegerField(default=0, editable=False)
    earliest_date = models.DateField(null=True, editable=False)
    latest_date = models.DateField(null=True, editable=False)
    TALLIES = ("published_count", "earliest_date", "latest_date")

    objects = NamedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self._state.adding:
            # Never the tallies: read when the record was loaded, they may be stale by now
            # (a release published meanwhile), and would overwrite the database's own.
            fields = kwargs.get("update_fields") or [
                f.name for f in self._meta.concrete_fields if not f.primary_key
            ]
            kwargs["update_fields"] = [name for name in fields if name not in self.TALLIES]
        super().save(*args, **kwargs)
        # Releases are found by their ministers' and portfolios' names: re-index on a rename.
        from ..search import index_releases

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
