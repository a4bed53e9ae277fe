"""The public site's addresses, all named in the "releases" namespace."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path
from django.views.generic import TemplateView

from . import attachments, feeds, views
from .editorial import sharing
from .sitemaps import SITEMAPS

app_name = "releases"
urlpatterns = [
    path("", views.home, name="home"),
    path("releases/", views.release_list, name="list"),
    path("releases/feed/", feeds.ReleaseFeed(), name="feed"),
    path("releases/feed/atom/", feeds.ReleaseAtomFeed(), name="feed-atom"),
    path("releases/<slug:slug>/", views.release_detail, name="detail"),
    # Share links, under their own prefix. Not in robots.txt: a crawler kept out would never
    # read their X-Robots-Tag: noindex, and could still list a bare address it was given.
    path("share/<str:token>/", sharing.shared_release, name="share"),
    path("attachments/<int:pk>/<str:name>", attachments.download, name="attachment"),
    path("portfolios/", views.portfolio_list, name="portfolios"),
    path("portfolios/<slug:slug>/", views.portfolio_detail, name="portfolio"),
    path("portfolios/<slug:slug>/feed/", feeds.PortfolioFeed(), name="portfolio-feed"),
    path(
        "portfolios/<slug:slug>/feed/atom/",
        feeds.PortfolioAtomFeed(),
        name="portfolio-feed-atom",
    ),
    path("ministers/", views.minister_list, name="ministers"),
    path("ministers/<slug:slug>/", views.minister_detail, name="minister"),
    path("ministers/<slug:slug>/feed/", feeds.MinisterFeed(), name="minister-feed"),
    path("ministers/<slug:slug>/feed/atom/", feeds.MinisterAtomFeed(), name="minister-feed-atom"),
    path("governments/", views.government_list, name="governments"),
    path("governments/<slug:slug>/", views.government_detail, name="government"),
    # The old site's addresses have no trailing slash, but links to them are often
    # copied with one: both move to the release.
    path("release/<str:old_slug>", views.old_release_redirect, name="old-release"),
    path("release/<str:old_slug>/", views.old_release_redirect),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain; charset=utf-8"),
        name="robots",
    ),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "releases:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS, "template_name": "sitemaps/section.xml"},
        name="sitemap-section",
    ),
]
