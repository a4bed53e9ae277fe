"""Two staff editing the same release: the second save is refused with who changed it,
when and what, and the second person's text stays in the form; nothing is overwritten
silently."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from releases.editorial import revisions
from releases.importing import import_releases
from releases.models import Release

from .conftest import release_text
from .test_admin import change_data, change_url, make_release

pytestmark = pytest.mark.django_db


def staff(username):
    client = Client()
    client.force_login(User.objects.create_superuser(username))
    return client


def opened(client, release):
    """Open the change form, as a browser does: what it posts back to say which version
    of the release it was opened on."""
    page = client.get(change_url(release))
    assert page.status_code == 200
    return page.context["adminform"].form["edited_version"].value()


def test_the_second_of_two_saves_is_refused_with_who_when_and_what():
    """Aroha and Ben open the same draft; Aroha saves first. Ben's save is refused, saying
    Aroha changed it and what she changed, with Ben's own title still in the form; his
    second save, made knowingly, goes through."""
    aroha, ben = staff("aroha"), staff("ben")
    with revisions.recorded(User.objects.get(username="aroha"), "Added."):
        release = make_release("Bridge opens", status=Release.Status.DRAFT, body="It is open.")
    aroha_token, ben_token = opened(aroha, release), opened(ben, release)
    saved = aroha.post(
        change_url(release),
        change_data(release, title="Harbour bridge opens", edited_version=aroha_token),
    )
    assert saved.status_code == 302
    refused = ben.post(
        change_url(release),
        change_data(release, title="Bridge opens at last", edited_version=ben_token),
    )
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "aroha changed this release at " in page
    assert "Nothing of yours is saved yet" in page
    assert "<del>Bridge</del><ins>Harbour bridge</ins> opens" in page
    assert 'value="Bridge opens at last"' in page  # Ben's text, still in the form
    assert Release.objects.get(pk=release.pk).title == "Harbour bridge opens"
    again = ben.post(
        change_url(release),
        change_data(
            release,
            title="Bridge opens at last",
            edited_version=refused.context["adminform"].form["edited_version"].value(),
        ),
    )
    assert again.status_code == 302
    assert Release.objects.get(pk=release.pk).title == "Bridge opens at last"


def test_a_save_after_an_import_changed_the_release_is_refused(write, tmp_path):
    """An import that changes the release while its form is open makes the save stale too."""
    path = write("bridge.md", release_text(title="Bridge opens"))
    import_releases([tmp_path])
    release = Release.objects.get()
    editor = staff("editor")
    token = opened(editor, release)
    path.write_text(release_text(title="Bridge opens today"), encoding="utf-8")
    assert import_releases([tmp_path]).updated == 1
    refused = editor.post(
        change_url(release), change_data(release, title="Mine", edited_version=token)
    )
    assert refused.status_code == 200
    assert "an import or a command changed this release at " in refused.content.decode()
    assert Release.objects.get().title == "Bridge opens today"


def test_saves_one_after_the_other_are_never_refused():
    """Opening the form again after a save gives a fresh version: no false alarm."""
    release = make_release("Bridge opens", status=Release.Status.DRAFT)
    client = staff("aroha")
    for title in ["First", "Second", "Third"]:
        token = opened(client, release)
        response = client.post(
            change_url(release), change_data(release, title=title, edited_version=token)
        )
        assert response.status_code == 302
    assert Release.objects.get(pk=release.pk).title == "Third"
