"""Security headers: every response, public pages, feeds and the admin alike, carries a
strict Content-Security-Policy and a Permissions-Policy. The browser tests in
test_browser.py check that the pages still work under them. The admin login locks a
username out of one address after repeated failures."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.db.models import F
from django.test import override_settings
from django.urls import reverse
from pytest_django.asserts import assertContains

from releases.importing import import_releases
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


# Brute-force protection on the admin login (django-axes): a username is locked from one
# address after five failures, for 15 minutes.
PASSWORD = "a long test password"
LOCKED = "Login locked"
WRONG = "Please enter the correct username and password"


@pytest.fixture
def editor():
    return User.objects.create_superuser("editor", password=PASSWORD)


def log_in(client, username, password, **headers):
    """Submit the admin's login form, as a browser at the test client's address would."""
    data = {"username": username, "password": password, "next": reverse("admin:index")}
    return client.post(reverse("admin:login"), data, **headers)


def fail(client, times=5, username="editor", **headers):
    """Log in with a wrong password, times times; return the last response."""
    for _ in range(times):
        response = log_in(client, username, "wrong password", **headers)
    return response


def minutes_pass(minutes):
    """Move the recorded login failures back in time, as if minutes had passed."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def test_five_wrong_passwords_lock_the_login(client, editor):
    """Four wrong passwords get the usual error; the fifth, and then even the right one,
    get a page saying the login is locked, when to try again and whom to ask."""
    for _ in range(4):
        assertContains(fail(client, times=1), WRONG)
    assertContains(fail(client, times=1), LOCKED, status_code=429)

    response = log_in(client, "editor", PASSWORD)
    assert response.status_code == 429
    assertContains(response, f"<h1>{LOCKED}</h1>", status_code=429, html=True)
    assertContains(response, "Try again in 15 minutes", status_code=429)
    assertContains(response, "ask a site administrator", status_code=429)
    assert client.get(reverse("admin:index")).status_code == 302  # still not logged in


def test_a_lockout_is_logged(client, editor, caplog):
    """Operations see a warning when a login is locked."""
    fail(client)
    assert any(
        record.levelname == "WARNING" and "Locking out" in record.getMessage()
        for record in caplog.records
    )


def test_other_usernames_from_the_same_address_can_log_in(client, editor):
    """Colleagues in the same office, behind one address, are not locked out with the
    user whose password was guessed."""
    User.objects.create_superuser("reporter", password=PASSWORD)
    fail(client)
    assert log_in(client, "reporter", PASSWORD).status_code == 302


def test_the_same_username_from_another_address_can_log_in(client, editor):
    """Someone guessing an editor's password elsewhere does not lock the editor out."""
    fail(client, REMOTE_ADDR="198.51.100.7")
    assert log_in(client, "editor", PASSWORD).status_code == 302


def test_a_successful_login_resets_the_count(client, editor):
    """Four typos, a success, then four more typos: the right password still works."""
    fail(client, times=4)
    assert log_in(client, "editor", PASSWORD).status_code == 302
    client.logout()
    fail(client, times=4)
    assert log_in(client, "editor", PASSWORD).status_code == 302


def test_the_lock_lifts_after_15_minutes_without_attempts(client, editor):
    """A try after 14 minutes is refused and starts the wait again; 15 minutes after it,
    the right password works."""
    fail(client)
    minutes_pass(14)
    assert log_in(client, "editor", PASSWORD).status_code == 429
    minutes_pass(15)
    assert log_in(client, "editor", PASSWORD).status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_load_balancer_the_lock_follows_the_client(client, editor):
    """Behind one proxy, which every request comes from, the lock is on the address the
    proxy saw, and an address the client adds in front of it changes nothing."""
    balancer = {"REMOTE_ADDR": "10.0.0.2"}
    fail(client, HTTP_X_FORWARDED_FOR="203.0.113.5", **balancer)
    spoofed = "198.51.100.1, 203.0.113.5"
    assert (
        log_in(client, "editor", PASSWORD, HTTP_X_FORWARDED_FOR=spoofed, **balancer).status_code
        == 429
    )
    other = log_in(client, "editor", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9", **balancer)
    assert other.status_code == 302


def test_without_a_proxy_x_forwarded_for_is_ignored(client, editor):
    """With no proxy configured, a client cannot escape the lock by claiming to be
    forwarded for some other address."""
    fail(client)
    forged = log_in(client, "editor", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert forged.status_code == 429
