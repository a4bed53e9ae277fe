"""Sitemaps of the home page and indexes, and of every published release, portfolio,
minister and government, each address with the date its page last changed in public (<lastmod>).

/sitemap.xml is an index; each section is split into pages of at most SITEMAP_SIZE URLs.
The protocol allows 50,000, and the archive alone has more releases than that. Pages are
built from the database on every request, so they are kept small: a page of 1,000
addresses (about 150 KB) is built in a few milliseconds where one of 5,000 took over half a
second, and the index of some sixty pages is still far within the protocol's 50,000.
"""

import math

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Page, Paginator
from django.db.models import Max, Min
from django.urls import reverse
from django.utils.functional import cached_property

from .models import Government, Minister, Portfolio, Release

SITEMAP_SIZE = 1_000
# Stands in for a slug in the one reverse() a page of release addresses makes.
SLUG_MARK = "slug-mark"


class IdRangePaginator(Paginator):
    """Page n holds the items among the n-th run of per_page ids, counted from the lowest.

    A page always holds the same releases, however many are added, unpublished or
    withdrawn elsewhere (with offsets, one unpublished release would shift every later
    page, and crawlers would fetch them all again); and no page needs the releases
    counted or skipped over: each page is one range of the primary key, between the
    lowest and highest ids of all releases, which both databases read from the ends of
    the key (the highest published one had SQLite read its whole publish-time index). A
    page may hold fewer than per_page items, or none if all its releases are unpublished.
    """

    @cached_property
    def first_id(self):
        return self.object_list.model.objects.aggregate(first=Min("pk"))["first"] or 1

    @cached_property
    def num_pages(self):
        last = self.object_list.model.objects.aggregate(last=Max("pk"))["last"]
        return max(1, math.ceil((last - self.first_id + 1) / self.per_page)) if last else 1

    def page(self, number):
        number = self.validate_number(number)
        lowest = self.first_id + (number - 1) * self.per_page
        releases = self.object_list.filter(pk__gte=lowest, pk__lt=lowest + self.per_page)
        return Page(releases, number, self)


class ReleaseSitemap(Sitemap):
    limit = SITEMAP_SIZE
    changefreq = "yearly"

    @property
    def paginator(self):
        return IdRangePaginator(self.items(), self.limit)

    def items(self):
        # Rows, not model instances: a page needs each release's slug and public times only.
        return (
            Release.objects.published()
            .with_times()
            .order_by("pk")
            .values_list("slug", "last_updated", named=True)
        )

    def get_urls(self, page=1, site=None, protocol=None):
        # Every release's address is the same pattern around its slug: one reverse() for
        # the page rather than one per address, which took a fifth of its time.
        self.address = reverse("releases:detail", kwargs={"slug": SLUG_MARK})
        return super().get_urls(page, site, protocol)

    def location(self, release):
        return self.address.replace(SLUG_MARK, release.slug)

    def lastmod(self, release):
        # Its last public update, not its last modification: an import touches every row.
        return release.last_updated

    def get_latest_lastmod(self):
        """The index's date for this section: the newest public update. Sitemap's default
        loads every item; latest_update() reads two indexes instead."""
        return Release.objects.published().latest_update()


class PageSitemap(Sitemap):
    """The home page and the indexes. Each lists the newest releases or counts them all, so
    each last changed with the newest public update (Release.objects.latest_update())."""

    changefreq = "daily"

    def items(self):
        return ["home", "list", "portfolios", "ministers", "governments"]

    def location(self, name):
        return reverse(f"releases:{name}")

    @cached_property
    def latest(self):
        # A new sitemap for each request (SITEMAPS holds the class): read once per request.
        return Release.objects.published().latest_update()

    def lastmod(self, name):
        return self.latest

    def get_latest_lastmod(self):
        return self.latest


class NamedSitemap(Sitemap):
    """Portfolios or ministers that have published releases, each last changed on the date
    of its newest release (`last_date`). Subclasses name the model, or give `records`."""

    limit = SITEMAP_SIZE
    changefreq = "weekly"
    model = None

    @cached_property
    def records(self):
        # NamedQuerySet.active(): the dates of their newest published releases, from the
        # tallies, in two or three queries. Read once for the page, the page count and the
        # index's date (a new sitemap for each request: SITEMAPS holds the classes); a few
        # hundred records, never the releases.
        return list(self.model.objects.active().order_by("pk"))

    def items(self):
        return self.records

    def lastmod(self, record):
        return record.last_date

    def get_latest_lastmod(self):
        return max(filter(None, (r.last_date for r in self.records)), default=None)


class PortfolioSitemap(NamedSitemap):
    model = Portfolio


class MinisterSitemap(NamedSitemap):
    model = Minister


class GovernmentSitemap(NamedSitemap):
    """Governments with published releases, each last changed on the date of its newest."""

    @cached_property
    def records(self):
        # A query per government (a handful), each read backwards along the date index
        # from the government's end to its first published release. Its releases' latest
        # public update instead (latest_update()) took 140 ms for all of them.
        governments = list(Government.objects.all())
        for government in governments:
            releases = Release.objects.published().in_government(government)
            government.last_date = releases.order_by("-date").values_list("date", flat=True).first()
        return [government for government in governments if government.last_date]


SITEMAPS = {
    "pages": PageSitemap,
    "releases": ReleaseSitemap,
    "portfolios": PortfolioSitemap,
    "ministers": MinisterSitemap,
    "governments": GovernmentSitemap,
}
