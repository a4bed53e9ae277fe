"""Response headers that neither Django nor django-csp sets."""

from django.conf import settings
from django.middleware.gzip import GZipMiddleware


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
