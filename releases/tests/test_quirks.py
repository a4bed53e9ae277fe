"""Every quirk of the real corpus, on real files from fixtures/releases (unchanged)."""

import datetime

import pytest
import yaml

from releases.importing import import_releases
from releases.importing.parsing import FRONT_MATTER, load_yaml
from releases.models import Minister, Portfolio, Release

from .conftest import FIXTURES, SEED, fixture

pytestmark = pytest.mark.django_db


def imported(*relative):
    """Import the given fixture files; return the result."""
    result = import_releases([fixture(r) for r in relative])
    assert result.errors == []
    return result


def release(relative):
    url_slug = fixture(relative).stem[11:]
    return Release.objects.get(source_url=f"https://www.beehive.govt.nz/release/{url_slug}")


def warnings_for(result, relative):
    return [(w.field, w.message) for w in result.warnings if w.path.endswith(relative)]


def test_all_fixtures_import_cleanly():
    """The whole sample imports with no errors and one release per file."""
    files = list(FIXTURES.rglob("*.md"))
    result = import_releases([FIXTURES])
    assert result.errors == []
    assert result.created == len(files) == Release.objects.count()


def test_front_matter_reads_as_pyyaml_base_loader_reads_it():
    """The importer's own YAML reading gives what PyYAML's base loader gives, on every
    quirk in the sample (mappings and lists as list items, escapes, empty values)."""
    for path in FIXTURES.rglob("*.md"):
        front_matter, _ = FRONT_MATTER.split(path.read_text(encoding="utf-8"))
        assert load_yaml(front_matter) == yaml.load(front_matter, Loader=yaml.CBaseLoader), path


def test_seed_release():
    """The seed release keeps its title, date, minister, portfolio and body."""
    import_releases([SEED])
    seed = Release.objects.get()
    assert seed.title == "Trade Minister to lead first virtual trade mission to Japan"
    assert seed.slug == "trade-minister-lead-first-virtual-trade-mission-japan-0"
    assert seed.date == datetime.date(2021, 6, 1)
    assert [m.name for m in seed.ministers.all()] == ["Damien O'Connor"]
    assert [p.name for p in seed.portfolios.all()] == ["Trade and Export Growth"]
    assert seed.body_html.startswith("<p>Trade Minister Damien O’Connor will lead")


def test_mapping_list_item_means_its_text():
    """'- Māori Crown Relations: Te Arawhiti' is one portfolio of that name."""
    imported("2019/05/2019-05-11-government-mourns-loss-ta-hekenukumai-busby.md")
    assert Portfolio.objects.filter(name="Māori Crown Relations: Te Arawhiti").exists()


def test_nested_list_minister_is_junk_with_a_warning():
    """'- [From a speech …]' is read as its text, recognised as not a person, and kept raw."""
    path = "2001/11/2001-11-02-genetic-modification.md"
    result = imported(path)
    assert warnings_for(result, path) == [
        (
            "ministers",
            "“From a speech in the Wednesday Parliamentary General Debate on 31 October 2001” "
            "is not a name (kept only in the raw front matter)",
        )
    ]
    assert release(path).ministers.count() == 0
    assert "[From a speech in the Wednesday" in release(path).front_matter


def test_yaml_escapes_in_titles_are_decoded():
    """Zero-width spaces from YAML escapes do not reach the title."""
    path = "2018/05/2018-05-29-racing-safety-development-fund-recipients-announced.md"
    imported(path)
    assert release(path).title == "Racing Safety Development Fund recipients announced"


def test_markup_in_titles_becomes_plain_text():
    """'Govt ready for <i>The Return of the King</i>' is shown as plain text."""
    path = "2003/10/2003-10-24-govt-ready-return-king.md"
    imported(path)
    assert release(path).title == "Govt ready for The Return of the King"


def test_empty_titles_get_a_readable_fallback():
    """An empty title is imported with a warning and the body's first sentence or date."""
    with_body, without_body = "2001/09/2001-09-05-11721.md", "2006/01/2006-01-01-30433.md"
    result = imported(with_body, without_body)
    assert release(with_body).title == (
        "State Services Minister Trevor Mallard has this afternoon hit out at the open cheque book…"
    )
    assert release(without_body).title == "Untitled release, 1 January 2006"
    assert ("title", "empty; shown as “Untitled release, 1 January 2006”") in warnings_for(
        result, without_body
    )


def test_numeric_slug_is_kept():
    """Releases whose old address was only a number keep it as their slug."""
    imported("2001/09/2001-09-05-11721.md")
    assert Release.objects.get().slug == "11721"


def test_missing_ministers_or_portfolios_are_warnings():
    """A release without ministers or portfolios is imported, with a warning."""
    no_portfolios = "1997/12/1997-12-04-court-fees-and-charges-rise.md"
    result = imported(no_portfolios)
    assert warnings_for(result, no_portfolios) == [("portfolios", "missing; the release has none")]
    assert [m.name for m in release(no_portfolios).ministers.all()] == ["Doug Graham"]


def test_placeholder_dates_become_unknown():
    """The old site's 0001-01-01 becomes an unknown date, sorted after dated releases."""
    path = "0001/01/0001-01-01-challenge-laid-new-zealands-digital-future.md"
    result = imported(path, "2001/09/2001-09-05-11721.md")
    assert release(path).date is None
    assert ("date", "0001-01-01 is the source's placeholder; stored as an unknown date") in (
        warnings_for(result, path)
    )
    assert list(Release.objects.values_list("slug", flat=True)) == [
        "11721",
        "challenge-laid-new-zealands-digital-future",
    ]


def test_reused_address_keeps_both_releases():
    """appointment-queens-counsel-1 was used in 1997 and 2017: both are kept."""
    imported(
        "1997/06/1997-06-30-appointment-queens-counsel-1.md",
        "2017/06/2017-06-02-appointment-queens-counsel-1.md",
    )
    assert list(Release.objects.values_list("slug", "date")) == [
        ("appointment-queens-counsel-1-2017-06-02", datetime.date(2017, 6, 2)),
        ("appointment-queens-counsel-1", datetime.date(1997, 6, 30)),
    ]


def test_url_portfolio_is_a_warning():
    """A URL in the portfolio list is reported and not made a portfolio."""
    path = "2016/11/2016-11-09-new-zealands-strengthening-music-industry.md"
    result = imported(path)
    assert any(field == "portfolios" for field, _ in warnings_for(result, path))
    assert not Portfolio.objects.filter(name__contains="recordedmusic").exists()


def test_spelling_variants_across_real_files_are_one_minister():
    """Real files spelling Damien O'Connor three ways link to one minister."""
    imported(
        SEED.relative_to(FIXTURES),
        "2019/05/2019-05-30-transforming-economy.md",
        "2004/08/2004-08-06-oconnor-reaffirms-ghanbari-decision.md",
    )
    oconnor = Minister.objects.get(name="Damien O'Connor")
    assert oconnor.releases.count() == 3
    assert set(oconnor.aliases.values_list("spelling", flat=True)) == {
        "Hon Damien O'Connor",
        "Hon Damien O’Connor",
        "Damien O'Connor",
    }


def test_double_space_and_case_variant_portfolios():
    """'Associate  Minister of State Services' and 'Occupational Safety and health' are tidied."""
    imported(
        "1998/05/1998-05-28-minister-welcomes-new-responsibilities.md",
        "1999/02/1999-02-11-osh-prosecutes-rail-accidents-bradford.md",
    )
    names = set(Portfolio.objects.values_list("name", flat=True))
    assert "Associate Minister of State Services" in names
    assert "Occupational Safety and Health" in names


def test_attachments_are_kept():
    """Attachment URLs are stored as a list."""
    path = "2018/05/2018-05-29-racing-safety-development-fund-recipients-announced.md"
    imported(path)
    assert release(path).attachments == [
        "https://www.beehive.govt.nz/sites/default/files/2018-05/RSDF%20Recipients%202017-18%20Round%202.docx"
    ]


def test_control_characters_in_titles_are_dropped():
    """Mojibake remnants (U+0081, U+009D) and narrow spaces never reach a title."""
    eez = "2014/02/2014-02-09-eez-entry-unhelpful-mccully.md"
    tongan = "2012/08/2012-08-31-tongan-language-week--uike-katoangai-o-e-lea-faka--tonga.md"
    imported(eez, tongan)
    assert release(eez).title == 'EEZ entry “unhelpful" - McCully'
    assert release(tongan).title == "Tongan Language Week – Uike Katoanga’i 'o e Lea Faka – Tonga"


def test_body_quirks_render_safely():
    """Backslash escapes, a raw <br />, a vertical tab and images render as HTML that a
    browser and a feed reader accept."""
    paths = {
        "escape": "2002/02/2002-02-27-budget-date-set.md",
        "br": "2010/10/2010-10-12-minister-welcomes-energywise-drivers.md",
        "vtab": "2007/01/2007-01-04-duty-minister-fiji-situation.md",
        "image": "2006/04/2006-04-07-annette-king-visits-nz-police-dog-training-centre.md",
    }
    imported(*paths.values())
    html = {key: release(path).body_html for key, path in paths.items()}
    assert "\\[" not in html["escape"]
    # The raw <br /> sits inside a link's title: it stays text there.
    assert 'title="blocked::http://www.aaenergywiserally.org.nz/&lt;br /&gt; http' in html["br"]
    assert "\x0b" not in html["vtab"] and "\x0b" in release(paths["vtab"]).body
    # Site-relative images and links point at the site the release came from.
    assert '<img src="https://www.beehive.govt.nz/sites/default/files/' in html["image"]
    assert '<a href="https://www.beehive.govt.nz/media/71"' in html["image"]
