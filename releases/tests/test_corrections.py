"""Corrections in public, through the real change form: a publisher changing a live
release chooses a minor change (nothing shown) or a public update with a note, which the
release's page and feeds then carry with its new last-updated time."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from releases.models import Release

from .test_admin import change_data, change_url, make_release
from .test_revisions import history_rows

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
NOTE = "Corrected the opening date to 4 June."


@pytest.fixture
def live():
    """A release live since 1 June 2021."""
    first = datetime.datetime(2021, 6, 1, 9, 0, tzinfo=datetime.UTC)
    return make_release("Bridge opens", published_at=first, body="The bridge opens on 3 June.")


def save_live(client, release, **changes):
    data = change_data(
        release,
        body="The bridge opens on 4 June.",
        status=Release.Status.PUBLISHED,
        published_at_0="01/06/2021",
        published_at_1="21:00",
    )
    return client.post(change_url(release), data | changes)


def today():
    return timezone.localdate().strftime("%-d %B %Y")


def atom_entry(client, release):
    root = ET.fromstring(client.get("/releases/feed/atom/").content)
    for entry in root.iter(f"{ATOM}entry"):
        if entry.findtext(f"{ATOM}id").endswith(release.get_absolute_url()):
            return entry
    raise AssertionError("not in the feed")


def test_publisher_is_asked_minor_change_or_public_update_on_a_live_release(publisher, live):
    """A live release's change form asks whether the change is minor or a public update."""
    page = publisher.get(change_url(live)).content.decode()
    assert "Public update" in page and 'name="change_kind"' in page
    assert 'name="update_note"' in page


def test_draft_change_form_asks_nothing(publisher):
    """A draft has no public to tell: its form does not ask."""
    draft = make_release("Draft", status=Release.Status.DRAFT)
    assert 'name="change_kind"' not in publisher.get(change_url(draft)).content.decode()


def test_public_update_shows_on_the_page_with_its_note_and_date(publisher, live, client):
    """A public update lists its dated note on the page and moves "Last updated" to today;
    the revision's comment names the note."""
    response = save_live(publisher, live, change_kind="update", update_note=NOTE)
    assert response.status_code == 302
    (who, comment), *_ = history_rows(publisher, live)
    assert comment == f"Changed Body. Public update: “{NOTE}”"
    client.logout()
    html = client.get(live.get_absolute_url()).content.decode()
    assert 'Published <time datetime="2021-06-01">1 June 2021</time> · Last updated' in html
    assert f">{today()}</time>" in html
    assert f"{today()}</time>:</strong> {NOTE}</li>" in html
    assert "4 June." in html


def test_public_update_is_in_the_feeds_with_the_new_updated_time(publisher, live, client):
    """The feed entry carries the note and the update's time as <updated>, its first
    publication as <published>; the sitemap's <lastmod> is the update's day."""
    save_live(publisher, live, change_kind="update", update_note=NOTE)
    live.refresh_from_db()
    client.logout()
    entry = atom_entry(client, live)
    assert entry.findtext(f"{ATOM}published").startswith("2021-06-01")
    updated = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
    assert abs(updated - live.last_updated_at) < datetime.timedelta(seconds=1)
    assert updated.date() >= timezone.now().date() - datetime.timedelta(days=1)
    assert f"Updated {today()}:</strong> {NOTE}" in entry.findtext(f"{ATOM}content")
    rss = client.get("/releases/feed/").content.decode()
    assert f"Updated {today()}:&lt;/strong&gt; {NOTE}" in rss
    sitemap = client.get("/sitemap-releases.xml").content.decode()
    assert f"<lastmod>{timezone.localdate(live.last_updated_at).isoformat()}</lastmod>" in sitemap


def test_minor_change_shows_nothing_and_keeps_last_updated(publisher, live, client):
    """A minor change is saved but shows no note, and the last-updated time stays."""
    response = save_live(publisher, live, change_kind="minor")
    assert response.status_code == 302
    live.refresh_from_db()
    assert live.last_updated_at is None and live.update_notes.count() == 0
    client.logout()
    html = client.get(live.get_absolute_url()).content.decode()
    assert "4 June." in html and "Last updated" not in html and "Updates</h2>" not in html
    entry = atom_entry(client, live)
    assert entry.findtext(f"{ATOM}updated").startswith("2021-06-01")


def test_public_update_needs_a_note(publisher, live):
    """Choosing a public update without a note is a form error; nothing is saved."""
    response = save_live(publisher, live, change_kind="update", update_note=" ")
    assert response.status_code == 200
    assert "Say what changed" in response.content.decode()
    live.refresh_from_db()
    assert live.body == "The bridge opens on 3 June." and live.last_updated_at is None


def test_update_notes_list_newest_first(publisher, live, client):
    """Each public update adds a dated note; the page lists them newest first, and the
    change form shows the earlier ones."""
    save_live(publisher, live, change_kind="update", update_note="First correction.")
    save_live(publisher, live, body="Opens 5 June.", change_kind="update", update_note="Second.")
    form = publisher.get(change_url(live)).content.decode()
    assert "Earlier public updates" in form and "First correction." in form
    client.logout()
    html = client.get(live.get_absolute_url()).content.decode()
    assert html.index("Second.") < html.index("First correction.")


def test_page_and_feed_cost_no_more_queries_with_an_update(
    publisher, live, client, django_assert_num_queries
):
    """An updated release costs its page and the feed one query more, for its notes,
    however many releases or notes there are."""
    for n in range(3):
        save_live(publisher, live, body=f"Version {n}.", change_kind="update", update_note=f"{n}")
    make_release("Another")
    client.logout()
    # Each first reads the content version (caching.py).
    # release, ministers, portfolios, uploads, notes, related releases (related.py)
    with django_assert_num_queries(7):
        assert client.get(live.get_absolute_url()).status_code == 200
    with django_assert_num_queries(5):  # releases, ministers, portfolios, notes
        assert client.get("/releases/feed/atom/").status_code == 200
