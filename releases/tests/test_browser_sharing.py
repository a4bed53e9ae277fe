"""Previews and share links in Debian's Chromium (see test_browser.py): a publisher previews
unsaved changes in a new tab, makes a share link, and someone with no account opens it in a
fresh browser; nothing is blocked by the Content-Security-Policy."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from playwright.sync_api import expect

from releases.models import Release

from .conftest import EDITING
from .test_admin import make_release
from .test_browser import REPORT_VIOLATIONS, VIOLATION, browser, watched  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)  # the live server reads from another thread

PASSWORD = "a long test password"


def watch(context, problems):
    """Collect the CSP violations and script errors of every page `context` opens, as the
    `watched` fixture does for its one page."""
    context.add_init_script(REPORT_VIOLATIONS)
    context.on(
        "console",
        lambda message: message.text.startswith(VIOLATION) and problems.append(message.text),
    )
    context.on("weberror", lambda error: problems.append(str(error.error)))


def test_publisher_previews_and_shares_a_draft(live_server, browser, watched):  # noqa: F811
    """A publisher previews an unsaved title in a new tab (nothing is saved), makes a share
    link, and a reader in a fresh browser opens it and sees the draft under the banner."""
    page, problems = watched
    draft = make_release("Embargoed budget", status=Release.Status.DRAFT)
    publisher = User.objects.create_user("publisher", password=PASSWORD, is_staff=True)
    publisher.user_permissions.set(
        Permission.objects.filter(codename__in=[*EDITING, "publish_release"])
    )

    page.goto(live_server.url + reverse("admin:releases_release_change", args=[draft.pk]))
    page.get_by_label("Username").fill("publisher")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    tabs_problems = []
    watch(page.context, tabs_problems)
    page.get_by_label("Title").fill("Budget 2027: the full package")
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Preview unsaved changes").click()
    preview = opened.value
    preview.wait_for_load_state()
    expect(
        preview.get_by_role("heading", level=1, name="Budget 2027: the full package")
    ).to_be_visible()
    assert preview.get_by_role("status").inner_text().startswith("Preview of unsaved changes")
    preview.close()
    assert Release.objects.get().title == "Embargoed budget"

    page.get_by_role("button", name="Make a share link").click()
    message = page.locator(".messagelist .success").inner_text()
    address = message.split()[-1]
    assert address.startswith(f"{live_server.url}/share/")
    expect(page.get_by_role("cell", name="Open", exact=True)).to_be_visible()

    fresh = browser.new_context()
    watch(fresh, tabs_problems)
    reader = fresh.new_page()
    reader.goto(address)
    expect(reader.get_by_role("heading", level=1, name="Embargoed budget")).to_be_visible()
    assert reader.get_by_role("status").inner_text().startswith("Shared preview: not public yet.")
    assert problems == [] and tabs_problems == []
