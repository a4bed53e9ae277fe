import pytest

from releases import names


@pytest.mark.parametrize(
    "spelling",
    [
        "Hon Damien O'Connor",
        "Damien O'Connor",
        "Hon Damien O’Connor",
        "Rt Hon Damien O'Connor",
        "hon  damien   o'connor",
        "Damien\u00a0O'Connor",
        "The Right Honourable Damien O'Connor",
    ],
)
def test_minister_spellings_fold_to_one_key(spelling):
    """Honorifics, apostrophes, spaces and case never make a second person."""
    assert names.minister_key(spelling) == "damien o'connor"


def test_post_nominals_and_titles_fold():
    """'Hon Judith Collins KC' is the Judith Collins of older releases; 'Dr' likewise."""
    assert names.minister_key("Hon Judith Collins KC") == names.minister_key("Judith Collins")
    assert names.minister_key("Dr Lockwood Smith") == names.minister_key("Lockwood Smith")


def test_different_people_stay_apart():
    """Folding never merges two different names."""
    assert names.minister_key("Nick Smith") != names.minister_key("Nik Smith")
    assert names.minister_key("Chris Hipkins") != names.minister_key("Chris Bishop")


def test_minister_display_name_drops_honorifics_only():
    """The public name keeps the person's own spelling without 'Hon'/'Rt Hon'."""
    assert names.minister_display_name("Rt Hon  Jacinda Ardern") == "Jacinda Ardern"
    assert names.minister_display_name("Hon Damien O’Connor") == "Damien O'Connor"
    assert names.minister_display_name("Georgina te Heuheu") == "Georgina te Heuheu"


@pytest.mark.parametrize(
    "variant",
    [
        "Associate  Minister of State Services",
        "associate minister of state services",
        "Associate Minister of State Services ",
    ],
)
def test_portfolio_variants_fold(variant):
    """Double spaces and case variants are the same portfolio."""
    assert names.portfolio_key(variant) == names.portfolio_key(
        "Associate Minister of State Services"
    )


def test_portfolio_macrons_and_apostrophes_fold():
    """'Māori Affairs'/'Maori Affairs' and ’/' variants are one portfolio each."""
    assert names.portfolio_key("Māori Affairs") == names.portfolio_key("Maori Affairs")
    assert names.portfolio_key("Veterans’ Affairs") == names.portfolio_key("Veterans' Affairs")


def test_portfolio_display_name_capitalises_stray_lower_case():
    """'Occupational Safety and health' is shown as 'Occupational Safety and Health'."""
    assert names.portfolio_display_name("Occupational Safety and health") == (
        "Occupational Safety and Health"
    )
    assert names.portfolio_display_name("Associate  Minister of the Environment") == (
        "Associate Minister of the Environment"
    )


@pytest.mark.parametrize(
    "junk",
    [
        "View/download as PDF file",
        "http://www.executive.govt.nz/minister/maharey/dpb_wb.pdf",
        "www.beehive.govt.nz/minister/trevor+mallard",
        "clicking here",
        "Mururoa",
        "No Minister",
        "Defence Policy Framework",
        "Summary Report, Adults",
        "Analysis - Children",
        "The report is also attached.",
        "From a speech in the Wednesday Parliamentary General Debate on 31 October 2001",
    ],
)
def test_scraper_junk_is_not_a_minister(junk):
    """Link text and URLs left by the old site's scraper are recognised as junk."""
    assert names.is_junk_minister(junk)


@pytest.mark.parametrize(
    "person",
    [
        "Hon Damien O'Connor",
        "Georgina te Heuheu",
        "Hon Brooke van Velden",
        "Peseta Sam Lotu-Iiga",
        "Laila Harré",
        "Simon Court",
        "Hon Dr Ayesha Verrall",
        "Hon Judith Collins KC",
        "Rt Hon Winston Peters",
    ],
)
def test_real_people_are_not_junk(person):
    """Every real minister spelling in the corpus is kept as a person."""
    assert not names.is_junk_minister(person)


def test_url_portfolio_is_junk():
    """A URL in a portfolio list is not a portfolio."""
    assert names.is_junk_portfolio(
        "https://www.recordedmusic.co.nz/portfolio/nz-music-industry-economic-report/"
    )
    assert not names.is_junk_portfolio("Māori Crown Relations: Te Arawhiti")
