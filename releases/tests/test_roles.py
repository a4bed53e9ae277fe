"""The Editor and Publisher groups, as a press office gives them to people, through the
real admin forms: an editor drafts, a publisher makes public."""

import pytest
from django.contrib.auth.models import Group, User

from releases.models import Release

from .test_admin import ADD, CHANGELIST, form_data

pytestmark = pytest.mark.django_db


def member_of(client, group):
    user = User.objects.create_user(group.lower(), is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


def test_the_two_roles_exist_with_publishing_as_the_dividing_line():
    """Both groups come with the database; only Publisher may publish or delete."""
    editor, publisher = (
        set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        for name in ("Editor", "Publisher")
    )
    assert {"add_release", "change_release", "view_release"} <= editor
    assert not {"publish_release", "delete_release"} & editor
    assert editor < publisher
    assert {"publish_release", "delete_release", "change_minister"} <= publisher


def test_an_editor_drafts_and_cannot_publish_by_a_forged_post(client):
    """An editor's new release is saved as a draft, even when the POST asks to publish."""
    member_of(client, "Editor")
    assert client.get(ADD).status_code == 200
    response = client.post(ADD, form_data(status=Release.Status.PUBLISHED))
    assert response.status_code == 302
    assert Release.objects.get().status == Release.Status.DRAFT
    response = client.post(
        CHANGELIST,
        {"action": "publish_selected", "_selected_action": [Release.objects.get().pk]},
    )
    assert Release.objects.get().status == Release.Status.DRAFT


def test_a_publisher_publishes_and_deletes(client):
    """A publisher's release goes live, and a publisher may delete it."""
    member_of(client, "Publisher")
    client.post(ADD, form_data(status=Release.Status.PUBLISHED))
    release = Release.objects.get()
    assert release in Release.objects.published()
    response = client.post(f"{CHANGELIST}{release.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Release.objects.exists()
