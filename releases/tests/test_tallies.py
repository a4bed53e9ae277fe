"""The A-Z pages' counts and years come from tallies the database keeps on each minister
and portfolio (migration 0021): whatever writes releases or links, they stay what counting
the published releases would give, and nothing scheduled shows before its time."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.db.models import Count, Max, Min
from django.utils import timezone

from releases.editorial import states
from releases.editorial.merges import merge
from releases.importing import import_releases
from releases.models import Minister, Portfolio, Release

from .conftest import FIXTURES, release_text
from .test_views import make_named, make_release

pytestmark = pytest.mark.django_db


def counted(model):
    """{name: (releases, first date, last date)} by counting the published releases."""
    records = model.objects.filter(releases__in=Release.objects.published()).annotate(
        n=Count("releases"), first=Min("releases__date"), last=Max("releases__date")
    )
    return {r.name: (r.n, r.first, r.last) for r in records}


def shown(model):
    """The same, as the A-Z page lists it."""
    return {r.name: (r.release_count, r.first_date, r.last_date) for r in model.objects.active()}


def assert_tallies_right():
    for model in (Portfolio, Minister):
        assert shown(model) == counted(model)


@pytest.fixture
def sample():
    assert import_releases([FIXTURES]).errors == []


@pytest.fixture
def press_secretary():
    return User.objects.create(username="press", is_staff=True, is_superuser=True)


def test_an_import_leaves_every_count_and_year_right(sample):
    """After importing the sample, each record's count and years are its releases'."""
    assert len(shown(Portfolio)) > 10
    assert_tallies_right()


def test_a_changed_file_reimported_moves_its_release_and_counts(tmp_path):
    """A file re-imported with another portfolio: both portfolios' counts follow."""
    path = tmp_path / "release.md"
    path.write_text(release_text(date="2019-05-01", portfolios=["Health"]))
    assert import_releases([tmp_path]).errors == []
    path.write_text(release_text(date="2019-05-01", portfolios=["Education"]))
    assert import_releases([tmp_path]).errors == []
    day = datetime.date(2019, 5, 1)
    assert shown(Portfolio) == {"Education": (1, day, day)}
    assert_tallies_right()


def test_counts_follow_publishing_unpublishing_and_withdrawing(sample, press_secretary):
    """A release leaving the public lists leaves its records' counts, and comes back."""
    release = Release.objects.published().filter(portfolios__isnull=False).first()
    states.withdraw(release, "Issued in error.", press_secretary)
    assert_tallies_right()
    states.unpublish(release, press_secretary)
    assert_tallies_right()
    states.publish(release, press_secretary)
    assert_tallies_right()


def test_counts_follow_links_dates_deletions_and_bulk_updates(sample):
    """Links set from either side, a new date, a deleted release and a QuerySet.update()."""
    arts = make_named(Portfolio, "Arts Archive")
    release = make_release(date=datetime.date(1990, 1, 1), portfolios=[arts])
    assert shown(Portfolio)["Arts Archive"] == (
        1,
        datetime.date(1990, 1, 1),
        datetime.date(1990, 1, 1),
    )
    release.date = datetime.date(2030, 1, 1)
    release.save()
    assert shown(Portfolio)["Arts Archive"][1] == datetime.date(2030, 1, 1)
    other = Release.objects.exclude(pk=release.pk).first()
    arts.releases.add(other)
    release.portfolios.clear()
    assert_tallies_right()
    Release.objects.filter(pk=other.pk).update(status=Release.Status.DRAFT)
    assert "Arts Archive" not in shown(Portfolio)
    Release.objects.filter(ministers__isnull=False).first().delete()
    assert_tallies_right()


def test_renaming_a_record_loaded_earlier_keeps_its_count(sample):
    """A portfolio renamed in the admin from a copy read before a release was added to it
    keeps the count that release made, not the one the copy held."""
    stale = Portfolio.objects.get(name="Health")
    make_release(portfolios=[Portfolio.objects.get(name="Health")])
    stale.name = "Health and Wellbeing"
    stale.save()
    assert_tallies_right()


def test_counts_follow_a_merge(sample, press_secretary):
    """Merged portfolios' releases count once for the one that stays."""
    trade = Portfolio.objects.get(name="Trade and Export Growth")
    merged = Portfolio.objects.filter(name__in=["Trade", "Trade and Investment"])
    merge(trade, list(merged), press_secretary)
    assert_tallies_right()


def test_a_scheduled_release_counts_only_once_its_time_comes(monkeypatch):
    """Scheduled for tomorrow, a release is neither counted nor its year shown; tomorrow it
    is, with no write in between. A portfolio known only from it is not listed at all."""
    health, secret = make_named(Portfolio, "Health"), make_named(Portfolio, "Secret")
    make_release(date=datetime.date(2020, 1, 1), portfolios=[health])
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    make_release(date=datetime.date(2027, 1, 1), portfolios=[health, secret], published_at=tomorrow)
    assert shown(Portfolio) == {"Health": (1, datetime.date(2020, 1, 1), datetime.date(2020, 1, 1))}
    later = tomorrow + datetime.timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert shown(Portfolio) == {
        "Health": (2, datetime.date(2020, 1, 1), datetime.date(2027, 1, 1)),
        "Secret": (1, datetime.date(2027, 1, 1), datetime.date(2027, 1, 1)),
    }


def test_the_a_to_z_pages_cost_two_queries_whatever_is_scheduled(
    client, sample, django_assert_num_queries
):
    """Two queries (what is scheduled, the list) after the content version (caching.py),
    and one more while anything is scheduled, to count its records from their links: never
    one per record."""
    for url in ("/portfolios/", "/ministers/"):
        with django_assert_num_queries(3):
            client.get(url)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    Release.objects.filter(pk__in=Release.objects.values("pk")[:5]).update(published_at=tomorrow)
    for url in ("/portfolios/", "/ministers/"):
        with django_assert_num_queries(4):
            client.get(url)
    assert_tallies_right()


def test_choices_offer_what_is_public_now_whatever_is_scheduled(monkeypatch):
    """Filter choices (with_published_releases, from the tallies) offer a portfolio with a
    live release, even with another scheduled, and one known only from a scheduled release
    only once its time comes; one whose releases were all withdrawn never."""
    health, secret, gone = (make_named(Portfolio, n) for n in ("Health", "Secret", "Gone"))
    make_release(date=datetime.date(2020, 1, 1), portfolios=[health])
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    make_release(date=datetime.date(2027, 1, 1), portfolios=[health, secret], published_at=tomorrow)
    make_release(date=datetime.date(2019, 1, 1), portfolios=[gone], status="withdrawn")

    def offered():
        return set(Portfolio.objects.with_published_releases().values_list("name", flat=True))

    assert offered() == {"Health"}
    later = tomorrow + datetime.timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert offered() == {"Health", "Secret"}
