"""HTTP caching that is never stale: validators and 304s on every public page, feed and
sitemap, a cached copy for anonymous readers that every change replaces at once, nothing
shared for staff, compression, and a cache that may fail without the site failing."""

import datetime
import gzip
import logging
import os
import secrets
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from releases import caching
from releases.editorial import merges, states
from releases.exporting import write_bulk_download
from releases.importing import import_releases
from releases.models import Minister, Portfolio, Release

from .conftest import release_text
from .test_corrections import save_live
from .test_views import make_named, make_release

pytestmark = pytest.mark.django_db

PUBLIC = [
    "/",
    "/releases/",
    "/releases/?q=bridge",
    "/releases/feed/",
    "/releases/feed/atom/",
    "/portfolios/",
    "/portfolios/transport/",
    "/portfolios/transport/feed/",
    "/ministers/",
    "/ministers/damien-oconnor/",
    "/ministers/damien-oconnor/feed/atom/",
    "/governments/",
    "/data/",
    "/sitemap.xml",
    "/sitemap-releases.xml",
]


@pytest.fixture
def bridge():
    release = make_release(
        "Minister opens new bridge",
        ministers=[make_named(Minister, "Damien OConnor")],
        portfolios=[make_named(Portfolio, "Transport")],
        body="The bridge is open.",
    )
    release.ministers.update(slug="damien-oconnor")
    return release


def queries_for(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


def cached_page(client, url):
    """Ask for `url` twice; the second answer comes from the cache: only the content
    version is read. Returns the page's text."""
    first = client.get(url)
    assert first.status_code == 200, url
    second, queries = queries_for(client, url)
    assert queries == 1, url
    assert second.content == first.content
    return second.content.decode()


# Validators and 304 ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [*PUBLIC, "the release"])
def test_every_public_address_answers_conditional_requests_with_304(client, bridge, url):
    """Each sends an ETag and a Last-Modified and a short public max-age; asked again with
    either, it answers 304 with no body, having read only the content version."""
    url = bridge.get_absolute_url() if url == "the release" else url
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    assert response["Last-Modified"]
    for header, value in [
        ("If-None-Match", response["ETag"]),
        ("If-Modified-Since", response["Last-Modified"]),
    ]:
        again, queries = queries_for(client, url, **{header: value})
        assert (again.status_code, again.content, queries) == (304, b"", 1), header
        assert again["ETag"] == response["ETag"]


def test_a_change_gives_new_validators(client, bridge):
    """After a change, the old ETag is no longer current: the full page is sent."""
    etag = client.get("/releases/")["ETag"]
    make_release("Tunnel opens")
    response = client.get("/releases/", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Tunnel opens" in response.content.decode()
    assert response["ETag"] != etag


def test_staff_pages_are_never_shared_or_kept(client, bridge):
    """Logged in, the same public page is marked private and not to be reused, and is
    built afresh: the copy made for the public is not served to staff or from staff."""
    client.force_login(User.objects.create_superuser("publisher"))
    for url in ["/releases/", bridge.get_absolute_url()]:
        response, queries = queries_for(client, url)
        assert response.status_code == 200
        assert "public" not in response["Cache-Control"]
        assert {"private", "no-cache"} <= set(response["Cache-Control"].split(", "))
        assert "ETag" not in response
        assert queries > 1
    assert client.get("/admin/releases/release/")["Cache-Control"].startswith("max-age=0")


def test_shared_caches_keep_anonymous_and_staff_copies_apart(client, bridge):
    """A proxy must not hand the public copy to someone with a session, or the reverse."""
    assert "Cookie" in client.get("/releases/")["Vary"]


# Never stale -------------------------------------------------------------------------------


def test_a_publish_is_on_the_next_request(client, bridge):
    draft = make_release("Tunnel opens", status=Release.Status.DRAFT)
    assert "Tunnel opens" not in cached_page(client, "/releases/")
    states.publish(draft, User.objects.create_superuser("publisher"))
    assert "Tunnel opens" in client.get("/releases/").content.decode()


def test_an_edit_in_the_admin_is_on_the_next_request(client, bridge):
    url = bridge.get_absolute_url()
    assert "Harbour bridge" not in cached_page(client, url)
    client.force_login(User.objects.create_superuser("publisher"))
    title = "Minister opens new Harbour bridge"
    assert save_live(client, bridge, title=title, change_kind="minor").status_code == 302
    client.logout()
    assert title in client.get(url).content.decode()


def test_a_withdrawal_is_on_the_next_request(client, bridge):
    address = bridge.get_absolute_url()
    assert address in cached_page(client, "/sitemap-releases.xml")
    states.withdraw(bridge, "Replaced.", User.objects.create_superuser("publisher"))
    assert address not in client.get("/sitemap-releases.xml").content.decode()
    assert "Replaced." in client.get(bridge.get_absolute_url()).content.decode()


def test_a_merge_is_on_the_next_request(client, bridge):
    """Merging "Transport" into "Infrastructure" shows at once on the survivor's page,
    and the merged-away address redirects rather than serving its cached page."""
    survivor = make_named(Portfolio, "Infrastructure")
    make_release("Road opens", portfolios=[survivor])
    assert "Minister opens new bridge" not in cached_page(client, "/portfolios/infrastructure/")
    cached_page(client, "/portfolios/transport/")
    publisher = User.objects.create_superuser("publisher")
    merges.merge(survivor, [Portfolio.objects.get(slug="transport")], publisher)
    page = client.get("/portfolios/infrastructure/").content.decode()
    assert "Minister opens new bridge" in page
    assert client.get("/portfolios/transport/")["Location"] == "/portfolios/infrastructure/"


def test_an_import_is_on_the_next_request(client, write, tmp_path):
    path = write("bridge.md", release_text(title="Bridge opens"))
    import_releases([tmp_path])
    assert "Bridge opens" in cached_page(client, "/releases/feed/")
    path.write_text(release_text(title="Harbour bridge opens"), encoding="utf-8")
    assert import_releases([tmp_path]).updated == 1
    assert "Harbour bridge opens" in client.get("/releases/feed/").content.decode()


def test_a_deletion_is_on_the_next_request(client, bridge):
    assert "Minister opens new bridge" in cached_page(client, "/")
    bridge.delete()
    assert "Minister opens new bridge" not in client.get("/").content.decode()


def test_a_scheduled_release_appears_at_its_time_with_no_write(client, bridge):
    """Nothing is written when its time comes; the cached pages and validators change
    all the same."""
    go_live = timezone.now() + datetime.timedelta(hours=1)
    make_release("Tunnel opens at nine", published_at=go_live)
    etag = client.get("/releases/feed/atom/")["ETag"]
    assert "Tunnel opens at nine" not in cached_page(client, "/releases/feed/atom/")
    with mock.patch("django.utils.timezone.now", return_value=go_live):
        response = client.get("/releases/feed/atom/", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Tunnel opens at nine" in response.content.decode()


def test_a_regenerated_bulk_download_is_on_the_data_page_at_once(
    client, bridge, settings, tmp_path
):
    """The data page shows the bulk file's size and date; regenerated after an import, with
    nothing written to the database since, the file's new ones show on the next request,
    under new validators, so a reader's old copy is not taken as current."""
    settings.DOWNLOADS_ROOT = str(tmp_path)
    path = tmp_path / "releases.jsonl.gz"
    write_bulk_download()
    two_days_ago = timezone.localtime() - datetime.timedelta(days=2)
    os.utime(path, (two_days_ago.timestamp(),) * 2)
    old_size = filesizeformat(path.stat().st_size)
    make_release("Tunnel opens", body=secrets.token_hex(4000))  # the import
    page = cached_page(client, "/data/")
    assert old_size in page and f"{two_days_ago:%-d %B %Y}" in page
    old = client.get("/data/")
    write_bulk_download()  # nightly, say: no write to the database
    # A minute after the page was made, as a nightly run is: Last-Modified counts seconds.
    os.utime(path, (timezone.now().timestamp() + 60,) * 2)
    new_size = filesizeformat(path.stat().st_size)
    assert new_size != old_size
    for header, value in [
        ("If-None-Match", old["ETag"]),
        ("If-Modified-Since", old["Last-Modified"]),
    ]:
        response = client.get("/data/", headers={header: value})
        assert response.status_code == 200, header
        page = response.content.decode()
        assert new_size in page and f"{timezone.localtime():%-d %B %Y}" in page
        assert old_size not in page
        assert response["ETag"] != old["ETag"]


# Compression -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/releases/", "/releases/feed/", "/sitemap-releases.xml"])
def test_pages_feeds_and_sitemaps_are_compressed_for_clients_that_accept_it(client, bridge, url):
    for _ in range(5):  # Django leaves bodies under 200 bytes as they are
        make_release()
    plain = client.get(url)
    for _ in range(2):  # built and compressed, then the compressed copy from the cache
        response = client.get(url, headers={"Accept-Encoding": "gzip, br"})
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        assert gzip.decompress(response.content) == plain.content
    assert queries_for(client, url, **{"Accept-Encoding": "gzip"})[1] == 1
    assert "Content-Encoding" not in plain


# The cache itself --------------------------------------------------------------------------


REDIS = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
}


@pytest.fixture
def redis_cache(settings):
    """The machine's real Redis, in a database of the tests' own, emptied before use."""
    settings.CACHES = {"default": REDIS | {"LOCATION": "redis://127.0.0.1:6379/13"}}
    cache = caches["default"]
    cache.clear()
    yield cache
    cache.clear()


def test_pages_are_kept_in_redis_when_configured(client, bridge, redis_cache):
    """With CACHE_URL naming Redis, a page built once is served from Redis, where another
    app server would find it."""
    cached_page(client, "/releases/")
    assert any(key.startswith(b":1:page:") for key in redis_cache._cache.get_client().keys())


def test_a_stopped_redis_means_uncached_pages_and_one_warning(
    client, bridge, settings, caplog, monkeypatch
):
    """With nothing listening where Redis should be, every page is still served, built
    afresh, and the log says once that the cache is failing."""
    monkeypatch.setattr(caching, "_last_warning", float("-inf"))  # no warning just given
    settings.CACHES = {"default": REDIS | {"LOCATION": "redis://127.0.0.1:1/0"}}
    with caplog.at_level(logging.WARNING, logger="releases.caching"):
        for _ in range(3):
            response, queries = queries_for(client, "/releases/")
            assert response.status_code == 200
            assert "Minister opens new bridge" in response.content.decode()
            assert queries > 1
    warnings = [r.getMessage() for r in caplog.records if r.name == "releases.caching"]
    assert len(warnings) == 1
    assert warnings[0].startswith("The cache is failing (")


def test_downloads_are_sent_as_they_are(client, bridge, settings, tmp_path):
    """A PDF gains nothing from gzip, and keeps its Content-Length for the progress bar."""
    from django.core.files.base import ContentFile

    from releases.models import Attachment

    from .files import pdf

    settings.MEDIA_ROOT = str(tmp_path)
    content = pdf(padding=5000)
    attachment = Attachment.objects.create(
        release=bridge, title="Report", file=ContentFile(content, name="report.pdf"),
        content_type="application/pdf", size=len(content),
    )  # fmt: skip
    response = client.get(attachment.get_absolute_url(), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert response["Content-Length"] == str(len(content))
