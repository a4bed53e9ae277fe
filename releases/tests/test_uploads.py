"""Attachments and images staff upload in the release form: which files are accepted, how
the public page lists them, and how they are served so that none can run script here."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from releases.attachments import FILE_POLICY
from releases.editorial import uploads
from releases.models import Attachment, Release
from releases.rendering import render_markdown

from .files import DOCX, GIF, HTML, JPEG, OLE2, SVG, WEBP, XLSX, office, opendocument, pdf, png
from .test_admin import ADD, change_data, change_url, form_data, make_release

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads go to a fresh folder for each test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


ACCEPTED = [
    ("report.pdf", pdf(), "PDF", "application/pdf"),
    ("speech.docx", DOCX, "Word", uploads.DOCX.content_type),
    ("figures.xlsx", XLSX, "Excel", uploads.XLSX.content_type),
    ("speech.doc", OLE2, "Word", "application/msword"),
    ("figures.xls", OLE2, "Excel", "application/vnd.ms-excel"),
    ("notes.odt", opendocument("text"), "OpenDocument text", uploads.ODT.content_type),
    ("sheet.ods", opendocument("spreadsheet"), "OpenDocument spreadsheet", uploads.ODS.content_type),
    ("slides.odp", opendocument("presentation"), "OpenDocument presentation", uploads.ODP.content_type),
    ("data.csv", "region,amount\nAuckland,12\nŌtautahi,3\n".encode(), "CSV", "text/csv"),
    ("notes.txt", b"Minister's notes\r\n\tIndented\n", "Text", "text/plain"),
    ("chart.png", png(), "PNG image", "image/png"),
    ("photo.JPG", JPEG, "JPEG image", "image/jpeg"),
    ("photo.jpeg", JPEG, "JPEG image", "image/jpeg"),
    ("logo.gif", GIF, "GIF image", "image/gif"),
    ("logo.webp", WEBP, "WebP image", "image/webp"),
]  # fmt: skip


def upload_data(*files, **changes):
    """What the add form posts with these (title, name, content) rows of attachments."""
    data = form_data(**changes) | {
        "uploads-TOTAL_FORMS": str(len(files)),
        "uploads-INITIAL_FORMS": "0",
    }
    for n, (title, name, content) in enumerate(files):
        data[f"uploads-{n}-title"] = title
        data[f"uploads-{n}-file"] = SimpleUploadedFile(name, content)
        data[f"uploads-{n}-position"] = str(n)
    return data


def file_errors(response):
    """The error messages of each attachment row on a refused form."""
    formset = response.context["inline_admin_formsets"][0].formset
    return [error for row in formset.errors for error in row.get("file", [])]


def publish_with(client, *files, **changes):
    """A publisher adds a live release with these attachments; returns the release."""
    response = client.post(ADD, upload_data(*files, status=Release.Status.PUBLISHED, **changes))
    assert response.status_code == 302, response.context and file_errors(response)
    return Release.objects.get(slug=changes.get("slug", "bridge-opens"))


# What is accepted --------------------------------------------------------------------------


@pytest.mark.parametrize("name, content, label, content_type", ACCEPTED)
def test_each_accepted_type_is_recognised_from_its_content(name, content, label, content_type):
    """Each accepted document and image is recognised and named as the public page will."""
    kind = uploads.inspect(SimpleUploadedFile(name, content))
    assert (kind.label, kind.content_type) == (label, content_type)


def test_uploaded_pdf_is_listed_on_the_release_page_with_type_and_size(publisher, client):
    """A publisher uploads a 1.2 MB PDF as “Annual report”: the public page lists it as
    “Annual report (PDF, 1.2 MB)”, linking to the file."""
    content = pdf(padding=1_258_000)
    release = publish_with(publisher, ("Annual report", "annual-report.pdf", content))
    attachment = release.uploads.get()
    assert (attachment.content_type, attachment.size) == ("application/pdf", len(content))
    client.logout()
    html = client.get(release.get_absolute_url()).content.decode()
    url = reverse("releases:attachment", args=[attachment.pk, "annual-report.pdf"])
    assert f'<li><a href="{url}">Annual report</a> (PDF, 1.2\xa0MB)</li>' in html


def test_docx_and_csv_upload_in_position_order(publisher, client):
    """Several files upload at once and are listed by their position, each with its type."""
    release = publish_with(
        publisher,
        ("Speech", "speech.docx", DOCX),
        ("Figures", "figures.csv", b"a,b\n1,2\n"),
    )
    client.logout()
    html = client.get(release.get_absolute_url()).content.decode()
    assert html.index("Speech</a> (Word, ") < html.index("Figures</a> (CSV, 8\xa0bytes)")


# What is refused, with a form error --------------------------------------------------------

REFUSED = [
    ("report.pdf", HTML, "“report.pdf” is named as PDF but its content is HTML or XML, which "
     "a browser would run as a page of this site. Upload the file itself, with its own "
     "extension."),
    ("logo.svg", SVG, "“logo.svg” is not a type this site accepts. " + uploads.ACCEPTED
     + " SVG images can carry scripts: save it as a PNG."),
    ("logo.png", SVG, "“logo.png” is named as PNG image but its content is an SVG image, which "
     "can carry scripts. Upload the file itself, with its own extension."),
    ("page.html", HTML, "“page.html” is not a type this site accepts. " + uploads.ACCEPTED),
    ("notes.txt", HTML, "“notes.txt” is named as Text but its content is HTML or XML, which a "
     "browser would run as a page of this site. Upload the file itself, with its own "
     "extension."),
    ("chart.pdf", png(), "“chart.pdf” is named as PDF but its content is PNG image. Upload the "
     "file itself, with its own extension."),
    ("figures.xlsx", DOCX, "“figures.xlsx” is named as Excel but its content is Word. Upload "
     "the file itself, with its own extension."),
    ("macros.docx", office("word/document.xml", ["word/vbaProject.bin"]), "“macros.docx” is "
     "named as Word but its content is none of the types this site accepts. Upload the file "
     "itself, with its own extension."),
    ("data.csv", "a,b\n".encode("utf-16"), "“data.csv” is named as CSV but its content is "
     "none of the types this site accepts. Upload the file itself, with its own extension."),
    ("speech.doc", b"%PDF-1.4 a PDF named .doc", "“speech.doc” is named as Word but its "
     "content is PDF. Upload the file itself, with its own extension."),
]  # fmt: skip


@pytest.mark.parametrize("name, content, message", REFUSED)
def test_files_whose_content_is_not_what_they_claim_are_refused(publisher, name, content, message):
    """HTML renamed .pdf, an SVG with a script, a PNG named .pdf and the like are refused
    with a message saying what the file really is; nothing is saved."""
    response = publisher.post(ADD, upload_data(("Bad file", name, content)))
    assert response.status_code == 200
    assert file_errors(response) == [message]
    assert message.split(" ")[0] in response.content.decode()
    assert not Release.objects.exists() and not Attachment.objects.exists()


def test_files_over_the_size_limit_are_refused(publisher, settings):
    """With the limit lowered to 1 KB, a 2 KB PDF is refused, saying both sizes."""
    settings.ATTACHMENT_MAX_SIZE = 1024
    response = publisher.post(ADD, upload_data(("Big", "big.pdf", pdf(padding=2048))))
    size = len(pdf(padding=2048))
    assert file_errors(response) == [
        f"“big.pdf” is {size / 1024:.1f}\xa0KB: files can be at most 1.0\xa0KB."
    ]
    assert not Attachment.objects.exists()


def test_size_limit_is_50_mb_unless_configured(settings):
    """The default limit is 50 MB (ATTACHMENT_MAX_MB changes it)."""
    assert settings.ATTACHMENT_MAX_SIZE == 50 * 1024 * 1024


# Served so that nothing runs ---------------------------------------------------------------


def served(client, attachment):
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def test_documents_are_served_as_downloads_with_safe_headers(publisher, client):
    """A PDF and a text file download (Content-Disposition: attachment) with their checked
    type, nosniff and a sandboxing policy, byte for byte as uploaded."""
    text = b"Notes <script>alert(1)</script>\n"
    release = publish_with(publisher, ("Report", "report.pdf", pdf()), ("Notes", "notes.txt", text))
    client.logout()
    report, notes = release.uploads.all()
    for attachment, content_type, content in [
        (report, "application/pdf", pdf()),
        (notes, "text/plain", text),
    ]:
        response, body = served(client, attachment)
        assert body == content
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == f'attachment; filename="{attachment.filename}"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == FILE_POLICY == "default-src 'none'; sandbox"
        assert "Cache-Control" not in response


def test_images_are_served_inline_as_images(publisher, client):
    """An uploaded PNG is served as image/png, inline (for the body), with the same policy."""
    release = publish_with(publisher, ("Chart", "chart.png", png()))
    client.logout()
    response, body = served(client, release.uploads.get())
    assert body == png()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="chart.png"'
    assert response["Content-Security-Policy"] == FILE_POLICY


def test_a_drafts_attachments_are_for_staff_only(editor, client):
    """A draft's file answers 404 to the public and is served, uncached, to staff."""
    assert editor.post(ADD, upload_data(("Report", "report.pdf", pdf()))).status_code == 302
    attachment = Attachment.objects.get()
    response, _ = served(editor, attachment)
    assert response["Cache-Control"] == "private, no-store"
    client.logout()
    assert client.get(attachment.get_absolute_url()).status_code == 404


def test_a_withdrawn_releases_attachments_still_download(publisher, client):
    """A withdrawn release stays at its address, and so do its files."""
    release = publish_with(publisher, ("Report", "report.pdf", pdf()))
    Release.objects.filter(pk=release.pk).update(status=Release.Status.WITHDRAWN)
    client.logout()
    served(client, release.uploads.get())


def test_wrong_names_and_missing_files_answer_404(publisher, client, media):
    """Only the file's own name finds it; a file gone from storage is a 404, not a 500."""
    attachment = publish_with(publisher, ("Report", "report.pdf", pdf())).uploads.get()
    client.logout()
    assert client.get(f"/attachments/{attachment.pk}/other.pdf").status_code == 404
    assert client.get(f"/attachments/{attachment.pk + 1}/report.pdf").status_code == 404
    (media / attachment.file.name).unlink()
    assert client.get(attachment.get_absolute_url()).status_code == 404


# Images in the body ------------------------------------------------------------------------


def test_uploaded_image_markdown_is_shown_and_renders_on_the_public_page(publisher, client):
    """The release form shows an uploaded image's Markdown; pasted into the body, it shows
    the image on the public page, from this site."""
    release = publish_with(publisher, ("Chart [2026]", "chart.png", png()))
    attachment = release.uploads.get()
    snippet = f"![Chart \\[2026\\]]({attachment.get_absolute_url()})"
    form = publisher.get(change_url(release)).content.decode()
    assert f"<code>{snippet}</code>" in form
    data = form_data(body=f"The chart:\n\n{snippet}", status=Release.Status.PUBLISHED) | {
        "uploads-TOTAL_FORMS": "1",
        "uploads-INITIAL_FORMS": "1",
        "uploads-0-id": str(attachment.pk),
        "uploads-0-release": str(release.pk),
        "uploads-0-title": attachment.title,
        "uploads-0-position": "0",
    }
    assert publisher.post(change_url(release), data).status_code == 302
    client.logout()
    html = client.get(release.get_absolute_url()).content.decode()
    assert f'<img src="{attachment.get_absolute_url()}" alt="Chart [2026]">' in html


def test_uploaded_images_stay_on_this_site_in_imported_bodies():
    """In a release imported from the old site, its own /sites/ images point there, but an
    image uploaded here keeps its address on this site."""
    html = render_markdown(
        "![Old](/sites/default/files/old.jpg) ![New](/attachments/7/new.png)",
        "https://www.beehive.govt.nz/release/x",
    )
    assert '<img src="https://www.beehive.govt.nz/sites/default/files/old.jpg"' in html
    assert '<img src="/attachments/7/new.png" alt="New">' in html
    assert reverse("releases:attachment", args=[7, "new.png"]) == "/attachments/7/new.png"


def test_the_content_security_policy_allows_images_from_this_site(client):
    """Pages allow images from their own origin, where uploads are served."""
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "img-src 'self' https://www.beehive.govt.nz" in policy


# The release form --------------------------------------------------------------------------


def test_imported_attachments_are_listed_read_only(editor, client):
    """The addresses an import brought are links in the form, not a JSON box, and are
    listed on the public page after the uploads; a forged value does not change them."""
    urls = ["https://www.beehive.govt.nz/sites/default/files/a.pdf", "javascript:alert(1)"]
    release = make_release(status=Release.Status.DRAFT, attachments=urls)
    form = editor.get(change_url(release)).content.decode()
    assert f'<li><a href="{urls[0]}">{urls[0]}</a></li><li>javascript:alert(1)</li>' in form
    assert 'name="attachments"' not in form
    forged = form_data(title=release.title, slug=release.slug, attachments='["https://x.nz"]')
    assert editor.post(change_url(release), forged).status_code == 302
    release.refresh_from_db()
    assert release.attachments == urls


def test_editor_uploads_to_a_draft_but_not_to_a_live_release(editor, client):
    """An adviser attaches files to a draft; on a live release the rows are read-only and
    a forged upload is refused."""
    assert editor.post(ADD, upload_data(("Notes", "notes.txt", b"hello"))).status_code == 302
    assert Attachment.objects.count() == 1
    live = make_release()
    form = editor.get(change_url(live)).content.decode()
    assert 'type="file"' not in form
    forged = upload_data(("Notes", "notes.txt", b"hello"), title=live.title, slug=live.slug)
    assert editor.post(change_url(live), forged).status_code == 403
    assert Attachment.objects.count() == 1


def test_release_page_costs_the_same_queries_with_one_or_five_attachments(
    publisher, client, django_assert_num_queries
):
    """The attachments are one query, however many there are."""
    one = publish_with(publisher, ("Report", "report.pdf", pdf()))
    five = [(f"Part {n}", f"part-{n}.pdf", pdf()) for n in range(5)]
    other = publish_with(publisher, *five, slug="bridge-five", title="Five parts")
    client.logout()
    for release, count in [(one, 1), (other, 5)]:
        # The content version (caching.py), the release, its ministers, portfolios (none:
        # so no neighbours), attachments and related releases (of any portfolio).
        with django_assert_num_queries(6):
            html = client.get(release.get_absolute_url()).content.decode()
        assert html.count("(PDF, ") == count


def test_a_file_saved_without_the_forms_check_is_served_as_a_download(client):
    """An attachment made outside the admin, its content never checked, downloads as
    plain bytes; it is never shown as a page or an image."""
    release = make_release()
    attachment = Attachment.objects.create(
        release=release, title="Page", file=ContentFile(HTML, name="page.html"), size=len(HTML)
    )
    response, body = served(client, attachment)
    assert body == HTML
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'
    assert (
        f"Page</a> (File, {len(HTML)}\xa0bytes)"
        in client.get(release.get_absolute_url()).content.decode()
    )


def test_an_upload_over_the_limit_fills_no_disk_and_is_refused_with_its_full_size(
    publisher, settings
):
    """Past the limit, a large upload's bytes are dropped as they arrive, and the form
    still says how large the file was."""
    settings.ATTACHMENT_MAX_SIZE = 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes to a temporary file
    content = pdf(padding=200_000)
    response = publisher.post(ADD, upload_data(("Big", "big.pdf", content)))
    assert file_errors(response) == [
        f"“big.pdf” is {len(content) / 1024:.1f}\xa0KB: files can be at most 1.0\xa0KB."
    ]
    handler = uploads.CappedUploadHandler()
    handler.new_file("uploads-0-file", "big.pdf", "application/pdf", len(content))
    for start in range(0, len(content), 65536):
        handler.receive_data_chunk(content[start : start + 65536], start)
    upload = handler.file_complete(len(content))
    upload.seek(0)
    assert (upload.size, len(upload.read())) == (len(content), 1025)


# Files in storage --------------------------------------------------------------------------


def test_a_removed_or_replaced_attachment_leaves_no_file_behind(
    editor, media, django_capture_on_commit_callbacks
):
    """Removing an attachment in the form, uploading a new file over one, or deleting the
    release takes the old files out of storage: nothing unreachable is left there."""
    data = upload_data(("Report", "report.pdf", pdf()), ("Figures", "figures.csv", b"a,b\n"))
    assert editor.post(ADD, data).status_code == 302
    release = Release.objects.get()
    report, figures = release.uploads.all()
    old_files = [media / report.file.name, media / figures.file.name]
    assert all(path.exists() for path in old_files)

    form = editor.get(change_url(release)).context["adminform"].form
    rows = {"uploads-TOTAL_FORMS": "2", "uploads-INITIAL_FORMS": "2"}
    for n, attachment in enumerate([report, figures]):
        rows |= {
            f"uploads-{n}-id": str(attachment.pk),
            f"uploads-{n}-release": str(release.pk),
            f"uploads-{n}-title": attachment.title,
            f"uploads-{n}-position": str(n),
        }
    rows["uploads-0-DELETE"] = "on"
    rows["uploads-1-file"] = SimpleUploadedFile("figures.csv", b"a,b\n1,2\n")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            change_url(release),
            change_data(release, edited_version=form["edited_version"].value()) | rows,
        )
    assert response.status_code == 302, response.context and file_errors(response)
    new = release.uploads.get()
    assert not any(path.exists() for path in old_files)
    assert (media / new.file.name).read_bytes() == b"a,b\n1,2\n"

    with django_capture_on_commit_callbacks(execute=True):
        release.delete()
    assert not (media / new.file.name).exists()
