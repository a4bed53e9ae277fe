"""Publishing, unpublishing and withdrawing in the admin, for each role, through the real
change list and forms; and every time in New Zealand time with its zone."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from releases.editorial import states
from releases.models import Release

from .conftest import EDITING, log_in
from .test_admin import CHANGELIST, change_data, change_url, changelist_rows, make_release

pytestmark = pytest.mark.django_db

REASON = "This policy has been replaced by the 2022 trade strategy."


def run_action(client, action, releases, follow=False, **extra):
    """Post the change list's action form, as the browser does, for `releases`."""
    data = {"action": action, "_selected_action": [r.pk for r in releases], **extra}
    return client.post(CHANGELIST, data, follow=follow)


def press_secretary():
    """A user who may publish, for setting up releases in a state."""
    user, _ = User.objects.get_or_create(username="press-secretary", is_superuser=True)
    return user


def statuses(*releases):
    return [Release.objects.get(pk=r.pk).status for r in releases]


@pytest.fixture
def live_and_draft():
    return make_release("Live release"), make_release("Draft", status=Release.Status.DRAFT)


# Publishers' actions -----------------------------------------------------------------------


def test_publisher_publishes_selected_drafts(publisher, client):
    """ "Publish selected releases" makes each selected draft public at once."""
    drafts = [make_release(f"Draft {n}", status=Release.Status.DRAFT) for n in range(2)]
    response = run_action(publisher, "publish_selected", drafts)
    assert response.status_code == 302
    assert statuses(*drafts) == [Release.Status.PUBLISHED] * 2
    client.logout()
    assert all(client.get(d.get_absolute_url()).status_code == 200 for d in drafts)


def test_publisher_unpublishes_selected_releases(publisher, client, live_and_draft):
    """ "Unpublish" returns published releases to draft: their addresses answer 404."""
    live, _ = live_and_draft
    assert run_action(publisher, "unpublish_selected", live_and_draft).status_code == 302
    assert statuses(*live_and_draft) == [Release.Status.DRAFT] * 2
    client.logout()
    assert client.get(live.get_absolute_url()).status_code == 404


def test_withdraw_asks_for_one_reason_then_withdraws_each(publisher, client):
    """Withdrawing shows a confirmation page asking for a reason, refuses an empty one,
    and then withdraws every selected release with that reason on its page."""
    releases = [make_release("First"), make_release("Second")]
    confirm = run_action(publisher, "withdraw_selected", releases)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "<title>Withdraw releases" in html and 'name="reason"' in html
    assert ">First</a>" in html and ">Second</a>" in html
    assert statuses(*releases) == [Release.Status.PUBLISHED] * 2

    empty = run_action(publisher, "withdraw_selected", releases, apply="yes", reason=" ")
    assert empty.status_code == 200 and "Give a reason" in empty.content.decode()
    assert statuses(*releases) == [Release.Status.PUBLISHED] * 2

    done = run_action(publisher, "withdraw_selected", releases, apply="yes", reason=REASON)
    assert done.status_code == 302
    assert statuses(*releases) == [Release.Status.WITHDRAWN] * 2
    client.logout()
    for release in releases:
        page = client.get(release.get_absolute_url()).content.decode()
        assert "Withdrawn on" in page and REASON in page


def test_withdraw_leaves_releases_that_are_not_live_and_says_so(publisher, live_and_draft):
    """A draft or scheduled release cannot be withdrawn: it was never public."""
    scheduled = make_release("Later", published_at=timezone.now() + datetime.timedelta(days=2))
    selected = [*live_and_draft, scheduled]
    response = run_action(
        publisher, "withdraw_selected", selected, apply="yes", reason=REASON, follow=True
    )
    assert statuses(*selected) == ["withdrawn", "draft", "published"]
    html = response.content.decode()
    assert "Withdrew 1 release(s)." in html
    assert "“Later” is not live: only a live release can be withdrawn." in html


def test_publisher_reinstates_a_withdrawn_release(publisher, client, live_and_draft):
    """Publishing a withdrawn release puts it back on the lists, with no notice."""
    live, _ = live_and_draft
    states.withdraw(live, REASON, press_secretary())
    assert run_action(publisher, "publish_selected", [live]).status_code == 302
    client.logout()
    assert live.get_absolute_url() in client.get("/releases/").content.decode()
    assert "Withdrawn on" not in client.get(live.get_absolute_url()).content.decode()


def test_withdrawn_release_form_shows_its_state_read_only(publisher, live_and_draft):
    """A withdrawn release's form says when and why, and its status changes only by the
    actions, which keep the notice and times consistent."""
    live, _ = live_and_draft
    states.withdraw(live, REASON, press_secretary())
    html = publisher.get(change_url(live)).content.decode()
    assert 'name="title"' in html and 'name="status"' not in html
    assert re.search(rf"Withdrawn \d+ \w+ \d{{4}}, \d+:\d\d [ap]m NZ[SD]T: {REASON}", html)


def test_publisher_cannot_withdraw_through_the_form(publisher, live_and_draft):
    """The form offers no "Withdrawn" status, which needs a reason: a POST of it is an error."""
    live, _ = live_and_draft
    assert '<option value="withdrawn"' not in publisher.get(change_url(live)).content.decode()
    response = publisher.post(change_url(live), change_data(live, status="withdrawn"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert statuses(live) == ["published"]


# Editors -----------------------------------------------------------------------------------


def test_editor_is_not_offered_the_publishers_actions(editor, live_and_draft):
    """An editor's change list has no publish, unpublish or withdraw action."""
    html = editor.get(CHANGELIST).content.decode()
    for action in ("publish_selected", "unpublish_selected", "withdraw_selected"):
        assert action not in html


@pytest.mark.parametrize(
    "action, extra",
    [
        ("publish_selected", {}),
        ("unpublish_selected", {}),
        ("withdraw_selected", {}),
        ("withdraw_selected", {"apply": "yes", "reason": REASON}),
    ],
)
def test_editor_cannot_run_publishers_actions_by_a_forged_post(
    editor, live_and_draft, action, extra
):
    """A crafted POST running a publisher's action as an editor changes nothing."""
    response = run_action(editor, action, live_and_draft, **extra)
    assert response.status_code in (200, 302, 403)
    assert "Withdraw releases" not in response.content.decode()
    assert statuses(*live_and_draft) == ["published", "draft"]


def test_editor_who_may_delete_cannot_run_publishers_actions(client, live_and_draft):
    """An editor with some actions of their own ("delete selected") still cannot run a
    publisher's: the forged POST is turned away with nothing changed."""
    editor = log_in(client, "deleter", [*EDITING, "delete_release"])
    assert "delete_selected" in editor.get(CHANGELIST).content.decode()
    for action in ("publish_selected", "unpublish_selected", "withdraw_selected"):
        response = run_action(editor, action, live_and_draft, apply="yes", reason=REASON)
        assert response.status_code == 302
    assert statuses(*live_and_draft) == ["published", "draft"]


def test_editor_cannot_withdraw_by_setting_the_status(editor, live_and_draft):
    """An editor posting "withdrawn" saves a draft as a draft, and is refused (403) on a
    live release."""
    live, draft = live_and_draft
    forged = {"status": "withdrawn", "withdrawal_reason": REASON}
    assert editor.post(change_url(draft), change_data(draft, **forged)).status_code == 302
    assert editor.post(change_url(live), change_data(live, **forged)).status_code == 403
    assert statuses(live, draft) == ["published", "draft"]
    assert Release.objects.get(pk=draft.pk).withdrawal_reason is None


def test_editor_cannot_change_a_withdrawn_release(editor, live_and_draft):
    """A withdrawn release is read-only to an editor, as a live one is."""
    live, _ = live_and_draft
    states.withdraw(live, REASON, press_secretary())
    assert 'name="_save"' not in editor.get(change_url(live)).content.decode()
    response = editor.post(change_url(live), change_data(live, title="Changed"))
    assert response.status_code == 403
    assert Release.objects.get(pk=live.pk).title == "Live release"


def test_state_changes_refuse_anyone_who_may_not_publish(live_and_draft):
    """Called directly, every move refuses a user without the publish permission."""
    user = User.objects.create_user("adviser", is_staff=True)
    live, draft = live_and_draft
    for move in (
        lambda: states.publish(draft, user),
        lambda: states.unpublish(live, user),
        lambda: states.withdraw(live, REASON, user),
    ):
        with pytest.raises(PermissionDenied):
            move()
    assert statuses(live, draft) == ["published", "draft"]


# Times -------------------------------------------------------------------------------------


def test_changelist_says_when_a_scheduled_release_goes_live(editor):
    """A scheduled release's row says when it goes live, in New Zealand time with its zone,
    and how long that is from now; a live one its publish time; a withdrawn one its state."""
    soon = timezone.now() + datetime.timedelta(days=2, hours=1)
    make_release("Scheduled", published_at=soon)
    winter = datetime.datetime(2021, 6, 1, 9, 0, tzinfo=datetime.UTC)
    make_release("Live", published_at=winter)
    states.withdraw(make_release("Gone"), REASON, press_secretary())
    rows = changelist_rows(editor.get(CHANGELIST).content.decode())
    local = timezone.localtime(soon)
    expected = f"Goes live {local.day} {local:%B %Y}, {local:%-I:%M} {local:%p}".lower()
    assert rows["Scheduled"]["publish_time"].lower().startswith(expected)
    assert rows["Scheduled"]["publish_time"].endswith(f"{local.tzname()} (in 2\xa0days)")
    assert rows["Live"]["publish_time"] == "1 June 2021, 9:00 pm NZST"
    assert rows["Gone"]["publication"] == "Withdrawn"


def test_change_form_shows_every_time_in_new_zealand_time(publisher):
    """The form shows when a scheduled release goes live and its times with their zone."""
    summer = datetime.datetime(2030, 1, 10, 20, 0, tzinfo=datetime.UTC)
    release = make_release("Scheduled", published_at=summer)
    html = publisher.get(change_url(release)).content.decode()
    assert "Goes live 11 January 2030, 9:00 am NZDT (in " in html
    assert "Last updated in public" in html
    assert re.search(r"Modified \(any change\).*?\d{4}, \d+:\d\d [ap]m NZ[SD]T", html, re.S)


def test_changelist_queries_do_not_grow_with_the_releases_listed(publisher):
    """The change list with every state costs the same queries for 3 releases or 30."""

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert publisher.get(CHANGELIST).status_code == 200
        return len(captured)

    def add(n):
        for _ in range(n):
            make_release()
            make_release(published_at=timezone.now() + datetime.timedelta(days=3))
            states.withdraw(make_release(), REASON, press_secretary())

    add(1)
    few = queries()
    add(9)
    assert queries() == few


def test_a_live_release_goes_back_to_draft_only_through_unpublish(publisher):
    """The change form of a published release offers no "Draft": a POST asking for it is
    a form error, and the release stays live with its times, until Unpublish is used."""
    release = make_release("Bridge opens")
    page = publisher.get(change_url(release)).content.decode()
    assert 'value="draft"' not in page
    assert "use “Unpublish” (published in error)" in page
    response = publisher.post(change_url(release), change_data(release, status="draft"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Release.objects.get(pk=release.pk) in Release.objects.published()
