"""The whole real corpus (../shared/corpus), imported as a user would."""

import pytest

from releases.importing import import_releases
from releases.models import Minister, Portfolio, Release

pytestmark = [pytest.mark.django_db, pytest.mark.corpus]


def test_full_corpus_imports_without_errors(corpus):
    """All 55,167 real releases import with no errors, and a second run changes nothing."""
    result = import_releases([corpus])
    assert result.errors == []
    assert (result.created, result.ignored) == (55167, 2)  # README.md and LICENSE.md
    assert Release.objects.count() == 55167
    assert Release.objects.filter(date__isnull=True).count() == 2
    # Both releases of each reused address are kept.
    assert Release.objects.values("source_url").distinct().count() == 55167 - 26
    # One record per person: the three spellings of Damien O'Connor are one minister.
    oconnor = Minister.objects.get(aliases__spelling="Hon Damien O’Connor")
    assert oconnor.aliases.count() == 3
    assert oconnor.releases.count() == 412 + 254 + 217
    assert not Minister.objects.filter(name__icontains="pdf").exists()
    assert not Portfolio.objects.filter(name__startswith="http").exists()
    seed = Release.objects.get(slug="trade-minister-lead-first-virtual-trade-mission-japan-0")
    assert [p.name for p in seed.portfolios.all()] == ["Trade and Export Growth"]
    # One release, one page: 647 copies of 613 releases (editorial/duplicates.py); the
    # seed's "-0" is the one kept (first imported on its day), its copy a duplicate.
    assert result.duplicates == Release.objects.duplicates().count() == 647
    assert Release.objects.duplicates().values("duplicate_of").distinct().count() == 613
    assert seed.status == Release.Status.PUBLISHED
    assert seed.duplicates.get().slug == "trade-minister-lead-first-virtual-trade-mission-japan"

    again = import_releases([corpus])
    assert (again.created, again.updated, again.unchanged, again.duplicates) == (0, 0, 55167, 0)
