"""The queryset verbs every reader starts from: pages, feeds, sitemaps, search and admin.

Apart from the models (releases/models/) so each stays a readable size; it reaches the
models through `self.model`, never by importing them, so there is no import circle.
"""

from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone


class NamedQuerySet(models.QuerySet):
    def _releases(self):
        # Release, reached through the relation: this module never imports models.
        return self.model.releases.field.model.objects

    def active(self):
        """Records with published releases, each annotated with `release_count` and the
        dates of its first and last (`first_date`, `last_date`), A-Z.

        From the tallies the database keeps on each record (migration 0021), which count
        its releases published now or scheduled. The records with a release still
        scheduled (found at one end of release_live_idx) are counted from their links
        instead, so that nothing not yet announced shows: a third query, and only then.
        Their counts join the list as values, not as subqueries, which PostgreSQL costed
        so high that it compiled the query (JIT) for 1.8 s.
        """
        link = self.model.releases.field.name  # "ministers" or "portfolios" on Release
        scheduled = self._releases().scheduled().values(link)
        recounted = list(self.filter(pk__in=scheduled).values_list("pk", flat=True))
        live = {}
        if recounted:
            counted = self.filter(pk__in=recounted).filter(
                releases__in=self._releases().published()
            )
            live = {
                pk: (count, first, last)
                for pk, count, first, last in counted.values_list("pk").annotate(
                    Count("releases"), Min("releases__date"), Max("releases__date")
                )
            }

        def tally(position, stored):
            field = self.model._meta.get_field(stored)
            values = [
                When(pk=pk, then=Value(live.get(pk, (0, None, None))[position], field))
                for pk in recounted
            ]
            return Case(*values, default=F(stored), output_field=field) if values else F(stored)

        return (
            self.annotate(
                release_count=tally(0, "published_count"),
                first_date=tally(1, "earliest_date"),
                last_date=tally(2, "latest_date"),
            )
            .filter(release_count__gt=0)
            .order_by("name")
        )

    def busiest(self):
        """active(), the most releases first (ties A-Z): the tallies, so counting the whole
        archive costs no more than reading its names."""
        return self.active().order_by("-release_count", "name")

    def with_published_releases(self):
        """Records with at least one published release.

        From the tallies (see active()): a record counting a published release has one
        public now, unless it has a release still scheduled, when it is looked for among
        its live releases (EXISTS stops at the first). Looking for every record's releases
        that way read the links of most of the archive: 16 ms for the ministers on SQLite.
        """
        link = self.model.releases.field.name  # "ministers" or "portfolios" on Release
        # Not NULL: NOT IN a list holding NULL is never true.
        scheduled = self._releases().scheduled().filter(**{f"{link}__isnull": False})
        published = self._releases().published().filter(**{link: OuterRef("pk")})
        return self.filter(published_count__gt=0).filter(
            ~Q(pk__in=scheduled.values(link)) | Exists(published)
        )

    def counted_in(self, releases):
        """Records linked to any of `releases`, each annotated with `release_count`, the
        number of those releases it has; most first, then by name."""
        return (
            self.filter(releases__in=releases)
            .annotate(release_count=Count("releases"))
            .order_by("-release_count", "name")
        )


class ReleaseQuerySet(models.QuerySet):
    # The publication rule, once: published() lists what it selects, viewable() adds the
    # withdrawn releases that still answer at their address. Read at query time, so a
    # scheduled release appears on time with no job to run.

    def _live(self):
        """Public now: published, with a publish time that has passed."""
        return Q(status=self.model.Status.PUBLISHED, published_at__lte=timezone.now())

    def published(self):
        """Releases the public sees listed (lists, search, facets, counts, feeds, sitemaps,
        the home page): published, with a publication time not in the future."""
        return self.filter(self._live())

    def with_live(self):
        """Annotate `live`: whether each release is public now, by published()'s own rule,
        computed on the row (an EXISTS over published() made PostgreSQL hash every
        published release for the admin's 50 rows: 72 ms of its 217)."""
        return self.annotate(live=ExpressionWrapper(self._live(), output_field=BooleanField()))

    def viewable(self):
        """Releases the public may open at their address: the published ones and the
        withdrawn ones, which show a withdrawal notice there but are listed nowhere."""
        return self.filter(self._live() | Q(status=self.model.Status.WITHDRAWN))

    def drafts(self):
        return self.filter(status=self.model.Status.DRAFT)

    def scheduled(self):
        """Releases published for a time still to come: not public yet (see published()).
        Two ranges of release_live_idx, where exclude(published_at__lte=now) read it all."""
        published = Q(status=self.model.Status.PUBLISHED)
        # The status in each half, so that SQLite reads each as a range, not every release.
        return self.filter(
            published & Q(published_at__gt=timezone.now()) | published & Q(published_at=None)
        )

    def withdrawn(self):
        return self.filter(status=self.model.Status.WITHDRAWN)

    def duplicates(self):
        """Copies of another release (editorial/duplicates.py): listed nowhere, and not
        viewable(); their addresses redirect to the one kept."""
        return self.filter(status=self.model.Status.DUPLICATE)

    def kept_for(self, copies):
        """The releases that `copies` (a queryset of releases) repeat: where their
        addresses lead. A subquery on the duplicate_of index, so each side of an OR with it
        still reads an index."""
        return self.filter(pk__in=copies.duplicates().values("duplicate_of"))

    def with_times(self):
        """Annotate the public times as pages, feeds and sitemaps show them:
        `first_published` (when it went public) and `last_updated` (its last public update;
        until there is one, the same as first published).

        An imported release with no date of its own (the source's 0001-01-01 placeholder)
        was stamped with the import time (published_at() in importing/writing.py), which is
        not when it was published: its times are unknown (None), never the import day.
        """
        first = Case(When(self._times_unknown(), then=None), default=F("published_at"))
        return self.annotate(first_published=first, last_updated=Coalesce("last_updated_at", first))

    def _times_unknown(self):
        # An undated import, stamped with the import time (see with_times()).
        return Q(date__isnull=True, import_key__isnull=False)

    def with_known_times(self):
        """Leave out the releases whose public times are unknown (see with_times()): a
        feed must date every entry, and never with the day of an import."""
        return self.exclude(self._times_unknown())

    def with_modified(self):
        """Annotate `modified`: when the public copy of each release last changed, for the
        API's sync. Any write (updated_at), or its publish time if later: a scheduled
        release that goes live has changed for the public with nothing written."""
        return self.annotate(modified=Greatest("updated_at", "published_at"))

    def for_api(self):
        """What the API sends of each release (api/serializers.py): its times and text,
        without the import bookkeeping it never shows. Its links come from api/links.py."""
        return (
            self.with_times()
            .with_modified()
            .defer("front_matter", "search_names", "content_hash", "import_key")
        )

    def latest_update(self):
        """The newest last-updated time among these releases, never an import's: the newest
        known publish time, read backwards along release_live_idx (past the few undated
        imports at its end), and the newest public update, from release_last_updated_idx.
        MAX() of a coalesce would read every published row."""
        newest = self.with_known_times().order_by("-published_at")
        first = newest.values_list("published_at", flat=True).first()
        updated = self.filter(last_updated_at__isnull=False).aggregate(
            latest=Max("last_updated_at")
        )["latest"]
        return max(filter(None, [first, updated]), default=None)

    def for_portfolio(self, portfolio):
        return self.filter(portfolios=portfolio)

    def for_minister(self, minister):
        return self.filter(ministers=minister)

    def in_government(self, government):
        """Releases dated while `government` was in office."""
        dated = self.filter(date__gte=government.start_date)
        return dated.filter(date__lt=government.end_date) if government.end_date else dated

    def with_links(self):
        """Fetch ministers and portfolios in two queries, however many releases are listed."""
        return self.prefetch_related("ministers", "portfolios")

    def for_page(self):
        """What a release's own page shows: its links, its first portfolio (for the
        previous and next release there), its public times and its government."""
        return self.with_links().with_primary_portfolio().with_times().with_government()

    def with_government(self):
        """Annotate the government in office on each release's date, by in_government()'s
        rule (its first day included, its successor's excluded): `government_name`,
        `government_slug`, `government_start` and `government_end` (None while it is in
        office). All None for an undated release or one before the first government.
        Subqueries into a handful of reference rows, in the releases' own query."""
        governments = self.model._meta.apps.get_model("releases", "Government").objects
        date = OuterRef("date")
        in_office = governments.filter(
            Q(end_date__gt=date) | Q(end_date__isnull=True), start_date__lte=date
        ).order_by("-start_date")
        fields = {"name": "name", "slug": "slug", "start": "start_date", "end": "end_date"}
        return self.annotate(
            **{
                f"government_{name}": Subquery(in_office.values(field)[:1])
                for name, field in fields.items()
            }
        )

    def for_listing(self):
        """Load only what a listing shows of each release (the release_card tag): its
        title, address and date, and its links' names as lists, `listed_ministers` and
        `listed_portfolios`. A search ranks thousands of matches, and every column loaded
        is read for each. Lists rather than the related managers' caches: a manager made
        for each release, by the prefetch and again to read it, cost 1.6 of the 4 ms of a
        page of twenty releases."""
        links = [
            Prefetch(name, queryset=related.objects.only("name", "slug"), to_attr=f"listed_{name}")
            for name, related in (
                ("ministers", self.model.ministers.field.related_model),
                ("portfolios", self.model.portfolios.field.related_model),
            )
        ]
        return self.only("title", "slug", "date").prefetch_related(*links)

    def for_any_portfolio(self, portfolios):
        """Releases in at least one of `portfolios`, each listed once.

        A subquery rather than a join, so a release in two of them is not repeated and
        no DISTINCT (which would sort every matching row) is needed.
        """
        through = self.model.portfolios.through.objects
        return self.filter(pk__in=through.filter(portfolio__in=portfolios).values("release_id"))

    def for_any_minister(self, ministers):
        """Releases issued by at least one of `ministers`, each listed once."""
        through = self.model.ministers.through.objects
        return self.filter(pk__in=through.filter(minister__in=ministers).values("release_id"))

    def in_year(self, year):
        return self.filter(date__year=year)

    def dated_between(self, start=None, end=None):
        """Releases dated from `start` to `end`, both included; either may be None."""
        releases = self.filter(date__gte=start) if start else self
        return releases.filter(date__lte=end) if end else releases

    def newest_first(self):
        """Newest first; releases with an unknown date last; ties by id so pages are stable."""
        return self.order_by(F("date").desc(nulls_last=True), "-id")

    def oldest_first(self):
        return self.order_by(F("date").asc(nulls_last=True), "id")

    # The plain date bound is implied by the OR beside it, but only it can start an index
    # scan at the release's date: without it PostgreSQL read every published release
    # from the far end (a release page's neighbours 20 ms median, 86 ms at worst, over
    # 300 releases of the corpus; 3.6 and 19 ms with it).
    def older_than(self, release):
        """Releases before `release` in date order (same-day ties by id), nearest first."""
        return self.filter(
            Q(date__lt=release.date) | Q(date=release.date, pk__lt=release.pk),
            date__lte=release.date,
        ).newest_first()

    def newer_than(self, release):
        """Releases after `release` in date order (same-day ties by id), nearest first."""
        return self.filter(
            Q(date__gt=release.date) | Q(date=release.date, pk__gt=release.pk),
            date__gte=release.date,
        ).oldest_first()

    def with_primary_portfolio(self):
        """Annotate `primary_portfolio_id`: the portfolio listed first, which the importer
        writes first, so the link table's lowest id is the source's order."""
        through = self.model.portfolios.through.objects
        first = through.filter(release_id=OuterRef("pk")).order_by("pk").values("portfolio_id")
        return self.annotate(primary_portfolio_id=Subquery(first[:1]))

    def from_source_url(self, url):
        """Releases first published at `url`, newest first. The old site reused 26 addresses
        for two releases on different dates, so this may hold two; the newer one is what
        the address showed last."""
        return self.filter(source_url=url).newest_first()
