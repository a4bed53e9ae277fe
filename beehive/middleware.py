"""Site-wide answers that no view gives: headers neither Django nor django-csp sets, gzip
for text, a refusal of over-long query strings, and a 503 page while the database is
unreachable."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# The longest query string answered, in bytes as sent. Pages repeat their query in every
# link that keeps the filters (pagination, facets, feeds): a megabyte of it made a 68 MB
# page. Real ones are far shorter (a search and a few filters); URLs past about 2,000
# characters fail in some browsers and tools, and the sitemap protocol's limit is 2,048.
MAX_QUERY_STRING = 2048
# Seconds a client is asked to wait before trying again while the database is unreachable.
RETRY_AFTER = 30


def permissions_policy(get_response):
    """Send settings.PERMISSIONS_POLICY as the Permissions-Policy header on every response,
    unless a view has set its own."""

    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    return middleware


class TextGZipMiddleware(GZipMiddleware):
    """Django's gzip (with its BREACH mitigation), for pages, feeds and sitemaps only: a
    PDF or an image gains nothing, and a download keeps its Content-Length."""

    TEXT = ("text/", "application/xml", "application/rss+xml", "application/atom+xml",
            "application/json")  # fmt: skip

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(self.TEXT):
            return response
        return super().process_response(request, response)


def limit_query_string(get_response):
    """Answer 400, saying why, to a request whose query string is past MAX_QUERY_STRING."""

    def middleware(request):
        length = len(request.META.get("QUERY_STRING", ""))
        if length <= MAX_QUERY_STRING:
            return get_response(request)
        reason = (
            f"Its query (the part after “?”) is {length:,} characters long; "
            f"at most {MAX_QUERY_STRING:,} are accepted."
        )
        return HttpResponse(render_to_string("400.html", {"reason": reason}), status=400)

    return middleware


class DatabaseUnavailableMiddleware:
    """A plain 503 page, asking the client to retry, for any request whose view cannot
    reach the database (the connection refused or lost, SQLite unable to open its file),
    in place of a 500. The page is rendered without the database or the request, so
    nothing on it can fail the same way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # An error on a connection that still works (a bad query, a lock) is a fault to
        # fix, and stays a 500 with its traceback in the log.
        if not isinstance(exception, OperationalError | InterfaceError) or connected():
            return None
        # One line, not a traceback for every request during an outage; Django's own
        # "Service Unavailable: <path>" line follows it.
        logger.error("Database unavailable: %s: %s", type(exception).__name__, exception)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response


def connected():
    """Whether the database connection is open and answers."""
    return connection.connection is not None and connection.is_usable()
