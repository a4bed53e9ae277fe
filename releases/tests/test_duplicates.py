"""One release, one page: copies of a release in the archive, found by the import, listed
nowhere, redirected to the one kept, and undone by a publisher; on real pairs of files."""

import io
import shutil

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from reversion.models import Version

from releases.editorial import states
from releases.editorial.duplicates import fingerprint, fold
from releases.importing import import_releases
from releases.models import Departure, ImportRun, Portfolio, Release

from .conftest import SEED
from .test_admin import CHANGELIST, change_url
from .test_admin_states import run_action
from .test_views import make_release

pytestmark = pytest.mark.django_db

# Real files of the archive (fixtures/duplicates/README.md says what each pair shows).
PAIRS = settings.BASE_DIR / "fixtures" / "duplicates" / "releases"
SEED_COPY = SEED.with_name(SEED.name.replace("-0.md", ".md"))
SEED_SLUG = "trade-minister-lead-first-virtual-trade-mission-japan-0"
SEED_COPY_SLUG = "trade-minister-lead-first-virtual-trade-mission-japan"
PEDESTRIAN = PAIRS / "2000/11"
# (the copy, the release kept) by slug, as the rule folds the files above.
FOLDED = {
    SEED_COPY_SLUG: SEED_SLUG,  # same day, one full stop apart
    "pedestrian-profile-welcomed": "pedestrian-profile-welcomed-0",  # a day later
    # Same day, one title in capitals.
    "coalition-dispute-committee-meet-tomorrow": "coalition-dispute-committee-meet-tomorrow-0",
    "ministerial-committee-given-authority-negotiate-airport-purchaser-1": (
        "ministerial-committee-given-authority-negotiate-airport-purchaser-0"
    ),
}
# Not copies: a month apart, two months after the ones kept, another title.
APART = [
    "minister-welcomes-cooperative-fish-catch",
    "minister-welcomes-cooperative-fish-catch-0",
    "ministerial-committee-given-authority-negotiate-airport-purchaser",
    "mike-moore-one-great-new-zealanders",
    "mike-moore-one-great-new-zealanders-peters",
]


@pytest.fixture
def imported():
    """The real pairs and the seed release's two copies, imported."""
    return import_releases([PAIRS, SEED, SEED_COPY])


def state(slug):
    release = Release.objects.select_related("duplicate_of").get(slug=slug)
    return release.status, release.duplicate_of.slug if release.duplicate_of else None


def test_fingerprint_ignores_case_punctuation_and_spacing_but_not_words():
    """Copies that differ by a full stop, capitals or spaces are one release; other words
    make another, and a release without a body repeats nothing."""
    same = fingerprint("Trade mission", "It starts\u00a0today.")
    assert fingerprint("TRADE MISSION", "It  starts today") == same
    assert fingerprint("Trade mission", "It starts tomorrow.") != same
    assert fingerprint("Another title", "It starts today.") != same
    assert fingerprint("Trade mission", "  ") == ""


def test_import_folds_each_copy_into_the_earliest(imported):
    """Of the real copies, the earliest (then the first imported) is kept and each other,
    within a day of it, becomes its duplicate; releases further apart or titled otherwise
    stay releases of their own."""
    for copy, kept in FOLDED.items():
        assert state(copy) == (Release.Status.DUPLICATE, kept)
        assert state(kept) == (Release.Status.PUBLISHED, None)
    for slug in APART:
        assert state(slug) == (Release.Status.PUBLISHED, None)
    # Nothing lost: the copy keeps its file's identity and front matter.
    copy = Release.objects.get(slug=SEED_COPY_SLUG)
    assert (
        copy.import_key.endswith(SEED_COPY_SLUG) and f"url: {copy.source_url}" in copy.front_matter
    )


def test_summary_and_import_run_count_the_duplicates(tmp_path):
    """The command's summary and the recorded run say how many duplicates it found."""
    out = io.StringIO()
    call_command("load_releases", str(PAIRS), str(SEED), str(SEED_COPY), stdout=out)
    assert "4 duplicates of another release" in out.getvalue()
    assert ImportRun.objects.latest().duplicates == 4


def test_importing_again_changes_nothing(imported, django_assert_max_num_queries):
    """A second import of the same files finds them unchanged, and folds nothing again."""
    with django_assert_max_num_queries(20):
        again = import_releases([PAIRS, SEED, SEED_COPY])
    assert (again.created, again.updated, again.duplicates) == (0, 0, 0)
    assert again.unchanged == imported.created + imported.updated
    for copy, kept in FOLDED.items():
        assert state(copy) == (Release.Status.DUPLICATE, kept)


def test_an_earlier_copy_imported_later_is_kept_instead(tmp_path):
    """Imported first, the later copy is a release; once the earlier one comes, it becomes
    the duplicate, with a revision saying why."""
    later, earlier = sorted(PEDESTRIAN.iterdir(), reverse=True)
    assert import_releases([later]).duplicates == 0
    assert state("pedestrian-profile-welcomed") == (Release.Status.PUBLISHED, None)
    assert import_releases([earlier]).duplicates == 1
    assert state("pedestrian-profile-welcomed") == (
        Release.Status.DUPLICATE,
        "pedestrian-profile-welcomed-0",
    )
    history = Version.objects.get_for_object(
        Release.objects.get(slug="pedestrian-profile-welcomed")
    )
    assert [v.revision.comment.split(":")[0].split(" (")[0] for v in history] == [
        "Found by load_releases to repeat an earlier release",
        "Imported by load_releases.",
    ]


def test_a_copy_whose_file_changes_its_words_is_a_release_again(tmp_path):
    """A file edited so that it no longer repeats the other makes its release public again."""
    for path in PEDESTRIAN.iterdir():
        shutil.copy(path, tmp_path / path.name)
    import_releases([tmp_path])
    copy = tmp_path / "2000-11-15-pedestrian-profile-welcomed.md"
    copy.write_text(copy.read_text(encoding="utf-8") + "\n\nA paragraph added.", encoding="utf-8")
    assert import_releases([tmp_path]).updated == 1
    assert state("pedestrian-profile-welcomed") == (Release.Status.PUBLISHED, None)


@pytest.mark.parametrize("copies", [2, 6])
def test_folding_costs_the_same_queries_however_many_copies(copies, django_assert_num_queries):
    """Folding public copies costs three reads and two writes, the releases and a tombstone
    for each copy (models/departures.py), whatever their number."""
    text_hash = fingerprint("Same title", "Same words.")
    releases = [
        make_release("Same title", body="Same words.", import_key=f"copy-{n}", text_hash=text_hash)
        for n in range(copies)
    ]
    with django_assert_num_queries(5):
        assert fold(release.pk for release in releases) == copies - 1
    left = Departure.objects.filter(reason=Departure.Reason.DUPLICATE)
    assert sorted(left.values_list("release_id", flat=True)) == [r.pk for r in releases[1:]]


def test_a_database_imported_before_is_folded_by_importing_again(imported):
    """Releases imported before copies were recognised (no fingerprint) are folded the
    next time anything is imported, though every file is unchanged."""
    Release.objects.update(text_hash=None, status=Release.Status.PUBLISHED, duplicate_of=None)
    again = import_releases([SEED])
    assert (again.unchanged, again.duplicates) == (1, 4)
    for copy, kept in FOLDED.items():
        assert state(copy) == (Release.Status.DUPLICATE, kept)


# What the public sees ------------------------------------------------------------------


def test_copy_is_listed_nowhere(imported, client):
    """The seed release shows once in the list, its search, feed and sitemap; the
    search's filter counts and the portfolios' tallies count it once."""
    title = "Trade Minister to lead first virtual trade mission to Japan"
    listing = client.get("/releases/").content.decode()
    assert listing.count(title) == 1
    search = client.get("/releases/", {"q": "virtual trade mission Japan"})
    assert search.content.decode().count(title) == 1
    assert search.context["page"].paginator.count == 1
    portfolios = search.context["choices"]["portfolio"].choices
    assert [(p.name, p.count) for p in portfolios] == [("Trade and Export Growth", 1)]
    feed = client.get("/releases/feed/").content.decode()
    assert feed.count(f"/releases/{SEED_SLUG}/") >= 1
    assert f"/releases/{SEED_COPY_SLUG}/" not in feed
    sitemap = client.get("/sitemap-releases.xml").content.decode()
    assert f"/releases/{SEED_SLUG}/" in sitemap and f"/releases/{SEED_COPY_SLUG}/" not in sitemap
    trade = Portfolio.objects.get(name="Trade and Export Growth")
    assert trade.published_count == 1
    assert client.get("/portfolios/trade-and-export-growth/").content.decode().count(title) == 1


def test_copy_address_redirects_permanently_to_the_one_kept(imported, client):
    """/releases/<copy>/ and the copy's old-site address answer 301 to the release kept,
    which answers 200."""
    for copy, kept in FOLDED.items():
        response = client.get(f"/releases/{copy}/")
        assert (response.status_code, response["Location"]) == (301, f"/releases/{kept}/")
        old = client.get(f"/release/{copy}")
        assert (old.status_code, old["Location"]) == (301, f"/releases/{kept}/")
    assert client.get(f"/releases/{SEED_SLUG}/").status_code == 200
    assert client.get(f"/release/{SEED_SLUG}")["Location"] == f"/releases/{SEED_SLUG}/"


def test_copy_redirect_costs_a_fixed_number_of_queries(imported, client, django_assert_num_queries):
    """The redirect reads the content version, misses the copy and finds the one kept."""
    with django_assert_num_queries(3):
        assert client.get(f"/releases/{SEED_COPY_SLUG}/").status_code == 301


def test_copy_of_a_withdrawn_release_leads_to_its_notice(imported, client, tmp_path):
    """A copy's address leads to the release kept even once it is withdrawn (it answers
    with its notice); importing the copy's changed file does not make it public again."""
    kept = Release.objects.get(slug=SEED_SLUG)
    states.withdraw(kept, "Replaced by a later release.", User.objects.create(is_superuser=True))
    changed = tmp_path / SEED_COPY.name
    changed.write_text(SEED_COPY.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert import_releases([changed]).updated == 1
    response = client.get(f"/releases/{SEED_COPY_SLUG}/")
    assert (response.status_code, response["Location"]) == (301, f"/releases/{SEED_SLUG}/")
    assert state(SEED_COPY_SLUG) == (Release.Status.DUPLICATE, SEED_SLUG)


def test_copy_of_a_release_no_longer_public_answers_404(imported, client):
    """Once the release kept is unpublished, its copy's address leads nowhere."""
    Release.objects.filter(slug=SEED_SLUG).update(status=Release.Status.DRAFT)
    assert client.get(f"/releases/{SEED_COPY_SLUG}/").status_code == 404
    assert client.get(f"/release/{SEED_COPY_SLUG}").status_code == 404


# Staff ---------------------------------------------------------------------------------


def test_admin_shows_a_duplicate_and_the_release_it_repeats(imported, publisher):
    """The change list filters duplicates; a duplicate's form links to the one kept."""
    listed = publisher.get(CHANGELIST, {"publication": "duplicate"}).content.decode()
    assert "Duplicate (not listed; its address redirects)" in listed
    assert listed.count('class="action-checkbox"') == len(FOLDED)
    copy = Release.objects.get(slug=SEED_COPY_SLUG)
    form = publisher.get(change_url(copy)).content.decode()
    kept = Release.objects.get(slug=SEED_SLUG)
    assert f'<a href="{change_url(kept)}">{kept.title}</a> (2021-06-01)' in form


def test_preview_of_a_duplicate_says_it_is_not_public(imported, publisher):
    """Staff previewing a duplicate read that it is listed nowhere and redirects."""
    copy = Release.objects.get(slug=SEED_COPY_SLUG)
    page = publisher.get(f"{CHANGELIST}{copy.pk}/preview/").content.decode()
    assert "It repeats another release (a duplicate)" in page


def test_publisher_undoes_a_duplicate_and_imports_leave_it(tmp_path, publisher, client):
    """ "Not duplicates" publishes the copy at its own address with a revision; importing
    again, even a changed file of the one kept, does not fold it back."""
    for path in PEDESTRIAN.iterdir():
        shutil.copy(path, tmp_path / path.name)
    import_releases([tmp_path])
    copy = Release.objects.get(slug="pedestrian-profile-welcomed")
    response = run_action(publisher, "keep_apart_selected", [copy])
    assert response.status_code == 302
    assert state(copy.slug) == (Release.Status.PUBLISHED, None)
    comments = [v.revision.comment for v in Version.objects.get_for_object(copy)]
    assert comments[0] == "Not a duplicate: published."
    kept = tmp_path / "2000-11-14-pedestrian-profile-welcomed-0.md"
    kept.write_text(kept.read_text(encoding="utf-8") + " ", encoding="utf-8")  # same words
    again = import_releases([tmp_path])
    assert (again.updated, again.duplicates) == (1, 0)
    assert state(copy.slug) == (Release.Status.PUBLISHED, None)
    client.logout()
    assert client.get(f"/releases/{copy.slug}/").status_code == 200


def test_editor_cannot_undo_a_duplicate(imported, editor):
    """An adviser without the publish permission is refused, even by a forged post."""
    copy = Release.objects.get(slug=SEED_COPY_SLUG)
    run_action(editor, "keep_apart_selected", [copy])
    assert state(SEED_COPY_SLUG) == (Release.Status.DUPLICATE, SEED_SLUG)
