import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from releases.importing import import_releases
from releases.models import Government, Minister, Portfolio, Release

from .conftest import fixture

pytestmark = pytest.mark.django_db


def make(slug, date, **fields):
    return Release.objects.create(
        title=slug.replace("-", " ").capitalize(), slug=slug, date=date, **fields
    )


def test_str_and_urls():
    """Each model reads as its name and links to its public page."""
    release = make("bridge-opens", datetime.date(2021, 6, 1))
    minister = Minister.objects.create(name="Damien O'Connor", slug="damien-oconnor")
    portfolio = Portfolio.objects.create(name="Trade", slug="trade")
    government = Government.objects.get(slug="sixth-labour")
    assert [str(o) for o in (release, minister, portfolio, government)] == [
        "Bridge opens",
        "Damien O'Connor",
        "Trade",
        "Sixth Labour Government",
    ]
    assert release.get_absolute_url() == "/releases/bridge-opens/"
    assert minister.get_absolute_url() == "/ministers/damien-oconnor/"
    assert portfolio.get_absolute_url() == "/portfolios/trade/"
    assert government.get_absolute_url() == "/governments/sixth-labour/"


def test_releases_newest_first_with_undated_last():
    """Lists run newest first; releases with an unknown date come after all dated ones."""
    make("undated", None)
    make("old", datetime.date(1997, 1, 1))
    make("new", datetime.date(2021, 1, 1))
    assert list(Release.objects.values_list("slug", flat=True)) == ["new", "old", "undated"]


def test_slugs_are_unique_in_the_database():
    """Two releases can never share an address."""
    make("same", datetime.date(2021, 1, 1))
    with pytest.raises(IntegrityError):
        make("same", datetime.date(2021, 1, 2))


def test_new_release_is_a_draft_until_published():
    """A release written in the admin is private until published; publishing with no time
    makes it public at once."""
    release = make("draft", datetime.date(2021, 1, 1))
    assert release.status == Release.Status.DRAFT
    assert not Release.objects.published().exists()
    release.status = Release.Status.PUBLISHED
    release.save()
    assert release.published_at <= timezone.now()
    assert list(Release.objects.published()) == [release]


def test_scheduled_release_is_not_public_yet():
    """A release published for a future time stays hidden until then."""
    make(
        "embargoed",
        datetime.date(2030, 1, 1),
        status=Release.Status.PUBLISHED,
        published_at=timezone.now() + datetime.timedelta(days=1),
    )
    assert not Release.objects.published().exists()


def test_saving_renders_the_body_safely():
    """The body is rendered to sanitised HTML when saved, never per request."""
    release = make("hostile", datetime.date(2021, 1, 1), body="**Bold** <script>x()</script>")
    assert release.body_html == "<p><strong>Bold</strong> </p>\n"


def test_release_government_follows_from_its_date():
    """A release belongs to the government in office on its date; the changeover day
    belongs to the new government."""
    make("before", datetime.date(2017, 10, 25))
    make("changeover", datetime.date(2017, 10, 26))
    make("after", datetime.date(2023, 11, 27))
    labour = Government.objects.get(slug="sixth-labour")
    national = Government.objects.get(slug="sixth-national")
    assert list(Release.objects.in_government(labour).values_list("slug", flat=True)) == [
        "changeover"
    ]
    assert list(Release.objects.in_government(national).values_list("slug", flat=True)) == ["after"]


def test_governments_are_loaded_in_order():
    """The reference data covers 1990 to today without gaps."""
    governments = list(Government.objects.order_by("start_date"))
    assert governments[0].start_date == datetime.date(1990, 11, 2)
    assert governments[-1].end_date is None
    for earlier, later in zip(governments, governments[1:]):
        assert earlier.end_date == later.start_date


@pytest.mark.parametrize(
    "attachments",
    ["https://example.org/report.pdf", ["https://example.org/a.pdf", 2], ["  "], {"url": "x"}],
)
def test_attachments_other_than_a_list_of_addresses_are_refused(attachments):
    """Validation refuses attachments the public page could not list, saying what to enter."""
    release = make("odd-attachments", datetime.date(2021, 1, 1), attachments=attachments)
    with pytest.raises(ValidationError) as refused:
        release.full_clean()
    assert refused.value.message_dict["attachments"] == [
        "Enter a list of addresses, each in double quotes, such as "
        '["https://www.beehive.govt.nz/sites/default/files/report.pdf"], or [] for none.'
    ]


def test_imported_attachments_are_valid():
    """What the importer stores passes the same validation, so imported releases stay
    editable in the admin."""
    result = import_releases(
        [fixture("2023/07/2023-07-25-government-strengthens-cyber-security.md")]
    )
    assert result.errors == []
    release = Release.objects.get()
    assert release.attachments == [
        "https://www.beehive.govt.nz/sites/default/files/2023-07/One%20Pager.pdf",
        "https://www.beehive.govt.nz/sites/default/files/2023-07/CSAC%20Report.pdf",
    ]
    release.full_clean()
