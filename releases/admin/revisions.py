"""The release admin's revisions and public updates: a mixin for ReleaseAdmin, thin over
editorial/revisions.py, diffs.py and corrections.py, where the rules live.

- Every add and change through the admin keeps a revision, with the user and the admin's
  own change message as its comment.
- The history page lists the revisions (who, when, comment); any two are compared as a
  diff; a publisher restores one (a POST, refused on the server for anyone else).
- A publisher changing a live release chooses a minor change or a public update with a
  note.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.views.decorators.http import require_POST

from ..editorial import concurrency, corrections, diffs, revisions
from ..editorial.times import nz_time

PUBLIC_UPDATE_FIELDS = ["change_kind", "update_note"]
NOT_CHANGES = [*PUBLIC_UPDATE_FIELDS, "edited_version"]


class CorrectionForm(forms.ModelForm):
    """The release form, with the question a live release's change asks. Only shown (in
    its own fieldset) to a publisher changing a live release; elsewhere it is ignored."""

    change_kind = forms.ChoiceField(
        label="This change is a",
        choices=corrections.CHOICES,
        initial=corrections.MINOR,
        required=False,
        widget=forms.RadioSelect,
    )
    update_note = forms.CharField(
        label="Update note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="For a public update: what changed, as readers will see it, such as "
        "“Corrected the date of the hui to 4 June.”",
    )

    # The release as it was when this form was opened (editorial/concurrency.py).
    edited_version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edited_version"].initial = concurrency.token(self.instance)

    @property
    def changed_data(self):
        # The answer is about the change, not part of it: the change message leaves it out.
        return [name for name in super().changed_data if name not in NOT_CHANGES]

    def clean(self):
        cleaned = super().clean()
        try:
            concurrency.check(self.instance, cleaned.get("edited_version"))
        except ValidationError as stale:
            # Shown again with the token brought up to date: saving again is deliberate.
            self.data = self.data.copy()
            self.data[self.add_prefix("edited_version")] = stale.params["token"]
            self.add_error(None, stale)
        if (
            cleaned.get("change_kind") == corrections.UPDATE
            and not cleaned.get("update_note", "").strip()
        ):
            self.add_error("update_note", "Say what changed: the note is shown to the public.")
        return cleaned


class RevisionsAdminMixin:
    """For ReleaseAdmin, before admin.ModelAdmin: revisions of every save, the history,
    compare and restore pages, and the public-update question. Expects the admin's
    has_publish_permission() (states.can_publish)."""

    form = CorrectionForm

    # Revisions of admin saves: the comment is the admin's change message (log_change).

    def add_view(self, request, form_url="", extra_context=None):
        with revisions.recorded(request.user, "Added."):
            return super().add_view(request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST" and object_id.isdigit():
            revisions.keep_imported_states([object_id])
        with revisions.recorded(request.user, "Changed."):
            return super().change_view(request, object_id, form_url, extra_context)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        revisions.comment(entry.get_change_message() or "Added.")
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        comment = entry.get_change_message() or "Saved with no changes."
        note = getattr(obj, "public_update", None)  # set by save_model
        if note is not None:
            comment = f"{comment} Public update: “{note.note}”"
        revisions.comment(comment)
        return entry

    # Public updates of live releases.

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and self.has_change_permission(request, obj):
            # The token of editorial/concurrency.py, hidden, with the first fields.
            (name, options), *rest = fieldsets
            fields = [*options["fields"], "edited_version"]
            fieldsets = [(name, options | {"fields": fields}), *rest]
        if not self._asks_about_updates(request, obj):
            return fieldsets
        question = (
            "Public update",
            {
                "description": "This release is live. A minor change shows nothing; a public "
                "update lists its note, dated, on the release's page and in its feeds, and "
                "becomes its “Last updated” date.",
                "fields": ["earlier_updates", *PUBLIC_UPDATE_FIELDS],
            },
        )
        return [*fieldsets, question]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "earlier_updates"]

    @admin.display(description="Earlier public updates")
    def earlier_updates(self, obj):
        notes = obj.update_notes.all() if obj else []
        return "; ".join(f"{nz_time(n.created_at)}: {n.note}" for n in notes) or "None"

    def _asks_about_updates(self, request, obj):
        return obj is not None and self.has_publish_permission(request) and corrections.is_live(obj)

    def save_model(self, request, obj, form, change):
        announce = (
            change
            and form.cleaned_data.get("change_kind") == corrections.UPDATE
            and self._asks_about_updates(request, obj)  # read before this save: was it live?
        )
        super().save_model(request, obj, form, change)
        if announce:
            note = corrections.announce_update(obj, form.cleaned_data["update_note"], request.user)
            obj.public_update = note  # for the revision's comment (log_change)

    # History, comparison and restore.

    def get_urls(self):
        view = self.admin_site.admin_view
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/history/compare/",
                view(self.compare_view),
                name=f"{name}_compare",
            ),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                view(require_POST(self.restore_view)),
                name=f"{name}_restore",
            ),
            *super().get_urls(),
        ]

    def _viewable(self, request, object_id):
        release = self.get_object(request, unquote(object_id))
        if release is None:
            raise Http404("No such release.")
        if not self.has_view_or_change_permission(request, release):
            raise PermissionDenied
        return release

    def history_view(self, request, object_id, extra_context=None):
        """Every revision of the release, newest first: when, who, the comment, a choice of
        two to compare and, for publishers, a restore button.
        Template: admin/releases/release/revision_history.html."""
        release = self._viewable(request, object_id)
        # The stored versions, whole bodies and all, are not read to list them.
        versions = list(revisions.history(release).defer("serialized_data"))
        rows = [
            {"version": version, "when": nz_time(version.revision.date_created), "older": older}
            for version, older in zip(versions, [*versions[1:], None], strict=True)
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {release}",
            "object": release,
            "opts": self.opts,
            "rows": rows,
            "can_restore": self.has_publish_permission(request),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/releases/release/revision_history.html", context)

    def compare_view(self, request, object_id):
        """Two revisions of the release (?old=&new=, version ids), compared.
        Template: admin/releases/release/revision_compare.html."""
        release = self._viewable(request, object_id)
        versions = revisions.history(release)
        try:
            old = versions.get(pk=int(request.GET.get("old", "")))
            new = versions.get(pk=int(request.GET.get("new", "")))
        except (ValueError, versions.model.DoesNotExist):
            raise Http404("Choose two revisions of this release.") from None
        context = {
            **self.admin_site.each_context(request),
            "title": f"Changes to {release}",
            "object": release,
            "opts": self.opts,
            "old": old,
            "new": new,
            "old_when": nz_time(old.revision.date_created),
            "new_when": nz_time(new.revision.date_created),
            "comparison": diffs.compare(old, new),
            "can_restore": self.has_publish_permission(request),
        }
        return TemplateResponse(request, "admin/releases/release/revision_compare.html", context)

    def restore_view(self, request, object_id, version_id):
        """Restore a revision's content (publishers only); its state stays as it is now."""
        release = self._viewable(request, object_id)
        if not self.has_publish_permission(request):
            raise PermissionDenied
        version = get_object_or_404(revisions.history(release), pk=version_id)
        revisions.restore(release, version, request.user)
        restored = f"Restored the version of {nz_time(version.revision.date_created)}."
        self.log_change(request, release, restored)
        status = release.get_status_display().lower()
        self.message_user(request, f"{restored} Its status is unchanged: {status}.")
        return redirect(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change",
            release.pk,
        )
