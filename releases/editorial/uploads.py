"""Files staff upload for a release: which ones are accepted, and who may download them.

A file is accepted by what its content is, not by its name: the name's extension says
what it claims to be, and the first bytes (or, for the zip-based Office and OpenDocument
formats, the zip's entries) must agree. Only this short list of documents and raster
images is accepted; HTML, SVG and anything else that a browser could run as part of this
site is refused, since a file served from the site's own origin could read and act on a
logged-in editor's session.
"""

import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.defaultfilters import filesizeformat

from ..models import Attachment, Release

# Enough for every signature below, and to see what a refused file really is.
HEAD_BYTES = 512
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of the old .doc and .xls
ODF = "application/vnd.oasis.opendocument."
OOXML = "application/vnd.openxmlformats-officedocument."
# Bytes no text file holds: controls other than tab, line feed, form feed and return.
NOT_TEXT = bytes([*range(0, 9), 11, *range(14, 32), 127])
MARKUP = re.compile(rb"\s*(<!doctype|<html|<svg|<\?xml|<script|<head|<body|<iframe)", re.I)
TEXT_CHUNK = 1 << 20


@dataclass(frozen=True)
class Kind:
    """One accepted type: `label` names it to the public ("Annual report (PDF, 1.2 MB)"),
    `content_type` is what it is served as."""

    label: str
    content_type: str

    @property
    def is_image(self):
        return self.content_type.startswith("image/")


PDF = Kind("PDF", "application/pdf")
DOC = Kind("Word", "application/msword")
DOCX = Kind("Word", OOXML + "wordprocessingml.document")
XLS = Kind("Excel", "application/vnd.ms-excel")
XLSX = Kind("Excel", OOXML + "spreadsheetml.sheet")
ODT = Kind("OpenDocument text", ODF + "text")
ODS = Kind("OpenDocument spreadsheet", ODF + "spreadsheet")
ODP = Kind("OpenDocument presentation", ODF + "presentation")
CSV = Kind("CSV", "text/csv")
TXT = Kind("Text", "text/plain")
PNG = Kind("PNG image", "image/png")
JPEG = Kind("JPEG image", "image/jpeg")
GIF = Kind("GIF image", "image/gif")
WEBP = Kind("WebP image", "image/webp")
# A row saved without going through the form's check (from a shell, say): a download.
UNCHECKED = Kind("File", "application/octet-stream")

# What each accepted extension claims.
EXTENSIONS = {
    "pdf": PDF, "doc": DOC, "docx": DOCX, "xls": XLS, "xlsx": XLSX, "odt": ODT, "ods": ODS,
    "odp": ODP, "csv": CSV, "txt": TXT, "png": PNG, "jpg": JPEG, "jpeg": JPEG, "gif": GIF,
    "webp": WEBP,
}  # fmt: skip
# The main part each Office Open XML document must have; a macro project is refused, as
# Word and Excel refuse to open a .docx or .xlsx that carries one.
OOXML_PARTS = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}
ACCEPTED = (
    "Upload a PDF, Word (.doc, .docx), Excel (.xls, .xlsx), OpenDocument (.odt, .ods, .odp), "
    "CSV or plain text (.txt) file, or a PNG, JPEG, GIF or WebP image."
)


def inspect(upload):
    """The Kind of an uploaded file, checked from its content; a ValidationError saying
    what is wrong (its type, its content or its size) for any file this site refuses."""
    name = PurePosixPath(upload.name).name
    extension = PurePosixPath(name.lower()).suffix.lstrip(".")
    limit = settings.ATTACHMENT_MAX_SIZE
    if upload.size > limit:
        raise ValidationError(
            f"“{name}” is {filesizeformat(upload.size)}: files can be at most "
            f"{filesizeformat(limit)}.",
            code="too_large",
        )
    claimed = EXTENSIONS.get(extension)
    if claimed is None:
        why = " SVG images can carry scripts: save it as a PNG." if extension == "svg" else ""
        raise ValidationError(f"“{name}” is not a type this site accepts. {ACCEPTED}{why}")
    if not has_content_of(upload, claimed):
        raise ValidationError(
            f"“{name}” is named as {claimed.label} but its content is {describe(upload)}. "
            f"Upload the file itself, with its own extension.",
            code="content_mismatch",
        )
    return claimed


class CappedUploadHandler(TemporaryFileUploadHandler):
    """Django's handler for large uploads, keeping at most one byte more than
    ATTACHMENT_MAX_SIZE of each file: the rest is read and dropped, so a 5 GB upload fills
    no disk, and the file still reports its full size, which inspect() then refuses."""

    def receive_data_chunk(self, raw_data, start):
        room = settings.ATTACHMENT_MAX_SIZE + 1 - start
        if room > 0:
            self.file.write(raw_data[:room])


def read_head(upload):
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head


def has_content_of(upload, kind):
    """Whether `upload`'s bytes are a `kind` file."""
    head = read_head(upload)
    if kind in (DOC, XLS):
        # Both are OLE2 compound files; which one is inside needs a parser for the
        # container's directory, and either is served as a download anyway.
        return head.startswith(OLE2)
    if kind in (CSV, TXT):
        return is_text(upload, head)
    if kind in OOXML_PARTS or kind.content_type.startswith(ODF):
        return zip_kind(upload) == kind
    return head_kind(head) == kind


def head_kind(head):
    """The PDF or image type its first bytes say, or None."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def zip_kind(upload):
    """The Office Open XML or OpenDocument kind of a zip file, or None."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                # OpenDocument: an entry that names the document's type (ISO/IEC 26300).
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(100).decode("ascii", "replace").strip()
                return next((k for k in (ODT, ODS, ODP) if k.content_type == mimetype), None)
            if "[Content_Types].xml" not in names or any(
                n.endswith("vbaProject.bin") for n in names
            ):
                return None
            return next((k for k, part in OOXML_PARTS.items() if part in names), None)
    except (zipfile.BadZipFile, OSError, EOFError):
        return None
    finally:
        upload.seek(0)


def is_text(upload, head):
    """Plain text: no control characters, and not markup (HTML or SVG renamed .txt is
    still HTML to anyone who opens it in a browser)."""
    if MARKUP.match(head.removeprefix(b"\xef\xbb\xbf")):
        return False
    upload.seek(0)
    try:
        while chunk := upload.read(TEXT_CHUNK):
            # translate() deletes the bytes not allowed: unchanged length means none.
            if len(chunk.translate(None, NOT_TEXT)) != len(chunk):
                return False
    finally:
        upload.seek(0)
    return True


def describe(upload):
    """What a refused file's content is, as far as a reader needs to know."""
    head = read_head(upload)
    if MARKUP.match(head.removeprefix(b"\xef\xbb\xbf")):
        if b"<svg" in head.lower():
            return "an SVG image, which can carry scripts"
        return "HTML or XML, which a browser would run as a page of this site"
    found = head_kind(head) or zip_kind(upload)
    if found:
        return found.label
    if head.startswith(OLE2):
        return "an old-style Word or Excel file"
    return "none of the types this site accepts"


def kind_of(attachment):
    """The Kind an accepted attachment was checked as (stored as its content type)."""
    kinds = (k for k in EXTENSIONS.values() if k.content_type == attachment.content_type)
    return next(kinds, UNCHECKED)


def description(attachment):
    """'PDF, 1.2 MB', as the public page shows it after the title."""
    return f"{kind_of(attachment).label}, {filesizeformat(attachment.size)}"


def markdown_image(attachment):
    """The Markdown that shows an uploaded image in a release's body, its title as the
    alternative text; '' for a document."""
    if not kind_of(attachment).is_image:
        return ""
    alt = re.sub(r"([\\\[\]])", r"\\\1", attachment.title)
    return f"![{alt}]({attachment.get_absolute_url()})"


def may_see_unpublished(user):
    """Staff who may view releases in the admin also download what drafts carry."""
    return user.is_staff and user.has_perm("releases.view_release")


def downloadable(user):
    """The attachments `user` may download, each annotated with `public`: those of
    releases the public may open at their address (viewable()), and for staff every one."""
    public = Exists(Release.objects.viewable().filter(pk=OuterRef("release_id")))
    attachments = Attachment.objects.annotate(public=public)
    return attachments if may_see_unpublished(user) else attachments.filter(public=True)


# An attachment's file goes when its row does (deleted, with its release, or replaced by a
# new upload): attachments are not kept in revisions, so nothing could lead to it again.
# Only once the deletion is committed, so a rolled-back save keeps its file.


def delete_file(sender, instance, **kwargs):
    """post_delete of an Attachment: remove its file from storage."""
    _delete_on_commit(instance.file.storage, instance.file.name)


def delete_replaced_file(sender, instance, **kwargs):
    """pre_save of an Attachment: remove the file a new upload replaces."""
    if instance.pk is not None:
        old = Attachment.objects.filter(pk=instance.pk).values_list("file", flat=True).first()
        if old != instance.file.name:
            _delete_on_commit(instance.file.storage, old)


def _delete_on_commit(storage, name):
    if name:
        transaction.on_commit(lambda: storage.delete(name))
