"""Share links: a publisher makes one in the admin for a release not yet public; anyone
holding it sees that release, never indexed or cached, until it expires or is revoked;
once the release is public it leads there. Editors cannot make one, even by a forged POST."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from releases.editorial import sharing, states
from releases.models import Portfolio, Release, ShareLink

from .test_admin import change_url, make_release

pytestmark = pytest.mark.django_db

SHARE_ADDRESS = re.compile(r"http://testserver(/share/[^/\s<]+/)")


def share_url(release):
    return f"{change_url(release).removesuffix('change/')}share/"


def revoke_url(link):
    return f"{share_url(link.release)}{link.pk}/revoke/"


def make_link(admin_client, release, **data):
    """Make a share link through the admin as `admin_client`; returns the page it goes
    back to and the link's path, or None if none was shown."""
    response = admin_client.post(share_url(release), data, follow=True)
    found = SHARE_ADDRESS.search(response.text)
    return response, found and found.group(1)


@pytest.fixture
def draft():
    return make_release("Embargoed budget", status=Release.Status.DRAFT, body="Big **news**.")


@pytest.fixture
def reader():
    """Someone without an account."""
    return Client()


@pytest.fixture
def press_secretary():
    return User.objects.create_superuser("press-secretary")


def assert_not_found(response, *secrets):
    """The site's plain 404, naming none of `secrets`, never indexed or kept."""
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.text
    for secret in secrets:
        assert secret not in response.text
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Cache-Control"] == "private, no-store"


# Making links ------------------------------------------------------------------------------


def test_publisher_makes_a_share_link_shown_once_and_listed(publisher, draft):
    """A publisher makes a link from the change page: its address is shown once, and the
    release's change page lists it with who made it, when, and until when it is open."""
    page = publisher.get(change_url(draft)).text
    assert 'id="share-links"' in page and "No share links yet." in page
    assert 'name="hours" value="48"' in page

    response, address = make_link(publisher, draft, hours="48")
    assert response.redirect_chain[-1][0] == change_url(draft) + "#share-links"
    assert address and "Copy it now: it is shown only this once." in response.text

    again = publisher.get(change_url(draft)).text
    assert address not in again  # the secret is not kept: only its hash is
    rows = re.findall(
        r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", again
    )
    assert len(rows) == 1
    made_by, made, until, state = rows[0]
    assert made_by == "publisher" and state == "Open"
    assert made.endswith(("NZST", "NZDT")) and until.endswith(("NZST", "NZDT"))
    link = ShareLink.objects.get()
    assert link.expires_at - link.created_at == datetime.timedelta(hours=48)
    assert link.token_hash not in address


def test_share_links_are_open_48_hours_by_default_and_at_most_14_days(publisher, draft):
    """Left alone, a link is open 48 hours; 14 days is allowed, more is refused with a
    message and makes no link."""
    link, _ = sharing.create(draft, User.objects.get(username="publisher"))
    assert link.expires_at - link.created_at == datetime.timedelta(hours=48)

    _, address = make_link(publisher, draft, hours=str(14 * 24))
    assert address is not None
    response, address = make_link(publisher, draft, hours=str(14 * 24 + 1))
    assert address is None
    assert "No share link made: Ensure this value is less than or equal to 336." in response.text
    assert ShareLink.objects.count() == 2
    with pytest.raises(ValidationError):
        sharing.create(draft, User.objects.get(username="publisher"), datetime.timedelta(days=15))


def test_editor_cannot_make_or_revoke_share_links_even_by_a_forged_post(editor, draft):
    """An editor sees no way to make a link, and a forged POST to make or revoke one is
    refused (403): nothing is made, and the publisher's link stays open."""
    page = editor.get(change_url(draft)).text
    assert "Only staff who may publish releases can make or revoke share links." in page
    assert "Make a share link" not in page
    assert editor.post(share_url(draft), {"hours": "48"}).status_code == 403
    assert not ShareLink.objects.exists()

    link, _ = sharing.create(draft, User.objects.create_superuser("press-secretary"))
    assert editor.post(revoke_url(link)).status_code == 403
    assert ShareLink.objects.get().revoked_at is None


# Opening links -----------------------------------------------------------------------------


def test_share_link_shows_that_release_without_login_never_indexed_or_cached(
    publisher, draft, reader
):
    """Without an account, the link shows its release's page under a "not public yet"
    banner, with X-Robots-Tag: noindex and Cache-Control: private, no-store; no other
    release is shown."""
    other = make_release("Another secret draft", status=Release.Status.DRAFT)
    _, address = make_link(publisher, draft, hours="48")
    response = reader.get(address)
    assert response.status_code == 200
    assert "<h1>Embargoed budget</h1>" in response.text
    assert "<p>Big <strong>news</strong>.</p>" in response.text
    assert "Shared preview: not public yet." in response.text
    assert "Please do not pass the link on. It stops working " in response.text
    assert other.title not in response.text
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Cache-Control"] == "private, no-store"
    assert "releases/release_detail.html" in [t.name for t in response.templates]
    # The link opens this release only: the public address is still not found.
    assert reader.get(draft.get_absolute_url()).status_code == 404


def test_expired_link_answers_404_naming_nothing(draft, reader, press_secretary):
    """A link past its expiry time answers the plain 404 page, which names no release."""
    link, address = sharing.create(draft, press_secretary)
    assert reader.get(address).status_code == 200
    # Two days on: made 49 hours ago, expired an hour ago.
    now = timezone.now()
    ShareLink.objects.filter(pk=link.pk).update(
        created_at=now - datetime.timedelta(hours=49), expires_at=now - datetime.timedelta(hours=1)
    )
    assert_not_found(reader.get(address), draft.title, draft.slug)


def test_revoked_link_answers_404_and_is_listed_as_revoked(publisher, draft, reader):
    """A publisher revokes a link from the change page: it answers 404 at once, and the
    list says who revoked it and when."""
    _, address = make_link(publisher, draft, hours="48")
    link = ShareLink.objects.get()
    response = publisher.post(revoke_url(link), follow=True)
    assert "Share link revoked" in response.text
    assert re.search(r"<td>Revoked \d+ \w+ \d{4}, .* by publisher</td>", response.text)
    assert ">Revoke</button>" not in response.text
    assert_not_found(reader.get(address), draft.title, draft.slug)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: ("A" if token[0] != "A" else "B") + token[1:],  # the secret
        lambda token: sharing.SIGNER.sign("a-secret-no-link-has"),  # signed, but unknown
        lambda token: token.split(":")[0],  # no signature
    ],
)
def test_tampered_link_answers_404_naming_nothing(draft, reader, press_secretary, tamper):
    """A link altered anywhere, or signed but unknown, answers the same plain 404."""
    _, address = sharing.create(draft, press_secretary)
    token = address.removeprefix("/share/").removesuffix("/")
    expected = reader.get("/share/no-such-link/").text
    response = reader.get(f"/share/{tamper(token)}/")
    assert_not_found(response, draft.title, draft.slug)
    assert response.text == expected


def test_link_redirects_to_the_public_page_once_public(draft, reader, press_secretary):
    """Scheduled, the link still shows the preview; once live, it redirects (302) to the
    release's public address."""
    link, address = sharing.create(draft, press_secretary)
    draft.published_at = timezone.now() + datetime.timedelta(days=1)
    states.publish(draft, press_secretary)
    assert reader.get(address).status_code == 200

    Release.objects.filter(pk=draft.pk).update(
        published_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    response = reader.get(address)
    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()
    assert response["Cache-Control"] == "private, no-store"
    assert reader.get(response["Location"]).status_code == 200


def test_change_page_lists_share_links_in_constant_queries(publisher, draft, press_secretary):
    """The change page lists every link with its maker, in as many queries for four links
    as for one."""
    sharing.create(draft, press_secretary)
    publisher.get(change_url(draft))  # the session and content types, cached from here on
    with CaptureQueriesContext(connection) as one_link:
        publisher.get(change_url(draft))
    for _ in range(3):
        sharing.create(draft, User.objects.get(username="publisher"))
    with CaptureQueriesContext(connection) as four_links:
        page = publisher.get(change_url(draft)).text
    assert page.count(">Revoke</button>") == 4
    assert page.count("<td>press-secretary</td>") == 1 and page.count("<td>publisher</td>") == 3
    assert len(four_links) == len(one_link)


def test_a_link_is_revoked_only_through_its_own_release(publisher, draft, press_secretary):
    """Revoking a link through another release's address finds nothing (404)."""
    link, _ = sharing.create(draft, press_secretary)
    other = make_release("Other draft", status=Release.Status.DRAFT)
    forged = f"{share_url(other)}{link.pk}/revoke/"
    assert publisher.post(forged).status_code == 404
    assert ShareLink.objects.get().revoked_at is None


def test_link_to_a_withdrawn_release_leads_to_its_notice(draft, reader, press_secretary):
    """A release withdrawn after its link was made is public at its address with its
    withdrawal notice: the link leads there, as it does to a published one."""
    link, address = sharing.create(draft, press_secretary)
    states.publish(draft, press_secretary)
    states.withdraw(draft, "Replaced by the 2027 budget.", press_secretary)
    response = reader.get(address, follow=True)
    assert response.redirect_chain == [(draft.get_absolute_url(), 302)]
    assert "Replaced by the 2027 budget." in response.text
    assert "Shared preview" not in response.text


def test_shared_page_costs_a_fixed_number_of_queries(
    draft, reader, press_secretary, django_assert_num_queries
):
    """The link, whether it is public yet, the release, its ministers, portfolios and
    uploaded attachments, the previous and next release in its portfolio and the related
    releases: nine queries, however many exist."""
    trade = Portfolio.objects.create(name="Trade", slug="trade")
    draft.portfolios.add(trade)
    for n in range(3):
        make_release(f"Trade release {n}").portfolios.add(trade)
    _, address = sharing.create(draft, press_secretary)
    with django_assert_num_queries(9):
        response = reader.get(address)
    assert "More in <a" in response.text
