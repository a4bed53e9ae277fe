"""/healthz, which load balancers and monitoring ask whether this server can answer."""

import logging

from django.db import Error, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@require_safe
@never_cache  # an answer from a cache would say nothing of the server now
def healthz(request):
    """200 {"status": "ok"} when the database answers a trivial query, else 503. The body
    never says why (a database's error can name its host); the log does."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Error as exc:
        logger.error("Health check failed: %s: %s", type(exc).__name__, exc)
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
