"""The public site's addresses, all named in the "releases" namespace."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path
from django.views.generic import TemplateView

from . import attachments, downloads, feeds, views
from .api import spreadsheet
from .caching import public_page
from .editorial import sharing
from .exporting.bulk import bulk_download_stamp
from .sitemaps import SITEMAPS

app_name = "releases"
# The short pages the footer links to, each templates/pages/<name>.html at /<name>/.
PAGES = ("about", "feeds", "data", "accessibility", "privacy", "copyright")
# Every public page, feed and sitemap is wrapped in public_page(): validators, 304s and a
# shared cached copy for anonymous readers (caching.py). robots.txt is left as the
# cheapest view there is, the yardstick of bench/load.py.
urlpatterns = [
    path("", public_page(views.home), name="home"),
    path("releases/", public_page(views.release_list), name="list"),
    path("releases/feed/", public_page(feeds.ReleaseFeed()), name="feed"),
    path("releases/feed/atom/", public_page(feeds.ReleaseAtomFeed()), name="feed-atom"),
    path(
        "releases/filters/<str:name>/",
        public_page(views.filter_choices),
        name="filter-choices",
    ),
    path("releases/csv/", public_page(spreadsheet.release_csv), name="csv"),
    path("releases/<slug:slug>/", public_page(views.release_detail), name="detail"),
    # Share links, under their own prefix. Not in robots.txt: a crawler kept out would never
    # read their X-Robots-Tag: noindex, and could still list a bare address it was given.
    path("share/<str:token>/", sharing.shared_release, name="share"),
    path("attachments/<int:pk>/<str:name>", attachments.download, name="attachment"),
    path("downloads/releases.jsonl.gz", downloads.bulk_download, name="bulk-download"),
    path("portfolios/", public_page(views.portfolio_list), name="portfolios"),
    path("portfolios/<slug:slug>/", public_page(views.portfolio_detail), name="portfolio"),
    path("portfolios/<slug:slug>/feed/", public_page(feeds.PortfolioFeed()), name="portfolio-feed"),
    path(
        "portfolios/<slug:slug>/feed/atom/",
        public_page(feeds.PortfolioAtomFeed()),
        name="portfolio-feed-atom",
    ),
    path("ministers/", public_page(views.minister_list), name="ministers"),
    path("ministers/<slug:slug>/", public_page(views.minister_detail), name="minister"),
    path("ministers/<slug:slug>/feed/", public_page(feeds.MinisterFeed()), name="minister-feed"),
    path(
        "ministers/<slug:slug>/feed/atom/",
        public_page(feeds.MinisterAtomFeed()),
        name="minister-feed-atom",
    ),
    path("governments/", public_page(views.government_list), name="governments"),
    path("governments/<slug:slug>/", public_page(views.government_detail), name="government"),
    # The old site's addresses have no trailing slash, but links to them are often
    # copied with one: both move to the release.
    path("release/<str:old_slug>", views.old_release_redirect, name="old-release"),
    path("release/<str:old_slug>/", views.old_release_redirect),
    *(
        path(
            f"{name}/",
            public_page(
                TemplateView.as_view(template_name=f"pages/{name}.html"),
                # The data page shows the bulk file's date and size, which `export_releases
                # --jsonl` changes with no database write: its validators follow the file
                # (one stat()). Bumping the content version instead would empty the cache
                # of every page for this one, and miss a file put in place any other way.
                outside=bulk_download_stamp if name == "data" else None,
            ),
            name=name,
        )
        for name in PAGES
    ),
    # Browsers ask for /favicon.ico whatever a page's <link rel="icon"> says.
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain; charset=utf-8"),
        name="robots",
    ),
    path(
        "sitemap.xml",
        public_page(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "releases:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        public_page(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS, "template_name": "sitemaps/section.xml"},
        name="sitemap-section",
    ),
]
