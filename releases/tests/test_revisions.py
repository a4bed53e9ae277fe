"""Revisions through the real admin: kept for every save, bulk action, restore and import,
listed on the history page, compared as a readable diff, and restored only by publishers."""

import json
import re
import time

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from reversion.models import Version

from releases.editorial import diffs, revisions
from releases.importing import import_releases
from releases.models import Minister, Portfolio, Release

from .conftest import release_text
from .test_admin import change_data, change_url, make_release
from .test_admin_states import run_action

pytestmark = pytest.mark.django_db


def history_url(release):
    return f"{change_url(release).removesuffix('change/')}history/"


def history_rows(client, release):
    """(who, comment) of each row of the history page, newest first."""
    page = client.get(history_url(release))
    assert page.status_code == 200
    html = page.content.decode()
    return [
        (re.sub(r"\s+", " ", who).strip(), comment.strip())
        for who, comment in re.findall(
            r'<td class="who">(.*?)</td>\s*<td class="comment">(.*?)</td>', html, re.S
        )
    ]


def versions(release):
    return list(revisions.history(release))


def compare(client, release, old, new):
    response = client.get(f"{history_url(release)}compare/", {"old": old.pk, "new": new.pk})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def draft():
    return make_release("Bridge opens", status=Release.Status.DRAFT, body="The bridge is open.")


# Recording ---------------------------------------------------------------------------------


def test_admin_save_keeps_a_revision_with_user_and_comment(editor, draft):
    """Saving in the admin keeps a revision naming who saved and what changed."""
    response = editor.post(change_url(draft), change_data(draft, title="Bridge opens today"))
    assert response.status_code == 302
    assert history_rows(editor, draft) == [("editor", "Changed Title.")]
    (version,) = versions(draft)
    assert version.revision.user.username == "editor"
    assert version.field_dict["title"] == "Bridge opens today"


def test_adding_a_release_in_the_admin_keeps_its_first_revision(editor):
    """A release added in the admin has its first revision, "Added.", with its links."""
    minister = Minister.objects.create(name="Chris Bishop", slug="chris-bishop")
    data = change_data(make_release(), slug="new-bridge", title="New bridge")
    response = editor.post("/admin/releases/release/add/", data | {"ministers": [minister.pk]})
    assert response.status_code == 302
    release = Release.objects.get(slug="new-bridge")
    assert history_rows(editor, release) == [("editor", "Added.")]
    assert versions(release)[0].field_dict["ministers"] == [minister.pk]


@pytest.mark.parametrize(
    "action, extra, status, comment",
    [
        ("publish_selected", {}, "published", "Published (Publish selected releases)."),
        ("unpublish_selected", {}, "draft", "Unpublished: back to draft."),
        (
            "withdraw_selected",
            {"apply": "yes", "reason": "Replaced by the 2022 strategy."},
            "withdrawn",
            "Withdrawn: Replaced by the 2022 strategy.",
        ),
    ],
)
def test_bulk_actions_keep_a_revision_for_each_release(publisher, action, extra, status, comment):
    """Publish, unpublish and withdraw each keep one revision per release, with the
    publisher's name and what the action did."""
    start = Release.Status.DRAFT if action == "publish_selected" else Release.Status.PUBLISHED
    releases = [make_release(f"Release {n}", status=start) for n in range(3)]
    assert run_action(publisher, action, releases, **extra).status_code == 302
    for release in releases:
        assert history_rows(publisher, release) == [("publisher", comment)]
        assert versions(release)[0].field_dict["status"] == status


def test_history_page_lists_every_revision_newest_first(publisher, draft):
    """The history page lists each change: who, when (NZ time) and the comment."""
    publisher.post(change_url(draft), change_data(draft, title="Bridge opens today"))
    run_action(publisher, "publish_selected", [draft])
    page = publisher.get(history_url(draft)).content.decode()
    assert history_rows(publisher, draft) == [
        ("publisher", "Published (Publish selected releases)."),
        ("publisher", "Changed Title."),
    ]
    assert re.search(r'<th scope="row" class="when">\d+ \w+ 20\d\d, [\d:]+ [ap]m NZ[SD]T', page)


def test_history_page_costs_the_same_queries_for_2_or_20_revisions(
    publisher, draft, django_assert_num_queries
):
    """The history page's query count does not grow with its revisions."""
    publisher.post(change_url(draft), change_data(draft, title="Title 0"))
    publisher.post(change_url(draft), change_data(draft, title="Title 1"))
    # The session, the user, the release and its ministers, two permission lookups, and
    # the revisions with their users.
    with django_assert_num_queries(7):
        publisher.get(history_url(draft))
    for n in range(2, 20):
        publisher.post(change_url(draft), change_data(draft, title=f"Title {n}"))
    with django_assert_num_queries(7):
        assert len(history_rows(publisher, draft)) == 20


# Diffs -------------------------------------------------------------------------------------


def test_diff_shows_words_added_and_removed_and_plain_changes(publisher):
    """Comparing two revisions marks removed and added words in the title and body, and
    lists status, minister, portfolio, date and attachment changes in plain words."""
    hipkins = Minister.objects.create(name="Chris Hipkins", slug="chris-hipkins")
    bishop = Minister.objects.create(name="Chris Bishop", slug="chris-bishop")
    transport = Portfolio.objects.create(name="Transport", slug="transport")
    release = make_release("Old bridge opens", status=Release.Status.DRAFT)
    release.ministers.set([hipkins])
    body = "The bridge is open.\n\nIt cost $10 million.\n"
    publisher.post(
        change_url(release),
        change_data(release, body=body, ministers=[hipkins.pk]),
    )
    # Imported attachments are read-only in the admin: an import changes them.
    pdf = "https://www.beehive.govt.nz/sites/default/files/bridge.pdf"
    Release.objects.filter(pk=release.pk).update(attachments=[pdf])
    publisher.post(
        change_url(release),
        change_data(
            release,
            title="New bridge opens",
            body=body.replace("$10", "$12"),
            ministers=[bishop.pk],
            portfolios=[transport.pk],
            status=Release.Status.PUBLISHED,
            date="2021-06-03",
        ),
    )
    new, old = versions(release)
    html = compare(publisher, release, old, new)
    assert "<del>Old</del><ins>New</ins> bridge opens" in html
    assert "It cost $<del>10</del><ins>12</ins> million." in html
    assert "<li>Status: Draft → Published</li>" in html
    assert "<li>Ministers: added Chris Bishop; removed Chris Hipkins</li>" in html
    assert "<li>Portfolios: added Transport</li>" in html
    assert "<li>Date: 1 June 2021 → 3 June 2021</li>" in html
    assert (
        "<li>Attachments: added https://www.beehive.govt.nz/sites/default/files/bridge.pdf</li>"
    ) in html


def test_diff_escapes_markup_in_titles_and_bodies(publisher, draft):
    """A title or body holding <script> shows as text in the diff, never as markup."""
    publisher.post(
        change_url(draft),
        change_data(draft, title="<script>alert(1)</script>", body="<b onclick=x>Hi</b>"),
    )
    publisher.post(change_url(draft), change_data(draft, title="Safe", body="Hi"))
    new, old = versions(draft)
    html = compare(publisher, draft, old, new)
    assert "<script>alert" not in html and "<b onclick" not in html
    assert "<del>&lt;</del>" in html or "&lt;script&gt;" in html
    assert "alert" in html


def test_diff_of_a_long_body_shows_only_the_changed_passages(publisher, draft):
    """In a long body, the unchanged passages between changes are elided."""
    body = "".join(f"Sentence number {n} stays. " for n in range(500))
    publisher.post(change_url(draft), change_data(draft, body=body))
    edited = body.replace("number 250 stays", "number 250 moves")
    publisher.post(change_url(draft), change_data(draft, body=edited))
    new, old = versions(draft)
    html = compare(publisher, draft, old, new)
    assert "Sentence number 250 <del>stays</del><ins>moves</ins>." in html
    assert "[… 248 unchanged …]" in html and "[… 247 unchanged …]" in html
    assert "Sentence number 100 " not in html


def test_diff_of_a_long_body_with_no_sentence_breaks_is_fast_and_exact():
    """A body of 96,000 characters with no full stop or line break, one word changed, is
    compared in well under a second, marking that word."""
    words = ("housing health trade schools the of and to in minister said " * 1400).split()
    old = " ".join(words)[:96_000]
    new = old.replace("schools", "hospitals", 1)
    started = time.perf_counter()
    html = diffs.body_diff(old, new)
    assert time.perf_counter() - started < 1
    assert html.count("<ins>") == 1 and "<del>schools</del><ins>hospitals</ins>" in html


def test_comparing_revisions_of_another_release_answers_404(publisher, draft):
    """Version ids from another release, or none, are not found."""
    other = make_release("Other", status=Release.Status.DRAFT)
    publisher.post(change_url(draft), change_data(draft, title="A"))
    publisher.post(change_url(other), change_data(other, title="B"))
    (mine,), (theirs,) = versions(draft), versions(other)
    url = f"{history_url(draft)}compare/"
    assert publisher.get(url, {"old": theirs.pk, "new": mine.pk}).status_code == 404
    assert publisher.get(url, {"old": "x"}).status_code == 404


# Restore -----------------------------------------------------------------------------------


def test_restore_brings_back_content_as_a_new_revision_and_does_not_publish(publisher, client):
    """Restoring a published revision of what is now a draft brings back its words and
    links as a new revision, and the release stays a draft, off the public site."""
    minister = Minister.objects.create(name="Chris Bishop", slug="chris-bishop")
    release = make_release("Bridge opens", status=Release.Status.DRAFT)
    publisher.post(
        change_url(release),
        change_data(release, body="First words.", ministers=[minister.pk]),
    )
    run_action(publisher, "publish_selected", [release])
    run_action(publisher, "unpublish_selected", [release])
    publisher.post(change_url(release), change_data(release, title="Renamed", body="Later."))
    published_version = versions(release)[2]
    assert published_version.field_dict["status"] == "published"
    response = publisher.post(f"{history_url(release)}{published_version.pk}/restore/")
    assert response.status_code == 302
    release.refresh_from_db()
    assert (release.title, release.body, release.status) == (
        "Bridge opens",
        "First words.",
        "draft",
    )
    assert list(release.ministers.all()) == [minister]
    assert "First words." in release.body_html
    newest = history_rows(publisher, release)[0]
    assert newest[0] == "publisher" and newest[1].startswith("Restored the version of ")
    assert len(versions(release)) == 5
    client.logout()
    assert client.get(release.get_absolute_url()).status_code == 404


def test_restore_keeps_a_live_release_live(publisher, client):
    """Restoring an old draft revision of a live release changes its words, not its state."""
    release = make_release("Bridge opens", status=Release.Status.DRAFT)
    publisher.post(change_url(release), change_data(release, body="Draft words."))
    run_action(publisher, "publish_selected", [release])
    publisher.post(
        change_url(release),
        change_data(release, body="Live words.", status=Release.Status.PUBLISHED),
    )
    draft_version = versions(release)[-1]
    assert publisher.post(f"{history_url(release)}{draft_version.pk}/restore/").status_code == 302
    client.logout()
    assert "Draft words." in client.get(release.get_absolute_url()).content.decode()


def test_editor_cannot_restore_even_by_a_forged_post(editor, draft):
    """An editor sees no restore button, and a forged restore is refused with a 403 and
    changes nothing."""
    editor.post(change_url(draft), change_data(draft, body="First."))
    editor.post(change_url(draft), change_data(draft, body="Second."))
    assert "Restore the version" not in editor.get(history_url(draft)).content.decode()
    old = versions(draft)[-1]
    assert editor.post(f"{history_url(draft)}{old.pk}/restore/").status_code == 403
    draft.refresh_from_db()
    assert draft.body == "Second." and len(versions(draft)) == 2


def test_restore_answers_only_a_post(publisher, draft):
    """Opening a restore address does nothing: only the history page's button restores."""
    publisher.post(change_url(draft), change_data(draft, body="First."))
    (version,) = versions(draft)
    assert publisher.get(f"{history_url(draft)}{version.pk}/restore/").status_code == 405


# Imports -----------------------------------------------------------------------------------


def test_record_many_keeps_one_revision_for_many_releases(django_assert_num_queries):
    """record_many() keeps an import's revision of each release, with their links, in a
    few queries whatever the number of releases, readable as any other revision."""
    minister = Minister.objects.create(name="Chris Bishop", slug="chris-bishop")
    releases = [make_release(f"Imported {n}", body=f"Body {n}.") for n in range(30)]
    for release in releases:
        release.ministers.set([minister])
    ids = [r.pk for r in releases]
    # A savepoint and its release, the revision, then for each thousand releases their two
    # kinds of links, their rows and one INSERT of their versions.
    ContentType.objects.get_for_model(Release)  # cached from then on, as in any process
    with django_assert_num_queries(7):
        revisions.record_many(ids[:1], "One release.")
    with django_assert_num_queries(7):
        revision = revisions.record_many(ids, "Imported by load_releases.")
    assert revision.user is None and revision.comment == "Imported by load_releases."
    assert Version.objects.filter(revision=revision).count() == 30
    version = versions(releases[7])[0]
    assert version.field_dict["body"] == "Body 7."
    assert version.field_dict["ministers"] == [minister.pk]
    assert revisions.record_many([], "nothing") is None


def test_record_many_writes_what_reversions_own_serializer_writes():
    """An import's version of a release holds what an admin save's version holds."""
    minister = Minister.objects.create(name="Chris Bishop", slug="chris-bishop")
    portfolios = [Portfolio.objects.create(name=n, slug=n.lower()) for n in ("Transport", "Ports")]
    release = make_release("Imported", body="Words.", attachments=["https://example.org/a.pdf"])
    release.ministers.set([minister])
    release.portfolios.set(portfolios)
    revisions.record_many([release.pk], "Imported")
    with revisions.recorded(None, "Saved"):
        release.save()
    saved, imported = (json.loads(v.serialized_data) for v in versions(release))
    for data in (saved, imported):
        data[0]["fields"]["portfolios"].sort()
    assert imported == saved


def test_imported_revision_shows_and_compares_in_the_admin(publisher):
    """An import's revision is listed as by an import, and compares with a later edit."""
    release = make_release("Imported", status=Release.Status.DRAFT, body="Imported words.")
    revisions.record_many([release.pk], "Imported from 2021-06-01-bridge.md")
    publisher.post(
        change_url(release), change_data(release, title="Imported", body="Edited words.")
    )
    assert history_rows(publisher, release) == [
        ("publisher", "Changed Body."),
        ("an import or command", "Imported from 2021-06-01-bridge.md"),
    ]
    new, old = versions(release)
    assert "<del>Imported</del><ins>Edited</ins> words." in compare(publisher, release, old, new)


def test_superuser_history_names_them(client, draft):
    """A superuser's revisions name them too."""
    client.force_login(User.objects.create_superuser("admin"))
    client.post(change_url(draft), change_data(draft, title="Bridge opens today"))
    assert history_rows(client, draft) == [("admin", "Changed Title.")]


def test_an_imported_releases_history_starts_with_its_import(publisher, write, tmp_path):
    """The first change to an imported release keeps, before it, the release as the import
    wrote it, dated when it was imported, so the change can be compared with the import
    (the import itself writes no revisions: that would cost it 8 of its 20 seconds)."""
    write("bridge.md", release_text(title="Minister opens new bridge"))
    import_releases([tmp_path])
    release = Release.objects.get()
    assert not versions(release)
    # As its form shows it: live since its date (midnight UTC is noon in Wellington).
    live = {"status": "published", "published_at_0": "01/06/2021", "published_at_1": "12:00"}
    edit = {"title": "Minister opens bridge", **live}
    assert publisher.post(change_url(release), change_data(release, **edit)).status_code == 302
    new, old = versions(release)
    assert old.revision.comment == "Imported by load_releases."
    assert old.revision.date_created == release.imported_at
    assert old.field_dict["title"] == "Minister opens new bridge"
    assert "Minister opens <del>new </del>bridge" in compare(publisher, release, old, new)
    # Later changes add to the history; the import is kept once.
    edit = {"title": "Minister opens a bridge", **live}
    assert publisher.post(change_url(release), change_data(release, **edit)).status_code == 302
    assert [v.revision.comment for v in versions(release)][-1] == "Imported by load_releases."
    assert len(versions(release)) == 3
