"""The release admin, as an editor uses it: dates, scheduling, search, attachments, and
who may publish."""

import datetime
import itertools
import re

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from releases.importing import import_releases
from releases.models import RESERVED_SLUGS, Minister, Portfolio, Release

from .conftest import EDITING, FIXTURES, log_in

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/releases/release/"
ADD = "/admin/releases/release/add/"
_serial = itertools.count()


@pytest.fixture
def sample():
    """All 251 real releases of the sample."""
    assert import_releases([FIXTURES]).errors == []


def make_release(
    title=None,
    *,
    date=datetime.date(2021, 6, 1),
    status=Release.Status.PUBLISHED,
    published_at=None,
    **fields,
):
    """A release saved through the model; published yesterday unless told otherwise."""
    n = next(_serial)
    if published_at is None and status == Release.Status.PUBLISHED:
        published_at = timezone.now() - datetime.timedelta(days=1)
    return Release.objects.create(
        title=title or f"Release number {n}",
        slug=f"release-{n}",
        date=date,
        status=status,
        published_at=published_at,
        **fields,
    )


def form_data(**changes):
    """What the add form posts when an editor fills in a title, slug and date."""
    data = {
        "title": "Bridge opens",
        "slug": "bridge-opens",
        "date": "2026-04-03",
        "body": "The bridge is open.",
        "status": Release.Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "source_url": "",
        "_save": "Save",
    }
    return data | changes


def changelist_titles(response):
    return [release.title for release in response.context["cl"].result_list]


# Dates, day first --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, date",
    [
        ("03/04/2026", datetime.date(2026, 4, 3)),
        ("13/04/2027", datetime.date(2027, 4, 13)),
        ("3/4/26", datetime.date(2026, 4, 3)),
        ("3 April 2026", datetime.date(2026, 4, 3)),
        ("2026-04-03", datetime.date(2026, 4, 3)),
    ],
)
def test_admin_reads_dates_day_first(editor, typed, date):
    """A date typed the New Zealand way, day first, is the date saved."""
    response = editor.post(ADD, form_data(date=typed))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Release.objects.get(slug="bridge-opens").date == date


def test_admin_shows_dates_as_the_public_site_does(editor):
    """The changelist writes dates as the public pages do: 3 April 2026."""
    make_release("Bridge opens", date=datetime.date(2026, 4, 3))
    response = editor.get(CHANGELIST)
    assert "3 April 2026" in response.content.decode()


def test_admin_publish_time_is_read_day_first(publisher):
    """A publish time typed day first is that day, New Zealand time."""
    response = publisher.post(
        ADD,
        form_data(
            status=Release.Status.PUBLISHED,
            published_at_0="03/04/2030",
            published_at_1="09:00",
        ),
    )
    assert response.status_code == 302
    published_at = timezone.localtime(Release.objects.get(slug="bridge-opens").published_at)
    assert (published_at.date(), published_at.hour) == (datetime.date(2030, 4, 3), 9)


def test_public_date_filter_reads_dates_day_first(client):
    """/releases/?date_after=01/02/2021 means from 1 February 2021."""
    make_release("Late January", date=datetime.date(2021, 1, 31))
    make_release("Early February", date=datetime.date(2021, 2, 1))
    response = client.get("/releases/", {"date_after": "01/02/2021"})
    page = response.content.decode()
    assert "From: 1 February 2021" in page
    assert "Early February" in page
    assert "Late January" not in page


# Scheduled releases ------------------------------------------------------------------------


@pytest.fixture
def live_scheduled_draft():
    return (
        make_release("Live release"),
        make_release(
            "Scheduled release",
            published_at=timezone.make_aware(datetime.datetime(2099, 3, 4, 9, 30)),
        ),
        make_release("Draft release", status=Release.Status.DRAFT),
    )


def changelist_rows(page):
    """Each row of a changelist page as {column: text}, keyed by the release's title."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        cells = dict(re.findall(r'<t[hd] class="field-(\w+)[^"]*">(.*?)</t[hd]>', row))
        if "title" in cells:
            rows[re.sub("<[^>]+>", "", cells.pop("title"))] = cells
    return rows


def test_changelist_shows_scheduled_releases_with_their_publish_time(editor, live_scheduled_draft):
    """A release published for a future time reads "Scheduled", with its publish time."""
    page = editor.get(CHANGELIST).content.decode()
    assert ">Publication</a>" in page and ">Publish time</a>" in page
    rows = changelist_rows(page)
    assert rows["Live release"]["publication"] == "Live"
    scheduled = rows["Scheduled release"]
    assert scheduled.pop("publish_time").startswith("Goes live 4 March 2099, 9:30 am NZDT (in ")
    assert scheduled.pop("preview_link").endswith(">Preview</a>")
    assert scheduled == {"date": "1 June 2021", "publication": "Scheduled", "ministers_list": "-"}
    assert rows["Draft release"]["publication"] == "Draft"


@pytest.mark.parametrize(
    "choice, title",
    [("live", "Live release"), ("scheduled", "Scheduled release"), ("draft", "Draft release")],
)
def test_publication_filter_separates_live_scheduled_and_draft(
    editor, live_scheduled_draft, choice, title
):
    """The publication filter lists live, scheduled and draft releases apart."""
    response = editor.get(CHANGELIST)
    assert f'href="?publication={choice}"' in response.content.decode()
    assert changelist_titles(editor.get(CHANGELIST, {"publication": choice})) == [title]


def test_publish_time_help_says_what_a_future_time_does(editor):
    """The form explains that a future publish time schedules the release."""
    page = editor.get(ADD).content.decode()
    assert "A time in the future schedules it" in page


# Help text ---------------------------------------------------------------------------------


def test_slug_help_shows_the_address_pattern(editor):
    """The slug's help text reads as text, with no markup swallowed by the browser."""
    page = editor.get(ADD).content.decode()
    assert "The last part of the public address, as in /releases/this-is-the-slug/." in page
    assert "<slug>" not in page


@pytest.mark.parametrize("slug", sorted(RESERVED_SLUGS))
def test_a_slug_of_the_sites_own_pages_is_a_form_error(editor, slug):
    """/releases/feed/ and the like are the site's own pages: a release given one of their
    names as its slug is refused with a message on the slug, and nothing is saved."""
    response = editor.post(ADD, form_data(slug=slug))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [
        f"/releases/{slug}/ is one of the site's own pages. Choose another address."
    ]
    assert not Release.objects.exists()


# Search ------------------------------------------------------------------------------------


def test_search_finds_a_ministers_releases(editor, sample):
    """Searching a minister's name finds all their releases, not only those naming them in
    the title."""
    oconnor = Minister.objects.get(name="Damien O'Connor")
    theirs = set(oconnor.releases.values_list("title", flat=True))
    assert len(theirs) > 10
    response = editor.get(CHANGELIST, {"q": "Damien O'Connor"})
    assert response.status_code == 200
    found = changelist_titles(response)
    assert theirs <= set(found)
    assert f"{len(found)} results" in response.content.decode()


def test_search_finds_words_in_the_body(editor):
    """A word that appears only in a release's text finds it."""
    make_release("Bridge opens", body="The Kopu bridge is open to traffic.")
    make_release("Road closes", body="Nothing to see.")
    assert changelist_titles(editor.get(CHANGELIST, {"q": "kopu"})) == ["Bridge opens"]


def test_search_finds_a_release_by_its_slug_or_source_url(editor, sample):
    """A slug or source URL typed in full finds its release."""
    release = Release.objects.get(slug="trade-minister-lead-first-virtual-trade-mission-japan-0")
    for term in (release.slug, release.source_url):
        assert changelist_titles(editor.get(CHANGELIST, {"q": term})) == [release.title]


def test_search_combines_with_list_filters(editor):
    """A search narrowed by a list filter lists only releases matching both."""
    make_release("Bridge opens", body="A new bridge.")
    make_release("Bridge plans", body="A bridge to come.", status=Release.Status.DRAFT)
    make_release("Road closes", body="No bridge here.", status=Release.Status.DRAFT)
    make_release("Harbour news", body="Ferries.", status=Release.Status.DRAFT)
    response = editor.get(CHANGELIST, {"q": "bridge", "publication": "draft"})
    assert sorted(changelist_titles(response)) == ["Bridge plans", "Road closes"]
    assert response.context["cl"].result_count == 2
    assert "2 results" in response.content.decode()
    # With the filter's counts shown, each counts the search's matches.
    counted = editor.get(CHANGELIST, {"q": "bridge", "_facets": "True"}).content.decode()
    assert "Live (1)" in counted and "Draft (2)" in counted


@pytest.mark.parametrize(
    ("query", "found"),
    [('"', False), ('""', False), ('"unclosed phrase', False), ("-", False), ("OR", False),
     ("AND NOT OR", False), ("***", False), ("bridge OR", True), ("x" * 2000, False),
     ("bridge\x00opens", True), ("'; DROP TABLE releases_release; --", False),
     ("NEAR(a b)", False), ("title:bridge", False), ("bri*", False)],
)  # fmt: skip
def test_search_never_fails(editor, query, found):
    """Quotes, operators and very long input give a page of results, never an error: the
    words in them are searched for, and the rest is ignored."""
    make_release("Bridge opens", body="A new bridge.")
    response = editor.get(CHANGELIST, {"q": query})
    assert response.status_code == 200
    assert changelist_titles(response) == (["Bridge opens"] if found else [])


# Bodies ------------------------------------------------------------------------------------


def test_body_nested_too_deeply_is_a_form_error(editor):
    """A body that would take minutes to render (100,000 nested quotes) is refused with a
    message on the body field, not a crash, and nothing is saved."""
    response = editor.post(ADD, form_data(body=">" * 100_000))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["body"] == [
        "blocks or tags nest 100,000 levels deep (quotes inside quotes, lists inside lists "
        "or HTML tags left open); at most 100 can be shown"
    ]
    assert not Release.objects.exists()


# Who may publish ---------------------------------------------------------------------------

NOT_A_PUBLISHER = "Only staff with the “Can publish releases” permission"


def change_url(release):
    return f"{CHANGELIST}{release.pk}/change/"


def change_data(release, **changes):
    """What the change form posts for `release`, with `changes` made."""
    return form_data(title=release.title, slug=release.slug, date="2021-06-01") | changes


def test_editor_sees_publishing_fields_read_only_and_who_can_publish(editor):
    """An editor's form shows status and publish time as text, and says who can publish."""
    page = editor.get(ADD).content.decode()
    assert 'name="title"' in page
    assert 'name="status"' not in page and 'name="published_at_0"' not in page
    assert NOT_A_PUBLISHER in page


def test_publisher_sets_status_and_publish_time(publisher):
    """Someone who may publish gets the status and publish time fields, with no warning."""
    page = publisher.get(ADD).content.decode()
    assert 'name="status"' in page and 'name="published_at_0"' in page
    assert NOT_A_PUBLISHER not in page


def test_editor_cannot_publish_a_new_release_even_by_a_forged_post(editor, client):
    """A new release posted as published by an editor is saved as a draft, not public."""
    response = editor.post(
        ADD,
        form_data(
            status=Release.Status.PUBLISHED, published_at_0="01/01/2020", published_at_1="09:00"
        ),
    )
    assert response.status_code == 302
    release = Release.objects.get(slug="bridge-opens")
    assert (release.status, release.published_at) == (Release.Status.DRAFT, None)
    client.logout()
    assert client.get("/releases/bridge-opens/").status_code == 404


def test_editor_edits_a_draft_but_cannot_publish_it(editor, client):
    """An editor's changes to a draft are saved; a status or time they post is ignored."""
    draft = make_release("Bridge opens", status=Release.Status.DRAFT)
    response = editor.post(
        change_url(draft),
        change_data(
            draft,
            title="Bridge opens today",
            status=Release.Status.PUBLISHED,
            published_at_0="01/01/2020",
            published_at_1="09:00",
        ),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Bridge opens today"
    assert (draft.status, draft.published_at) == (Release.Status.DRAFT, None)
    client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.fixture(params=["live", "scheduled"])
def published(request):
    """A live release, then a scheduled one."""
    if request.param == "live":
        return make_release("Bridge opens")
    return make_release(
        "Bridge opens", published_at=timezone.make_aware(datetime.datetime(2099, 3, 4, 9, 30))
    )


def test_editor_views_a_published_release_read_only(editor, published):
    """An editor may read a live or scheduled release, with no field to change or button to
    save or delete it."""
    response = editor.get(change_url(published))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bridge opens" in page
    assert 'name="title"' not in page and 'name="_save"' not in page
    assert "/delete/" not in page


def test_editor_cannot_change_a_published_release_by_a_forged_post(editor, published):
    """A change to a live or scheduled release posted by an editor is refused and changes
    nothing: not its text, not its status, not its publish time."""
    before = published.published_at
    for changes in [
        {"title": "Bridge closes"},
        {"status": Release.Status.DRAFT},
        {"status": Release.Status.PUBLISHED, "published_at_0": "01/01/2020"},
    ]:
        response = editor.post(change_url(published), change_data(published, **changes))
        assert response.status_code == 403
    published.refresh_from_db()
    assert published.title == "Bridge opens"
    assert (published.status, published.published_at) == (Release.Status.PUBLISHED, before)


def test_editor_cannot_delete_a_published_release(client, published):
    """An editor who may delete releases may delete drafts, but not a live or scheduled
    release, one at a time or with the "delete selected" action."""
    editor = log_in(client, "editor", [*EDITING, "delete_release"])
    draft = make_release("Old draft", status=Release.Status.DRAFT)
    delete = f"{CHANGELIST}{published.pk}/delete/"
    assert editor.get(delete).status_code == 403
    assert editor.post(delete, {"post": "yes"}).status_code == 403
    action = {"action": "delete_selected", "_selected_action": [published.pk, draft.pk]}
    response = editor.post(CHANGELIST, action)
    assert "<title>Cannot delete releases" in response.content.decode()
    assert editor.post(CHANGELIST, action | {"post": "yes"}).status_code == 403
    assert Release.objects.count() == 2
    assert editor.post(f"{CHANGELIST}{draft.pk}/delete/", {"post": "yes"}).status_code == 302
    assert list(Release.objects.all()) == [published]


def test_publisher_publishes_and_changes_published_releases(publisher, client):
    """A press secretary publishes a draft, which goes live, and may then change it."""
    release = make_release("Bridge opens", status=Release.Status.DRAFT)
    published = change_data(release, status=Release.Status.PUBLISHED)
    assert publisher.post(change_url(release), published).status_code == 302
    assert 'name="_save"' in publisher.get(change_url(release)).content.decode()
    response = publisher.post(change_url(release), published | {"title": "Bridge opens today"})
    assert response.status_code == 302
    client.logout()
    assert "Bridge opens today" in client.get(release.get_absolute_url()).content.decode()


def test_superuser_can_publish(client):
    """A superuser, such as the development admin manage.py demo_admin creates, publishes."""
    client.force_login(User.objects.create_superuser("admin"))
    response = client.post(ADD, form_data(status=Release.Status.PUBLISHED))
    assert response.status_code == 302
    assert Release.objects.published().filter(slug="bridge-opens").exists()


def test_admin_is_branded_as_this_site_with_wide_boxes(editor):
    """Staff see the site's own name, and the release form loads the stylesheet that
    makes the title and body boxes wide enough for real titles."""
    page = editor.get(ADD).content.decode()
    assert "Beehive: New Zealand Government releases" in page
    assert "Django administration" not in page and "Django site admin" not in page
    assert "css/admin.css" in page


def test_changelist_filters_by_year_with_years_from_first_to_last(editor):
    """The change list's year filter offers every year from the newest release's to the
    oldest's, and lists only the chosen year's releases."""
    make_release("From 2019", date=datetime.date(2019, 5, 1))
    make_release("From 2021", date=datetime.date(2021, 6, 1))
    make_release("Undated", date=None)
    response = editor.get(CHANGELIST, {"year": "2021"})
    assert changelist_titles(response) == ["From 2021"]
    years = next(f for f in response.context["cl"].filter_specs if f.title == "year")
    assert [choice["display"] for choice in years.choices(response.context["cl"])] == [
        "All", "2021", "2020", "2019",
    ]  # fmt: skip


def test_changelist_filters_by_portfolio_and_minister(editor):
    """The portfolio and minister filters list each matching release once."""
    health = Portfolio.objects.create(name="Health", slug="health")
    nash = Minister.objects.create(name="Stuart Nash", slug="stuart-nash")
    first, second = make_release("Hospital opens"), make_release("Police numbers")
    first.portfolios.add(health)
    second.ministers.add(nash)
    make_release("Unrelated")
    assert changelist_titles(editor.get(CHANGELIST, {"portfolio": health.pk})) == ["Hospital opens"]
    assert changelist_titles(editor.get(CHANGELIST, {"minister": nash.pk})) == ["Police numbers"]
