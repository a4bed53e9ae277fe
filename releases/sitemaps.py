"""Sitemaps of every published release, portfolio and minister.

/sitemap.xml is an index; each section is split into pages of at most SITEMAP_SIZE URLs
(the protocol allows 50,000 and the archive alone has more releases than that; smaller
pages are quicker to build and to fetch).
"""

from django.contrib.sitemaps import Sitemap

from .models import Minister, Portfolio, Release

SITEMAP_SIZE = 5_000


class ReleaseSitemap(Sitemap):
    limit = SITEMAP_SIZE
    changefreq = "yearly"

    def items(self):
        # Ordered by id so a page always holds the same releases, whatever is added later.
        return Release.objects.published().only("slug").with_times().order_by("pk")

    def lastmod(self, release):
        # Its last public update, not its last modification: an import touches every row.
        return release.last_updated

    def get_latest_lastmod(self):
        """The index's date for this section: the newest public update. Sitemap's default
        loads every item; latest_update() reads two indexes instead."""
        return Release.objects.published().latest_update()


class NamedSitemap(Sitemap):
    """Portfolios or ministers that have published releases."""

    limit = SITEMAP_SIZE
    changefreq = "weekly"

    def __init__(self, model):
        self.model = model

    def items(self):
        return self.model.objects.with_published_releases().order_by("pk")


SITEMAPS = {
    "releases": ReleaseSitemap,
    "portfolios": NamedSitemap(Portfolio),
    "ministers": NamedSitemap(Minister),
}
