"""Incremental sync: a client that mirrors ?modified_since= into a dictionary ends with
exactly the public data, whatever editors did between its syncs."""

import datetime
import shutil
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from releases.editorial import states
from releases.importing import import_releases
from releases.models import Departure, Minister, Release

from .conftest import log_in
from .test_admin import change_data, change_url
from .test_admin_states import run_action
from .test_duplicates import PEDESTRIAN
from .test_views import make_named, make_release

pytestmark = pytest.mark.django_db

START = "/api/releases/?modified_since=1970-01-01T00:00:00Z&page_size=2"


class Mirror:
    """A client of the sync, as /api/ shows one: apply each change in order, keep `resume`."""

    def __init__(self, client):
        self.client, self.releases, self.address = client, {}, START

    def sync(self):
        while True:
            response = self.client.get(self.address)
            assert response.status_code == 200, response.content
            page = response.json()
            for item in page["results"]:
                change = item.pop("change")
                if change == "live":
                    self.releases[item["id"]] = item
                else:
                    assert set(item) == {"id", "slug", "modified"}  # nothing more of it shown
                    self.releases.pop(item["id"], None)
            self.address = page["resume"]
            if page["next"] is None:
                return self.releases


def public(client):
    """Every release the public list shows now, walked page by page."""
    releases, address = {}, "/api/releases/?page_size=100"
    while address:
        page = client.get(address).json()
        releases |= {r["id"]: r for r in page["results"]}
        address = page["next"]
    return releases


@pytest.fixture
def publisher():
    return User.objects.create_superuser("publisher")


def test_mirror_stays_exact_across_edits(client, publisher):
    """Publish, edit, withdraw, reinstate, unpublish, delete and a scheduled release's time
    passing: after each, a mirror that syncs again equals the public list."""
    mirror = Mirror(client)
    minister = make_named(Minister, "Jo Bloggs")
    releases = [make_release(ministers=[minister]) for _ in range(5)]
    draft = make_release("Secret draft", status=Release.Status.DRAFT)
    later = make_release("Embargoed", published_at=timezone.now() + datetime.timedelta(hours=1))

    def check():
        assert mirror.sync() == public(client)

    check()
    assert len(mirror.releases) == 5

    states.publish(draft, publisher)  # published
    check()
    releases[0].title = "A corrected title"  # edited
    releases[0].save()
    releases[1].ministers.clear()  # its links changed
    releases[1].save()
    check()
    assert mirror.releases[releases[0].pk]["title"] == "A corrected title"
    assert mirror.releases[releases[1].pk]["ministers"] == []

    states.withdraw(releases[2], "Wrong figures.", publisher)  # withdrawn
    check()
    states.publish(releases[2], publisher)  # reinstated
    check()
    states.unpublish(releases[3], publisher)  # back to draft
    releases[3].title = "Now a secret"
    releases[3].save()
    check()
    assert releases[3].pk not in mirror.releases
    releases[4].delete()  # deleted
    Release.objects.filter(pk=draft.pk).delete()  # deleted by a queryset
    check()
    assert len(mirror.releases) == 3

    with mock.patch("django.utils.timezone.now", return_value=later.published_at + datetime.timedelta(minutes=1)):  # fmt: skip
        check()  # the embargo passed
        assert later.pk in mirror.releases
    assert b"Now a secret" not in client.get(START).content


def test_tombstones_say_what_happened(client, publisher):
    """Each release that left the public site comes back once as a tombstone naming why."""
    withdrawn, unpublished, deleted = (make_release() for _ in range(3))
    since = timezone.now().isoformat()
    states.withdraw(withdrawn, "Wrong figures.", publisher)
    states.unpublish(unpublished, publisher)
    deleted_id, deleted_slug = deleted.pk, deleted.slug
    deleted.delete()
    response = client.get("/api/releases/", {"modified_since": since})
    assert [(r["change"], r["id"]) for r in response.json()["results"]] == [
        ("withdrawn", withdrawn.pk),
        ("unpublished", unpublished.pk),
        ("deleted", deleted_id),
    ]
    assert response.json()["results"][2]["slug"] == deleted_slug


def test_releases_never_public_leave_no_tombstone(client, publisher):
    """Deleting or unpublishing a draft or a scheduled release tells the public nothing."""
    draft = make_release(status=Release.Status.DRAFT)
    scheduled = make_release(published_at=timezone.now() + datetime.timedelta(days=1))
    states.unpublish(scheduled, publisher)
    draft.delete()
    assert Departure.objects.count() == 0
    assert client.get(START).json()["results"] == []


def test_sync_pages_follow_the_order_changes_were_made(client):
    """Changes come oldest first, and `next` pages through them with none missed."""
    releases = [make_release() for _ in range(5)]
    releases[0].save()  # now the newest change
    seen, address = [], START
    while address:
        page = client.get(address).json()
        seen += [r["id"] for r in page["results"]]
        address = page["next"]
    assert seen == [r.pk for r in releases[1:]] + [releases[0].pk]


def test_live_release_moved_to_a_later_time_leaves_and_comes_back(client):
    """A publisher moving a live release's publish time into the future sends a tombstone,
    and the release again once that time passes."""
    staff = Client()
    log_in(staff, "press-secretary", ["change_release", "view_release", "publish_release"])
    release = make_release()
    mirror = Mirror(client)
    mirror.sync()
    later = timezone.localtime() + datetime.timedelta(days=2)
    form = change_data(
        release,
        status="published",
        published_at_0=f"{later:%d/%m/%Y}",
        published_at_1=f"{later:%H:%M}",
    )
    assert staff.post(change_url(release), form).status_code == 302
    assert mirror.sync() == public(client) == {}
    assert Departure.objects.get().reason == Departure.Reason.RESCHEDULED
    with mock.patch("django.utils.timezone.now", return_value=later + datetime.timedelta(hours=1)):
        assert list(mirror.sync()) == list(public(client)) == [release.pk]


def test_releases_changed_at_the_same_time_are_each_sent_once(client):
    """An import writes many releases in the same instant: pages of them resume by id
    within that time, so none is skipped or repeated."""
    releases = [make_release() for _ in range(5)]
    instant = timezone.now() - datetime.timedelta(hours=1)
    Release.objects.update(updated_at=instant, published_at=instant - datetime.timedelta(days=1))
    seen, address = [], START
    while address:
        page = client.get(address).json()
        seen += [item["id"] for item in page["results"]]
        address = page["next"]
    assert seen == sorted(r.pk for r in releases)


def fold_a_mirrored_copy(client, folder):
    """A mirror that holds a release, then an import of `folder` with the earlier copy
    of it added, which folds it: (the mirror, synced before the fold, and the copy)."""
    later, earlier = sorted(PEDESTRIAN.iterdir(), reverse=True)
    shutil.copy(later, folder)
    import_releases([folder])
    copy = Release.objects.get()
    mirror = Mirror(client)
    assert list(mirror.sync()) == [copy.pk]
    shutil.copy(earlier, folder)
    assert import_releases([folder]).duplicates == 1
    return mirror, copy


def test_copy_folded_by_an_import_leaves_the_mirror(client, tmp_path):
    """A release a mirror holds that a later import finds to repeat an earlier one leaves
    it by a "duplicate" tombstone with its id and slug; the earlier one takes its place."""
    since = timezone.now().isoformat()
    mirror, copy = fold_a_mirrored_copy(client, tmp_path)
    assert mirror.sync() == public(client)
    assert list(mirror.releases) == [Release.objects.get(duplicate_of=None).pk]
    changes = client.get("/api/releases/", {"modified_since": since}).json()["results"]
    assert [(r["change"], r["id"], r["slug"]) for r in changes if r["change"] != "live"] == [
        ("duplicate", copy.pk, "pedestrian-profile-welcomed")
    ]


def test_copy_kept_apart_comes_back_to_the_mirror(client, tmp_path):
    """A publisher's "Not duplicates" publishes the folded copy again, and the mirror's
    next sync brings it back."""
    mirror, copy = fold_a_mirrored_copy(client, tmp_path)
    assert copy.pk not in mirror.sync()
    staff = Client()
    log_in(staff, "press-secretary", ["change_release", "view_release", "publish_release"])
    assert run_action(staff, "keep_apart_selected", [copy]).status_code == 302
    assert mirror.sync() == public(client)
    assert copy.pk in mirror.releases and len(mirror.releases) == 2


def test_copies_folded_as_they_are_imported_leave_no_tombstone(client):
    """An import that finds a new release to repeat another folds it before anyone could
    see it: it tells a mirror nothing."""
    assert import_releases([PEDESTRIAN]).duplicates == 1
    assert Departure.objects.count() == 0
    assert len(Mirror(client).sync()) == 1
