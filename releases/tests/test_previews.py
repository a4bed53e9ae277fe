"""Staff preview releases in the admin exactly as the public page shows them, under a
banner saying they are not public: saved drafts, scheduled and withdrawn releases, and the
change form's unsaved content, which is never written."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from releases.editorial import states
from releases.models import Minister, Portfolio, Release

from .conftest import log_in
from .test_admin import ADD, CHANGELIST, change_data, change_url, form_data, make_release

pytestmark = pytest.mark.django_db

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.I)


def preview_url(release):
    return f"{CHANGELIST}{release.pk}/preview/"


def banner(response):
    """The preview banner's text, as a reader sees it."""
    found = re.search(r'<div class="notice preview-banner"[^>]*>(.*?)</div>', response.text, re.S)
    assert found, "no preview banner"
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


def article(response):
    return re.search(r"<article.*</article>", response.text, re.S).group(0)


def writes_during(action):
    """Run `action` and return its response and every statement it sent that writes."""
    with CaptureQueriesContext(connection) as queries:
        response = action()
    return response, [q["sql"] for q in queries.captured_queries if WRITES.match(q["sql"])]


# Saved releases ----------------------------------------------------------------------------


def test_draft_preview_is_its_page_under_a_not_public_banner(editor, client):
    """An editor opens a draft's preview from its change form: its page, titled and
    rendered as the public will see it, under "Preview: not public. It is a draft"; the
    public address still answers 404."""
    draft = make_release("Bridge opens", status=Release.Status.DRAFT, body="The **bridge**.")
    change = editor.get(change_url(draft)).text
    assert f'<a href="{preview_url(draft)}">Preview</a>' in change

    response = editor.get(preview_url(draft))
    assert response.status_code == 200
    assert banner(response) == "Preview: not public. It is a draft: only staff can see it."
    assert "<h1>Bridge opens</h1>" in response.text
    assert "<p>The <strong>bridge</strong>.</p>" in response.text
    assert '<meta name="robots" content="noindex">' in response.text
    assert "releases/release_detail.html" in [t.name for t in response.templates]
    client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_scheduled_preview_says_when_it_goes_live(editor):
    """A scheduled release's preview says it is not public and when it will be, NZ time."""
    scheduled = make_release(
        "Budget day",
        published_at=timezone.make_aware(datetime.datetime(2099, 5, 20, 14, 0)),
    )
    text = banner(editor.get(preview_url(scheduled)))
    assert text.startswith(
        "Preview: not public. It is scheduled. Goes live 20 May 2099, 2:00 pm NZST (in "
    )


def test_withdrawn_preview_shows_the_notice_and_says_it_is_listed_nowhere(editor):
    """A withdrawn release's preview shows the public withdrawal notice under a banner."""
    release = make_release("Old policy")
    superuser = User.objects.create_superuser("press-secretary")
    states.withdraw(release, "Replaced by the 2022 strategy.", superuser)
    response = editor.get(preview_url(release))
    assert banner(response).startswith("Preview: not public. It was withdrawn ")
    assert "Replaced by the 2022 strategy." in article(response)


def test_preview_of_a_live_release_is_its_public_page(editor, client):
    """For a live release the preview's article is the public page's, to the character."""
    live = make_release("Trade mission", body="Text with a [link](https://example.com).")
    live.portfolios.add(Portfolio.objects.create(name="Trade", slug="trade"))
    previewed = editor.get(preview_url(live))
    assert banner(previewed) == (
        "Preview: this release is live. The public sees this page at its address."
    )
    client.logout()
    assert article(previewed) == article(client.get(live.get_absolute_url()))


def test_changelist_links_every_release_to_its_preview_in_constant_queries(editor):
    """Each change list row has a Preview link; the page's queries do not grow with rows."""
    first = make_release("First")
    editor.get(CHANGELIST)  # the session and content types, cached from here on
    with CaptureQueriesContext(connection) as one_row:
        page = editor.get(CHANGELIST).text
    assert f'<a href="{preview_url(first)}">Preview</a>' in page
    for n in range(5):
        make_release(f"More {n}", status=Release.Status.DRAFT)
    with CaptureQueriesContext(connection) as six_rows:
        page = editor.get(CHANGELIST).text
    assert page.count(">Preview</a>") == 6
    assert len(six_rows) == len(one_row)


# Unsaved content ---------------------------------------------------------------------------


def test_change_form_has_a_preview_button_that_needs_no_script(editor):
    """The change form's "Preview unsaved changes" button posts the form to the preview
    in a new tab, with no inline script."""
    draft = make_release("Draft", status=Release.Status.DRAFT)
    page = editor.get(change_url(draft)).text
    button = re.search(r"<button[^>]*>Preview unsaved changes</button>", page).group(0)
    assert f'formaction="{preview_url(draft)}"' in button
    assert 'formtarget="_blank"' in button and "formnovalidate" in button
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    add_page = editor.get(ADD).text
    assert f'formaction="{CHANGELIST}preview/"' in add_page


def test_unsaved_preview_shows_the_form_and_writes_nothing(editor):
    """Previewing edits to a draft shows the edited title, Markdown body, ministers and
    portfolios on the release's page, and sends no write to the database."""
    draft = make_release("Old title", status=Release.Status.DRAFT, body="Old body.")
    minister = Minister.objects.create(name="Nicola Willis", slug="nicola-willis")
    portfolio = Portfolio.objects.create(name="Finance", slug="finance")
    before = Release.objects.values().get(pk=draft.pk)
    data = change_data(
        draft,
        title="New title",
        body="A *new* body.",
        ministers=[minister.pk],
        portfolios=[portfolio.pk],
    )
    response, writes = writes_during(lambda: editor.post(preview_url(draft), data))
    assert response.status_code == 200
    assert writes == []
    assert banner(response) == (
        "Preview of unsaved changes: not saved, not public. This is the form as you left "
        "it. Close this tab and save the form to keep it."
    )
    page = article(response)
    assert "<h1>New title</h1>" in page and "<p>A <em>new</em> body.</p>" in page
    assert ">Nicola Willis</a>" in page and ">Finance</a>" in page
    assert Release.objects.values().get(pk=draft.pk) == before
    assert not draft.ministers.exists() and not draft.portfolios.exists()


def test_unsaved_preview_of_a_new_release_writes_nothing(editor):
    """The add form's preview shows the new release, dated today, and saves no release."""
    response, writes = writes_during(
        lambda: editor.post(f"{CHANGELIST}preview/", form_data(title="Kiwi bridge opens"))
    )
    assert response.status_code == 200 and writes == []
    assert "<h1>Kiwi bridge opens</h1>" in response.text
    today = timezone.localdate().strftime("%-d %B %Y")
    assert "Published <time" in response.text and today in article(response)
    assert Release.objects.count() == 0


def test_unsaved_preview_of_an_invalid_form_lists_its_errors(editor):
    """A form with no title has no page to preview: the errors are listed instead."""
    response = editor.post(f"{CHANGELIST}preview/", form_data(title=""))
    assert response.status_code == 400
    assert "Title: This field is required." in response.text
    assert Release.objects.count() == 0


def test_editor_previews_a_published_release_but_has_no_unsaved_preview(editor):
    """An editor viewing a live release read-only can preview it, and has no form to."""
    live = make_release("Live")
    page = editor.get(change_url(live)).text
    assert f'<a href="{preview_url(live)}">Preview</a>' in page
    assert "Preview unsaved changes" not in page
    assert editor.get(preview_url(live)).status_code == 200


# Who may preview ---------------------------------------------------------------------------


def test_previews_need_a_staff_login():
    """Anonymous readers and logged-in non-staff are sent to the admin login, for the
    saved and the unsaved preview alike; nothing is shown or written."""
    draft = make_release("Secret draft", status=Release.Status.DRAFT)
    anonymous = Client()
    member = Client()
    member.force_login(User.objects.create_user("reader"))
    for client in (anonymous, member):
        for response in (
            client.get(preview_url(draft)),
            client.post(preview_url(draft), change_data(draft, title="Changed")),
            client.post(f"{CHANGELIST}preview/", form_data()),
        ):
            assert response.status_code == 302
            assert response["Location"].startswith("/admin/login/")
    assert Release.objects.get().title == "Secret draft"


def test_staff_without_view_permission_are_refused(client):
    """Staff who may not view releases get 403 from both previews."""
    draft = make_release("Secret draft", status=Release.Status.DRAFT)
    log_in(client, "intern", [])
    assert client.get(preview_url(draft)).status_code == 403
    assert client.post(preview_url(draft), change_data(draft)).status_code == 403
    assert client.post(f"{CHANGELIST}preview/", form_data()).status_code == 403
