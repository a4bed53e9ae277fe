"""The API's addresses under /api/, all named in the "api" namespace.

Each view is wrapped in public_page() (caching.py), as the site's pages are: ETag and
Last-Modified from the content version, 304s, and a shared cached copy. And in
allow_any_origin(): the data is public and read-only, so any site's script may GET it.
"""

import functools

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from ..caching import public_page
from . import errors, views

app_name = "api"


def allow_any_origin(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper


def endpoint(view_class):
    return allow_any_origin(public_page(view_class.as_view()))


urlpatterns = [
    path("", public_page(views.docs), name="docs"),
    path("schema/", endpoint(SpectacularAPIView), name="schema"),
    path("releases/", endpoint(views.ReleaseList), name="releases"),
    path("releases/<slug:slug>/", endpoint(views.ReleaseDetail), name="release"),
    path("ministers/", endpoint(views.MinisterList), name="ministers"),
    path("ministers/<slug:slug>/", endpoint(views.MinisterDetail), name="minister"),
    path("portfolios/", endpoint(views.PortfolioList), name="portfolios"),
    path("portfolios/<slug:slug>/", endpoint(views.PortfolioDetail), name="portfolio"),
    path("governments/", endpoint(views.GovernmentList), name="governments"),
    path("governments/<slug:slug>/", endpoint(views.GovernmentDetail), name="government"),
    re_path(r"^.*$", allow_any_origin(errors.not_found)),
]
