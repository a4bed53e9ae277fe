"""The release form's attachments: files staff upload, one row each, and the addresses an
import brought, listed read-only. The rules live in editorial/uploads.py."""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..editorial import uploads
from ..models import Attachment, Release
from ..templatetags.releases_extras import web_url


class AttachmentFormSet(BaseInlineFormSet):
    """The attachment rows. A POST without them at all (a form saved before the release
    form had them, or a script that changes only the release's own fields) leaves the
    attachments as they are, rather than failing the whole save as tampered with."""

    def __init__(self, data=None, files=None, *args, prefix=None, **kwargs):
        prefix = prefix or self.get_default_prefix()
        if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
            data = data.copy()
            data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
        super().__init__(data, files, *args, prefix=prefix, **kwargs)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    formset = AttachmentFormSet
    extra = 1
    fields = ["title", "file", "position", "type_and_size", "markdown"]
    readonly_fields = ["type_and_size", "markdown"]
    verbose_name = "uploaded attachment"
    verbose_name_plural = "Uploaded attachments and images"

    # An attachment is part of its release: whoever may change the release may change its
    # attachments (so an adviser cannot add one to a live release), with no permissions
    # of its own to give out.

    def _release_admin(self):
        return self.admin_site.get_model_admin(Release)

    def has_view_permission(self, request, obj=None):
        return self._release_admin().has_view_permission(request, obj)

    def has_add_permission(self, request, obj):
        if obj is None:
            return self._release_admin().has_add_permission(request)
        return self._release_admin().has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    @admin.display(description="Type and size")
    def type_and_size(self, attachment):
        if not attachment.pk:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', attachment.get_absolute_url(), uploads.description(attachment)
        )

    @admin.display(description="Markdown to show it in the body")
    def markdown(self, attachment):
        snippet = attachment.pk and uploads.markdown_image(attachment)
        return format_html("<code>{}</code>", snippet) if snippet else "-"


def imported_attachments(release):
    """The addresses an import brought with `release`, each a link where it is a web
    address, as the public page lists them; '-' for none."""
    if not release.attachments:
        return "-"
    items = (
        format_html('<li><a href="{}">{}</a></li>', href, url)
        if (href := web_url(url))
        else format_html("<li>{}</li>", url)
        for url in release.attachments
    )
    # Each item was escaped by format_html.
    return format_html("<ul>{}</ul>", mark_safe("".join(items)))
