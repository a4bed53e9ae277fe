"""HTTP validators and the shared page cache of the public site, from one content version.

The content version is read from the database on every public request, in one query of
index steps, so it is never stale on any app server. It is
- the number the database raises on every write to a release, minister or portfolio
  (models/versions.py: triggers, so admin saves, state changes, imports and merges alike),
- and the newest publish time already past, so that a scheduled release's time passing
  changes it with no write at all.

A page's ETag is that version, its Last-Modified the later of the two times, and its copy
in the cache (Django's cache framework: local memory, or Redis shared by every app
server, see settings.CACHES) is kept under a key holding the version. A change makes new
keys rather than deleting old ones, which simply expire. A page that also shows what no
database write changes (the data page: the bulk download's date and size) adds a stamp of
it to both (public_page's `outside`).

Only anonymous readers' GET and HEAD requests are cached, and marked `public`. Staff, who
may hold a session, are sent `private, no-cache`. The cache is an optimisation only: when
it fails (Redis stopped), pages are built as if it were empty, with a warning in the log
at most once a minute.
"""

import datetime
import functools
import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.middleware.gzip import re_accepts_gzip as accepts_gzip
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.text import compress_string

from .models import ContentVersion, Release

logger = logging.getLogger(__name__)

# Long enough to serve a busy hour's pages; short enough that old versions' copies leave.
PAGE_TIMEOUT = 60 * 60
WARN_EVERY = 60  # seconds between warnings that the cache is failing


def _version_sql(connection):
    # PostgreSQL's is a function that keeps its plan (migration 0029); planning this
    # statement took twice as long as running it.
    if connection.vendor == "postgresql":
        return "SELECT * FROM releases_content_version(%s, %s)"
    # The newest publish time past is one step along release_live_idx (status, published_at).
    q = connection.ops.quote_name
    versions, releases = q(ContentVersion._meta.db_table), q(Release._meta.db_table)
    return (
        f"SELECT (SELECT {q('number')} FROM {versions} WHERE {q('id')} = 1), "
        f"(SELECT {q('changed_at')} FROM {versions} WHERE {q('id')} = 1), "
        f"(SELECT MAX({q('published_at')}) FROM {releases} "
        f"WHERE {q('status')} = %s AND {q('published_at')} <= %s)"
    )


def content_version():
    """(version, last modified): a short string that changes whenever anything a public
    page shows may have changed, and the time of the newest such change (None if none)."""
    connection = connections[router.db_for_read(Release)]
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(connection), [Release.Status.PUBLISHED, timezone.now()])
        number, changed_at, went_live = cursor.fetchone()
    times = [_aware(moment) for moment in (changed_at, went_live) if moment is not None]
    version = hashlib.blake2b(f"{number}|{went_live}".encode(), digest_size=10).hexdigest()
    return version, max(times) if times else None


def _aware(moment):
    # SQLite answers times as text, in UTC as Django stores them.
    if isinstance(moment, str):
        moment = datetime.datetime.fromisoformat(moment)
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=datetime.UTC)


def public_page(view, *, outside=None):
    """Wrap a public view: validators and a cached copy for anonymous readers, 304 for a
    reader whose copy is current, and nothing shared for staff.

    `outside`, for a page showing more than the database holds, is a function returning
    (a string that changes with that, when it last changed or None): it joins the version
    of the page's ETag and cache key, and its time the Last-Modified."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        version, modified = content_version()
        if outside is not None:
            stamp, changed = outside()
            version = hashlib.blake2b(f"{version}|{stamp}".encode(), digest_size=10).hexdigest()
            modified = max(filter(None, [modified, changed]), default=None)
        # Weak: the same page is sent plain or compressed, byte for byte different.
        etag = f'W/"{version}"'
        last_modified = modified and int(modified.timestamp())
        unchanged = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if unchanged is not None:
            return _mark_public(unchanged, etag, last_modified)
        gzipped = bool(accepts_gzip.search(request.headers.get("Accept-Encoding", "")))
        key = _page_key(request, version, gzipped)
        response = _cache_call(cache.get, key)
        if response is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response = response.render()
            if response.status_code == 200 and not response.streaming:
                if gzipped:
                    _compress(response)
                _cache_call(cache.set, key, response, PAGE_TIMEOUT)
        return _mark_public(response, etag, last_modified)

    return wrapper


def _page_key(request, version, gzipped):
    # The absolute address: feeds and sitemaps name the host they were asked for.
    address = hashlib.blake2b(request.build_absolute_uri().encode(), digest_size=16).hexdigest()
    return f"page:{version}:{address}:{'gzip' if gzipped else 'plain'}"


def _compress(response):
    """Compress a public page once, for every reader after, as GZipMiddleware would for
    each one (which then leaves it be). Its random padding against BREACH is not needed:
    an anonymous reader's page holds no secret."""
    if len(response.content) >= 200 and "Content-Encoding" not in response:
        response.content = compress_string(response.content)
        response["Content-Length"] = str(len(response.content))
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])


def _mark_public(response, etag, last_modified):
    if response.status_code in (200, 304):
        response["ETag"] = etag
        if last_modified:
            response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=settings.CACHE_MAX_AGE)
    # A shared cache must not hand the copy made for an anonymous reader to staff.
    patch_vary_headers(response, ["Cookie"])
    return response


_last_warning = 0.0


def _cache_call(method, *args):
    """Call the cache; if it fails, carry on without it (see the module's docstring)."""
    global _last_warning
    try:
        return method(*args)
    except Exception as error:  # any backend's failure: the page is built without it
        if time.monotonic() - _last_warning > WARN_EVERY:
            _last_warning = time.monotonic()
            logger.warning("The cache is failing (%s); serving pages uncached.", error)
        return None
