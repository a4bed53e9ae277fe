"""The release admin's previews and share links: a few thin views that check who is asking
and call editorial/preview.py and editorial/sharing.py, where the rules live.

- <id>/preview/ (GET): the saved release as its page will be, for anyone who may view it;
  a "Preview" link on the change form and in the change list.
- preview/ and <id>/preview/ (POST): the change form's unsaved content, saving nothing;
  the form's "Preview unsaved changes" button posts there (formaction, so no JavaScript).
- <id>/share/ and <id>/share/<link>/revoke/ (POST): publishers make and revoke share links,
  listed under the change form.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from ..editorial import preview, sharing, states
from ..editorial.times import nz_time
from ..models import ShareLink

MAX_HOURS = int(sharing.MAX_LIFETIME / timedelta(hours=1))


class ShareLinkForm(forms.Form):
    hours = forms.IntegerField(
        label="Open for (hours)",
        min_value=1,
        max_value=MAX_HOURS,
        initial=int(sharing.DEFAULT_LIFETIME / timedelta(hours=1)),
        help_text=f"48 hours unless you change it; at most 14 days ({MAX_HOURS} hours).",
    )


class PreviewAndShareMixin:
    """For ReleaseAdmin: previews for staff who may view a release, share links for
    publishers. Permissions are checked here on the server for every request, and again in
    editorial/sharing.py."""

    def get_urls(self):
        routes = [
            ("preview/", self.preview_view, "preview_unsaved"),
            ("<path:object_id>/preview/", self.preview_view, "preview"),
            ("<path:object_id>/share/", require_POST(self.share_view), "share"),
            (
                "<path:object_id>/share/<int:link_id>/revoke/",
                require_POST(self.revoke_share_view),
                "share_revoke",
            ),
        ]
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        custom = [
            path(route, self.admin_site.admin_view(view), name=f"{prefix}_{suffix}")
            for route, view, suffix in routes
        ]
        # Before the ModelAdmin's own: its "<path:object_id>/" would take "preview/".
        return custom + super().get_urls()

    def _url(self, suffix, *args):
        name = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{suffix}"
        return reverse(name, args=args)

    def _release_or_404(self, request, object_id):
        release = self.get_object(request, object_id)
        if release is None:
            raise Http404("No release with that id.")
        return release

    def preview_view(self, request, object_id=None):
        """GET: the saved release. POST: the change form's fields as posted, unsaved."""
        release = self._release_or_404(request, object_id) if object_id else None
        if not self.has_view_permission(request, release):
            raise PermissionDenied
        if request.method != "POST":
            if release is None:
                return redirect(self._url("changelist"))
            return preview.saved(request, release)
        form_class = self.get_form(request, release, change=release is not None)
        form = form_class(request.POST, request.FILES, instance=release)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": "Nothing to preview yet",
                "opts": self.opts,
                "form": form,
            }
            return TemplateResponse(
                request, "admin/releases/release/preview_errors.html", context, status=400
            )
        return preview.unsaved(request, form)

    def share_view(self, request, object_id):
        """Make a share link and show its address, once, in a message."""
        release = self._release_or_404(request, object_id)
        if not states.can_publish(request.user):
            raise PermissionDenied
        form = ShareLinkForm(request.POST)
        if not form.is_valid():
            for error in form.errors["hours"]:
                self.message_user(request, f"No share link made: {error}", messages.ERROR)
        else:
            try:
                link, address = sharing.create(
                    release, request.user, timedelta(hours=form.cleaned_data["hours"])
                )
            except ValidationError as error:
                self.message_user(
                    request, f"No share link made: {error.messages[0]}", messages.ERROR
                )
            else:
                self.message_user(
                    request,
                    f"Share link made, open until {nz_time(link.expires_at)}. Copy it now: "
                    f"it is shown only this once. {request.build_absolute_uri(address)}",
                    messages.SUCCESS,
                )
        return redirect(self._url("change", release.pk) + "#share-links")

    def revoke_share_view(self, request, object_id, link_id):
        """Close a share link at once (sharing.revoke refuses anyone but a publisher)."""
        release = self._release_or_404(request, object_id)
        link = get_object_or_404(ShareLink, pk=link_id, release=release)
        sharing.revoke(link, request.user)
        self.message_user(request, "Share link revoked: it now answers “Page not found”.")
        return redirect(self._url("change", release.pk) + "#share-links")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            links = obj.share_links.select_related("created_by", "revoked_by")
            context["share_links"] = [
                {
                    "link": link,
                    "made": nz_time(link.created_at),
                    "until": nz_time(link.expires_at),
                    "state": sharing.describe(link),
                }
                for link in links
            ]
            context["can_share"] = states.can_publish(request.user)
            context["share_form"] = ShareLinkForm()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_list_display(self, request):
        return [*super().get_list_display(request), "preview_link"]

    @admin.display(description="Preview")
    def preview_link(self, obj):
        return format_html('<a href="{}">Preview</a>', self._url("preview", obj.pk))
