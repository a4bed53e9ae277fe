"""Security headers: every response, public pages, feeds and the admin alike, carries a
strict Content-Security-Policy and a Permissions-Policy. The browser tests in
test_browser.py check that the pages still work under them."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from releases.importer import import_releases
from releases.models import Release

from .conftest import SEED
from .test_views import SEED_SLUG

pytestmark = pytest.mark.django_db

# Only this origin, and the old site's images that release bodies show; no inline script
# or style, no eval, no plugins, no framing, no <base>, forms submit only here.
STRICT_POLICY = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "https://www.beehive.govt.nz"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def content_security_policy(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = (part.split() for part in response.headers["Content-Security-Policy"].split(";"))
    return {name: sources for name, *sources in directives}


def permissions_policy(response):
    """The Permissions-Policy header as {feature: allowlist}."""
    items = (item.strip().split("=") for item in response.headers["Permissions-Policy"].split(","))
    return dict(items)


@pytest.fixture
def seed():
    assert import_releases([SEED]).errors == []


@pytest.mark.parametrize(
    "url, status",
    [
        (reverse("releases:home"), 200),
        (reverse("releases:detail", args=[SEED_SLUG]), 200),
        (reverse("releases:list") + "?q=trade", 200),
        (reverse("releases:feed"), 200),
        (reverse("releases:feed-atom"), 200),
        (reverse("releases:robots"), 200),
        (reverse("releases:detail", args=["no-such-release"]), 404),
        (reverse("admin:login"), 200),
    ],
)
def test_every_response_sends_a_strict_content_security_policy(client, seed, url, status):
    """Pages, feeds, errors and the admin's login all tell the browser to run and load
    nothing but this site's own files."""
    response = client.get(url)
    assert response.status_code == status
    assert content_security_policy(response) == STRICT_POLICY
    assert "unsafe" not in response.headers["Content-Security-Policy"]


def test_admin_pages_send_the_same_policy(client, seed):
    """A staff member listing and editing releases gets the same policy as the public: the
    admin needs no exception for its widgets."""
    client.force_login(User.objects.create_superuser("admin"))
    release = Release.objects.get(slug=SEED_SLUG)
    for url in (
        reverse("admin:releases_release_changelist"),
        reverse("admin:releases_release_change", args=[release.pk]),
        reverse("admin:releases_release_add"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert content_security_policy(response) == STRICT_POLICY


@pytest.mark.parametrize(
    "url", [reverse("releases:home"), reverse("releases:feed"), reverse("admin:login")]
)
def test_permissions_policy_switches_off_unused_features(client, url):
    """Camera, microphone, location, payment and sensors are off for the site and anything
    it embeds."""
    features = permissions_policy(client.get(url))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"
