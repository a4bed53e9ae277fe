"""The site's frame and its release page as a reader sees them: the footer's pages, the
breadcrumbs, one search box on the home page, the favicon, and on a release its times,
the government it was published under, its source and its attachments."""

import datetime
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from releases.importing import import_releases
from releases.models import Attachment, Release

from .conftest import SEED, release_text
from .test_views import QC_1997, QC_2017, SEED_SLUG, june_2021, make_release

pytestmark = pytest.mark.django_db
__all__ = ["june_2021"]  # a fixture, used by name

FOOTER_PAGES = {
    "about": "About this site",
    "feeds": "Feeds",
    "data": "Data",
    "accessibility": "Accessibility statement",
    "privacy": "Privacy",
    "copyright": "Copyright",
}


def text(html):
    """The words of `html` as a reader sees them: tags dropped, spaces collapsed."""
    return re.sub(r" ([,.;:])", r"\1", " ".join(re.sub(r"<[^>]+>", " ", html).split()))


def breadcrumbs(html):
    """The breadcrumb trail's steps, in order; None if the page has none."""
    trail = re.search(r'<nav class="breadcrumbs" aria-label="Breadcrumb">(.*?)</nav>', html, re.S)
    if trail is None:
        return None
    assert "<ol>" in trail.group(1)
    return [text(step) for step in re.findall(r"<li[^>]*>(.*?)</li>", trail.group(1), re.S)]


@pytest.mark.parametrize("name", FOOTER_PAGES)
def test_each_footer_page_answers_with_its_heading(client, name):
    """Every page the footer links to answers 200 with its heading, its trail and the
    page cache's validators."""
    url = reverse(f"releases:{name}")
    home = client.get(reverse("releases:home")).content.decode()
    footer = home[home.index('<footer class="site-footer">') :]
    assert f'<a href="{url}">' in footer
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{FOOTER_PAGES[name]}</h1>" in html
    assert breadcrumbs(html)[0] == "Home" and len(breadcrumbs(html)) == 2
    assert response.has_header("ETag") and "public" in response["Cache-Control"]


def test_copyright_page_states_the_licence_and_its_exclusions(client):
    """The copyright page names Crown copyright, beehive.govt.nz, CC BY 4.0 and the crest
    and logos the licence leaves out."""
    words = text(client.get(reverse("releases:copyright")).content.decode())
    for phrase in ("Crown copyright", "beehive.govt.nz", "Open Access and Licensing",
                   "Creative Commons Attribution 4.0", "Crown crest", "logo"):  # fmt: skip
        assert phrase in words


def test_feeds_and_data_pages_link_what_exists(client):
    """The feeds page links the site's RSS and Atom feeds; the data page links the
    sitemap, the API's documentation and schema and the CSV, each of which answers."""
    feeds = client.get(reverse("releases:feeds")).content.decode()
    for name in ("releases:feed", "releases:feed-atom"):
        assert f'<a href="{reverse(name)}">' in feeds
        assert client.get(reverse(name)).status_code == 200
    assert (
        "/portfolios/<var>name</var>/feed/" in feeds and "/ministers/<var>name</var>/feed/" in feeds
    )
    data = client.get(reverse("releases:data")).content.decode()
    for name in ("releases:sitemap", "api:docs", "api:schema", "releases:csv"):
        assert f'<a href="{reverse(name)}">' in data
        assert client.get(reverse(name)).status_code == 200
    assert "The bulk download has not been generated yet." in data


def test_home_page_has_one_search_box_and_no_breadcrumbs(client):
    """The home page has one search form (its own, labelled) and no trail."""
    html = client.get(reverse("releases:home")).content.decode()
    assert html.count('role="search"') == 1 and html.count('type="search"') == 1
    assert '<label for="search-q">Search releases</label>' in html
    assert breadcrumbs(html) is None


def test_other_pages_keep_the_header_search(client):
    """Away from the home page the header's search box is there."""
    html = client.get(reverse("releases:portfolios")).content.decode()
    assert html.count('role="search"') == 1 and 'id="site-search-q"' in html


def test_inner_pages_show_their_breadcrumbs(client, june_2021):
    """Lists, indexes, a portfolio, a minister, a government and a release each show the
    trail from Home to where they are."""
    release = Release.objects.get(slug=SEED_SLUG)
    trails = {
        reverse("releases:list"): ["Home", "Releases"],
        reverse("releases:list") + "?q=trade": ["Home", "Releases", "Search results"],
        reverse("releases:portfolios"): ["Home", "Portfolios"],
        reverse("releases:ministers"): ["Home", "Ministers"],
        reverse("releases:governments"): ["Home", "Governments"],
        reverse("releases:portfolio", args=["trade-and-export-growth"]): [
            "Home", "Portfolios", "Trade and Export Growth"],
        reverse("releases:minister", args=["damien-oconnor"]): [
            "Home", "Ministers", "Damien O&#x27;Connor"],
        reverse("releases:government", args=["sixth-labour"]): [
            "Home", "Governments", "Sixth Labour Government"],
        # A release leads up to its main portfolio.
        release.get_absolute_url(): ["Home", "Portfolios", "Trade and Export Growth"],
    }  # fmt: skip
    for url, trail in trails.items():
        assert breadcrumbs(client.get(url).content.decode()) == trail, url


def test_release_without_a_portfolio_leads_up_to_the_list(client):
    """A release with no portfolio has the trail Home › Releases."""
    html = client.get(make_release().get_absolute_url()).content.decode()
    assert breadcrumbs(html) == ["Home", "Releases"]
    assert f'<li><a href="{reverse("releases:list")}">Releases</a></li>' in html


def test_favicon_ico_leads_to_the_svg_icon(client, settings):
    """/favicon.ico answers a redirect to the site's SVG icon, which is served; every
    page names the icon too."""
    # WhiteNoise serves from the source folders, as under runserver (the test runner turns
    # DEBUG off, and with it this default, before the client's first request).
    settings.WHITENOISE_USE_FINDERS = settings.WHITENOISE_AUTOREFRESH = True
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert "max-age=86400" in response["Cache-Control"]
    icon = client.get(response["Location"])
    assert icon.status_code == 200 and icon["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(icon.streaming_content)
    html = client.get(reverse("releases:home")).content.decode()
    assert f'<link rel="icon" href="{response["Location"]}" type="image/svg+xml">' in html


# The release page ------------------------------------------------------------------------


def test_release_page_says_when_it_was_published_and_last_updated(client):
    """ "Published 1 June 2021", and "Last updated 3 June 2021" once updated in public on
    another day."""
    release = make_release(published_at=datetime.datetime(2021, 6, 1, 9, tzinfo=datetime.UTC))
    words = text(client.get(release.get_absolute_url()).content.decode())
    assert "Published 1 June 2021" in words and "Last updated" not in words
    updated = datetime.datetime(2021, 6, 3, 9, tzinfo=datetime.UTC)
    Release.objects.filter(pk=release.pk).update(last_updated_at=updated)
    words = text(client.get(release.get_absolute_url()).content.decode())
    assert "Published 1 June 2021 · Last updated 3 June 2021" in words


def test_release_of_an_earlier_government_says_whose_it_was(client):
    """A release from 2017 says it was published under the Fifth National Government,
    2008–2017, linking to that government's page."""
    assert import_releases([QC_2017]).errors == []
    html = client.get(Release.objects.get().get_absolute_url()).content.decode()
    notice = re.search(r'<div class="notice history" role="note">(.*?)</div>', html, re.S)
    assert text(notice.group(1)) == "Published under the Fifth National Government, 2008–2017"
    assert f'<a href="{reverse("releases:government", args=["fifth-national"])}">' in notice.group(
        1
    )


def test_release_of_the_current_government_has_no_history_notice(client):
    """A release of the government in office carries no notice, only its government's name."""
    release = make_release(date=datetime.date(2024, 3, 1))
    words = text(client.get(release.get_absolute_url()).content.decode())
    assert "Published under" not in words
    assert "Government Sixth National Government" in words


def test_undated_release_has_no_government(client):
    """A release with no date belongs to no government: no notice, no government named."""
    words = text(client.get(make_release(date=None).get_absolute_url()).content.decode())
    assert "Published under" not in words and "Government Sixth" not in words


def test_history_notice_follows_the_day_a_government_changed(client):
    """The day a government was sworn in is its first: a release on 27 November 2023 is
    the current government's, one the day before is the Sixth Labour Government's."""
    first_day = make_release(date=datetime.date(2023, 11, 27))
    day_before = make_release(date=datetime.date(2023, 11, 26))
    assert "Published under" not in client.get(first_day.get_absolute_url()).content.decode()
    words = text(client.get(day_before.get_absolute_url()).content.decode())
    assert "Published under the Sixth Labour Government, 2017–2023" in words


def test_release_page_links_its_source_by_site_name(client, june_2021):
    """The source is a link saying "Originally published on beehive.govt.nz", not the
    raw address."""
    html = client.get(reverse("releases:detail", args=[SEED_SLUG])).content.decode()
    source = Release.objects.get(slug=SEED_SLUG).source_url
    assert f'<a href="{source}">Originally published on beehive.govt.nz</a>' in html
    assert f">{source}<" not in html


def test_imported_attachments_show_their_name_and_type(client, write):
    """An imported attachment is listed by its file name, with its type from the
    extension: a Word file, a PDF, and an unknown type by its extension."""
    files = "https://www.beehive.govt.nz/sites/default/files/2018-05/"
    text_with = release_text().replace(
        "---\n\n",
        f"attachments:\n  - {files}RSDF%20Recipients%202017-18.docx\n"
        f"  - {files}Budget.PDF\n  - {files}slides.pptx\n  - https://example.com/\n---\n\n",
    )
    assert import_releases([write("a.md", text_with)]).errors == []
    html = client.get(Release.objects.get().get_absolute_url()).content.decode()
    assert (
        f'<li><a href="{files}RSDF%20Recipients%202017-18.docx">RSDF Recipients 2017-18</a> (Word)</li>'
        in html
    )
    assert f'<li><a href="{files}Budget.PDF">Budget</a> (PDF)</li>' in html
    assert f'<li><a href="{files}slides.pptx">slides</a> (PPTX)</li>' in html
    assert '<li><a href="https://example.com/">https://example.com/</a></li>' in html


def test_uploaded_attachment_shows_its_type_and_size(client, settings, tmp_path):
    """An uploaded file is listed by its title with its type and size."""
    settings.MEDIA_ROOT = str(tmp_path)
    release = make_release()
    attachment = Attachment.objects.create(
        release=release, title="Annual report", file=ContentFile(b"%PDF-1.4\n" * 228, "report.pdf"),
        content_type="application/pdf", size=2052,
    )  # fmt: skip
    html = client.get(release.get_absolute_url()).content.decode()
    assert f'<a href="{attachment.get_absolute_url()}">Annual report</a> (PDF, 2.0\xa0KB)' in html


def test_release_page_puts_its_details_beside_the_text(client, june_2021):
    """Ministers, portfolios, government and source sit in one block before the body, which
    the stylesheet sets beside it on a wide screen."""
    html = client.get(reverse("releases:detail", args=[SEED_SLUG])).content.decode()
    about = html.index('<div class="release-about">')
    assert about < html.index('<div class="body">')
    words = text(html[about : html.index('<div class="body">')])
    assert words.startswith("Minister Damien O&#x27;Connor Portfolio Trade and Export Growth")
    assert "Government Sixth Labour Government Source Originally published on" in words


def test_a_withdrawn_release_of_an_earlier_government_shows_both_notices(client):
    """Withdrawal and history notices are both shown."""
    release = make_release(date=datetime.date(2019, 5, 1), status=Release.Status.WITHDRAWN,
                           withdrawn_at=timezone.now(), withdrawal_reason="Sent in error.")  # fmt: skip
    html = client.get(release.get_absolute_url()).content.decode()
    assert 'class="notice withdrawn"' in html and 'class="notice history"' in html


def test_real_releases_name_the_government_in_office_on_their_date(client):
    """A real release of 1997 was published under the Fourth National Government, one of
    2021 under the Sixth Labour Government."""
    assert import_releases([QC_1997, SEED]).errors == []
    expected = {
        1997: "Fourth National Government, 1990–1999",
        2021: "Sixth Labour Government, 2017–2023",
    }
    for release in Release.objects.all():
        words = text(client.get(release.get_absolute_url()).content.decode())
        assert f"Published under the {expected[release.date.year]}" in words
