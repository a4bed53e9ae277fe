"""Who a request came from, when the site may sit behind load balancers."""

import ipaddress

from django.conf import settings


def client_ip_address(request):
    """The address a request came from (django-axes counts failed logins by it).

    Behind settings.TRUSTED_PROXY_COUNT proxies, each appending to X-Forwarded-For, the
    entry the outermost one wrote is the client's; entries further left are whatever the
    client sent, so they are never trusted. With no proxies the header is ignored.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if count and len(forwarded) >= count:
        try:
            return str(ipaddress.ip_address(forwarded[-count].strip()))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR")
