"""Response headers that neither Django nor django-csp sets."""

from django.conf import settings


def permissions_policy(get_response):
    """Send settings.PERMISSIONS_POLICY as the Permissions-Policy header on every response,
    unless a view has set its own."""

    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    return middleware
