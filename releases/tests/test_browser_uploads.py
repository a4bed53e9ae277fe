"""Uploads in a real browser (Debian's Chromium, as in test_browser.py): a file with a
script is refused by the release form or downloaded, and never runs; an uploaded image
shows in the body under the Content-Security-Policy."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import expect

from releases.models import Attachment, Release

from .files import HTML, SVG, png
from .test_browser import browser, watched  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)  # the live server reads from another thread

PASSWORD = "a long test password"
# Text that is not markup, so it is accepted as plain text, with a script inside: in a
# browser that took it for HTML, the script would run.
NOTES = b"Notes for the minister.\n<script>alert('the file ran')</script>\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def upload(page, row, title, name, content, mime):
    page.locator(f"#id_uploads-{row}-title").fill(title)
    page.locator(f"#id_uploads-{row}-file").set_input_files(
        {"name": name, "mimeType": mime, "buffer": content}
    )


def test_files_with_scripts_are_refused_or_downloaded_and_never_run(
    live_server,
    watched,  # noqa: F811 (the fixture imported above)
):
    """A publisher's SVG with a script and HTML named .pdf are refused by the form, saying
    why; text with a script in it uploads, and a reader who opens it gets a download: the
    page stays the release, and no script of the file's runs."""
    page, problems = watched
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    User.objects.create_superuser("publisher", password=PASSWORD)
    page.goto(live_server.url + reverse("admin:releases_release_add"))
    page.get_by_label("Username").fill("publisher")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_label("Title").press_sequentially("Bridge opens")
    page.get_by_label("Status").select_option(label="Published")
    upload(page, 0, "Logo", "logo.svg", SVG, "image/svg+xml")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("SVG images can carry scripts: save it as a PNG.")).to_be_visible()

    upload(page, 0, "Report", "report.pdf", HTML, "application/pdf")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("“report.pdf” is named as PDF but its content is HTML")).to_be_visible()
    assert not Release.objects.exists()

    upload(page, 0, "Notes", "notes.txt", NOTES, "text/plain")
    page.get_by_role("button", name="Add another uploaded attachment").click()
    upload(page, 1, "Chart", "chart.png", png(40, 20), "image/png")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    assert Attachment.objects.count() == 2

    # The editor pastes the image's Markdown from the form into the body.
    snippet = page.locator(".field-markdown code").filter(has_text="![Chart]").inner_text()
    page.get_by_label("Body").fill(f"The bridge in one chart:\n\n{snippet}")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()

    release_url = live_server.url + Release.objects.get().get_absolute_url()
    page.goto(release_url)
    chart = page.get_by_role("img", name="Chart")
    chart.wait_for()
    assert chart.evaluate("img => img.complete && img.naturalWidth") == 40
    expect(page.get_by_text(f"(Text, {len(NOTES)}\xa0bytes)")).to_be_visible()
    with page.expect_response("**/notes.txt") as response, page.expect_download() as download:
        page.get_by_role("link", name="Notes").click()
    # Sent by the attachments view, not by a server of the storage folder.
    headers = response.value.headers
    assert headers["content-disposition"] == 'attachment; filename="notes.txt"'
    assert headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert headers["x-content-type-options"] == "nosniff"
    assert download.value.suggested_filename == "notes.txt"
    assert open(download.value.path(), "rb").read() == NOTES
    page.wait_for_timeout(500)  # time for a script that should not run
    assert page.url == release_url
    expect(page.get_by_role("heading", level=1, name="Bridge opens")).to_be_visible()
    assert dialogs == [] and problems == []
