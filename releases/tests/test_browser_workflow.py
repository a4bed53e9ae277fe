"""The everyday path in Debian's Chromium (see test_browser.py): an editor writes a draft,
a publisher schedules it, and the public sees it only once its time has come."""

import datetime
from importlib import import_module

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone
from playwright.sync_api import expect

from releases.models import Release

from .test_browser import browser, watched  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)  # the live server reads from another thread

# The groups' permissions as migration 0014 gives them: a transactional test that ran
# before this one flushed the groups away with every other row.
ROLES = import_module("releases.migrations.0014_editor_and_publisher_groups").ROLES

PASSWORD = "a long test password"


def log_in(page, live_server, role):
    """A member of the group `role`, logged in to the admin on `page`."""
    group, _ = Group.objects.get_or_create(name=role)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="releases", codename__in=ROLES[role])
    )
    user = User.objects.create_user(role.lower(), password=PASSWORD, is_staff=True)
    user.groups.add(group)
    page.goto(f"{live_server.url}/admin/releases/release/add/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_editor_drafts_and_publisher_schedules(live_server, browser, watched):  # noqa: F811
    """The editor's release is saved as a draft; the publisher schedules it for a time to
    come and the change list says when it goes live; the public page answers 404 until
    then and shows the release once the time has passed, with nothing run in between."""
    page, problems = watched
    log_in(page, live_server, "Editor")
    page.get_by_label("Title:").fill("Ferry timetable changes")
    page.get_by_label("Date:").fill("03/06/2030")
    page.get_by_label("Body:").fill("The ferry runs **hourly** from June.")
    page.get_by_role("button", name="Save", exact=True).click()
    release = Release.objects.get()
    assert (release.status, release.slug) == (Release.Status.DRAFT, "ferry-timetable-changes")

    publisher = browser.new_context().new_page()
    log_in(publisher, live_server, "Publisher")
    publisher.goto(f"{live_server.url}/admin/releases/release/{release.pk}/change/")
    publisher.get_by_label("Status:").select_option("published")
    publisher.locator('input[name="published_at_0"]').fill("03/06/2030")
    publisher.locator('input[name="published_at_1"]').fill("09:00")
    publisher.get_by_role("button", name="Save", exact=True).click()
    row = publisher.get_by_role("row", name="Ferry timetable changes")
    assert "Scheduled" in row.inner_text()
    assert "Goes live 3 June 2030, 9:00 am NZST" in row.inner_text()

    reader = browser.new_context().new_page()
    public = f"{live_server.url}{release.get_absolute_url()}"
    assert reader.goto(public).status == 404
    # The publish time comes: nothing runs, the page is public on the next request.
    Release.objects.filter(pk=release.pk).update(
        published_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert reader.goto(public).status == 200
    expect(reader.get_by_role("heading", level=1, name="Ferry timetable changes")).to_be_visible()
    assert problems == []
