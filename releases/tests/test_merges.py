"""Merging ministers and portfolios, on the real spellings of the sample: "Trade" and
"Trade and Investment" were the names of today's "Trade and Export Growth"."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from releases.editorial import revisions
from releases.editorial.merges import merge
from releases.importing import import_releases
from releases.models import Portfolio, PortfolioAlias, Release
from releases.search import search

from .conftest import EDITING, FIXTURES, log_in, release_text

pytestmark = pytest.mark.django_db

PORTFOLIOS = "/admin/releases/portfolio/"
TRADE_NAMES = ["Trade and Export Growth", "Trade", "Trade and Investment"]


@pytest.fixture
def trade():
    """The sample imported: the three trade portfolios, the one that stays first."""
    assert import_releases([FIXTURES]).errors == []
    return [Portfolio.objects.get(name=name) for name in TRADE_NAMES]


def publisher():
    defaults = {"is_staff": True, "is_superuser": True}
    return User.objects.get_or_create(username="press-secretary", defaults=defaults)[0]


def links(release):
    return list(release.portfolios.through.objects.filter(release=release).order_by("pk"))


def test_merge_keeps_every_release_once_and_in_its_place(trade):
    """Every release of the three links to the one that stays, once, and a release whose
    first portfolio was a merged one has the survivor first (its main portfolio)."""
    survivor, *merged = trade
    releases = Release.objects.filter(portfolios__in=trade).distinct()
    before = {r.pk: [link.portfolio.name for link in links(r)] for r in releases}
    relinked = Release.objects.filter(portfolios__in=merged).distinct().count()
    assert merge(survivor, merged, publisher()) == relinked > 0
    assert not Portfolio.objects.filter(name__in=TRADE_NAMES[1:]).exists()
    for pk, names in before.items():
        expected = list(dict.fromkeys(TRADE_NAMES[0] if n in TRADE_NAMES else n for n in names))
        assert [link.portfolio.name for link in links(Release.objects.get(pk=pk))] == expected
    assert Release.objects.filter(portfolios=survivor).count() == len(before)
    was_merged = [pk for pk, names in before.items() if set(names) & set(TRADE_NAMES[1:])]
    latest = revisions.history(Release.objects.get(pk=was_merged[0])).first()
    assert latest.revision.comment == (
        "Merged “Trade”, “Trade and Investment” into “Trade and Export Growth”"
    )
    assert latest.revision.user.username == "press-secretary"


def test_merged_spellings_import_as_the_survivor_and_search_finds_it(trade, write, tmp_path):
    """The merged portfolios' spellings and names are the survivor's aliases: the next
    import maps "Trade" to it, and its releases are found by the survivor's name."""
    survivor, old, _ = trade
    only_trade = Release.objects.filter(portfolios=old).exclude(portfolios=survivor).first()
    merge(survivor, trade[1:], publisher())
    assert set(
        PortfolioAlias.objects.filter(portfolio=survivor).values_list("spelling", flat=True)
    ) >= {
        "Trade and Export Growth",
        "Trade",
        "Trade and Investment",
    }
    assert only_trade in search(Release.objects.all(), "export growth")
    write("new.md", release_text(portfolios=["Trade"], url="https://www.beehive.govt.nz/release/n"))
    assert import_releases([tmp_path]).errors == []
    assert [p.name for p in Release.objects.get(slug="n").portfolios.all()] == [survivor.name]
    assert not Portfolio.objects.filter(name="Trade").exists()


def test_merged_addresses_redirect_for_good(trade, client):
    """/portfolios/trade/ answers 301 to the survivor's page, even after the survivor is
    itself merged into another."""
    survivor, *merged = trade
    merge(survivor, merged, publisher())
    response = client.get("/portfolios/trade/")
    assert (response.status_code, response["Location"]) == (301, survivor.get_absolute_url())
    assert client.get(response["Location"]).status_code == 200
    finance = Portfolio.objects.get(name="Finance")
    merge(finance, [survivor], publisher())
    response = client.get("/portfolios/trade/")
    assert (response.status_code, response["Location"]) == (301, "/portfolios/finance/")
    assert client.get("/portfolios/no-such-portfolio/").status_code == 404


def test_publisher_merges_through_the_admin(trade, client):
    """A publisher selects the three, picks the one to keep on the confirmation page, and
    the change list then holds only that one."""
    client.force_login(publisher())
    selected = {"action": "merge_selected", "_selected_action": [p.pk for p in trade]}
    page = client.post(PORTFOLIOS, selected)
    assert page.status_code == 200
    assert "The one you choose stays." in page.content.decode()
    response = client.post(PORTFOLIOS, selected | {"survivor": trade[0].pk}, follow=True)
    assert "Merged 2 into “Trade and Export Growth”" in response.content.decode()
    assert list(Portfolio.objects.filter(name__in=TRADE_NAMES).values_list("name", flat=True)) == [
        "Trade and Export Growth"
    ]


def test_an_editor_cannot_merge_even_by_a_forged_post(trade, client):
    """Merging is a publisher's: an editor's forged action changes nothing, and the
    function itself refuses too."""
    editor = log_in(client, "editor", [*EDITING, "change_portfolio", "view_portfolio"])
    selected = {"action": "merge_selected", "_selected_action": [p.pk for p in trade]}
    editor.post(PORTFOLIOS, selected | {"survivor": trade[0].pk})
    assert Portfolio.objects.filter(name__in=TRADE_NAMES).count() == 3
    with pytest.raises(PermissionDenied):
        merge(trade[0], trade[1:], User.objects.get(username="editor"))
