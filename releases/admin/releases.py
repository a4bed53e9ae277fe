"""The release admin: editing, the publication states, full-text search and the
publishers' actions. The rules it applies live in releases/editorial/."""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from ..editorial import duplicates, revisions, states
from ..editorial.times import goes_live, nz_time
from ..models import Release
from ..search import search
from .attachments import AttachmentInline, imported_attachments
from .filters import MinisterFilter, PortfolioFilter, PublicationFilter, YearFilter
from .revisions import RevisionsAdminMixin
from .sharing import PreviewAndShareMixin


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Shown on each release's page: “Withdrawn on 3 June 2026: <your reason>”.",
    )


# Shown to staff who may not publish, above the publishing fields they cannot change.
NOT_A_PUBLISHER = (
    "Only staff with the “Can publish releases” permission, such as the press secretary, "
    "can publish, schedule, unpublish or withdraw a release, and change or delete a release "
    "once it is published, scheduled or withdrawn. Save your release as a draft and ask one "
    "of them to publish it."
)


@admin.register(Release)
class ReleaseAdmin(RevisionsAdminMixin, PreviewAndShareMixin, admin.ModelAdmin):
    list_display = ["title", "date", "publication", "publish_time", "ministers_list"]
    list_filter = [PublicationFilter, YearFilter, "date", PortfolioFilter, MinisterFilter]
    # get_search_results() searches with the public site's search instead of these; the
    # admin shows its search box only when search_fields is set.
    search_fields = ["title", "slug", "source_url"]
    # Addresses typed without a scheme get https://, as Django 6 will do by default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_help_text = (
        "Searches titles, ministers, portfolios and text, as the public site does: all words "
        'must match; use "quotes" for a phrase, -word to leave a word out, OR between words '
        "for either. A release's slug or source URL, typed in full, finds that release."
    )
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["ministers", "portfolios"]
    readonly_fields = [
        "publication_times", "duplicate_of_link", "last_updated", "created", "modified",
        "import_key", "front_matter", "imported_attachments",
    ]  # fmt: skip
    inlines = [AttachmentInline]
    actions = ["publish_selected", "unpublish_selected", "withdraw_selected", "keep_apart_selected"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "date",
                    "ministers",
                    "portfolios",
                    "body",
                    "imported_attachments",
                ]  # fmt: skip
            },
        ),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "published_at",
                    "publication_times",
                    "duplicate_of_link",
                    "last_updated",
                ]
            },  # fmt: skip
        ),
        (
            "Source",
            {
                "classes": ["collapse"],
                "description": "What the import read. Changing the file and importing again "
                "replaces the fields above; edits made here stay until the file changes.",
                "fields": [
                    "source_url",
                    "import_key",
                    "front_matter",
                    "created",
                    "modified",
                ],  # fmt: skip
            },
        ),
    ]
    list_per_page = 50

    class Media:
        css = {"all": ["css/admin.css"]}  # wide title and body boxes

    show_full_result_count = False  # a COUNT over every release on each page view is slow

    def get_queryset(self, request):
        # `live`, by published()'s own rule, for the publication column.
        return super().get_queryset(request).prefetch_related("ministers").with_live()

    # Publishing is a permission of its own, checked on every request: a user who may change
    # releases but not publish them drafts, and someone who may publish makes them public.

    def has_publish_permission(self, request):
        # Also what admin actions with permissions=["publish"] ask.
        return states.can_publish(request.user)

    def is_locked_for(self, request, obj):
        """Whether `obj` is published (live or scheduled) or withdrawn and `request`'s user
        may not publish: changing or deleting it changes what the public sees, or will."""
        return (
            obj is not None
            and obj.status != Release.Status.DRAFT
            and not self.has_publish_permission(request)
        )

    def has_change_permission(self, request, obj=None):
        # False makes the change form read-only and refuses its POST with a 403.
        if self.is_locked_for(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Also checked for each release the "delete selected" action would delete.
        if self.is_locked_for(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        # A withdrawn release or a duplicate changes state only through the actions (publish
        # reinstates it, unpublish makes it a draft), which keep its notice, times and
        # link to the release it repeats consistent.
        if self.has_publish_permission(request) and not (
            obj and (obj.is_withdrawn or obj.is_duplicate)
        ):
            return readonly
        # Read-only fields are left out of the form, so a forged POST cannot set them: a
        # new release stays a draft, and Release.save() never stamps it with "now".
        return [*readonly, "status", "published_at"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_publish_permission(request):
            return fieldsets
        return [
            (
                name,
                (options | {"description": NOT_A_PUBLISHER}) if name == "Publishing" else options,
            )
            for name, options in fieldsets
        ]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            # Withdrawing needs a reason and stamps a time: the withdraw action does it.
            # Duplicates are found by the import (editorial/duplicates.py), never chosen.
            not_chosen = (Release.Status.WITHDRAWN, Release.Status.DUPLICATE)
            kwargs["choices"] = [
                choice for choice in db_field.choices if choice[0] not in not_chosen
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        status = form.base_fields.get("status")
        if obj is not None and obj.status == Release.Status.PUBLISHED and status:
            # Back to draft clears its public times and keeps a revision saying so: the
            # Unpublish action does it, never a change of this box.
            status.choices = [(Release.Status.PUBLISHED, Release.Status.PUBLISHED.label)]
            status.help_text = (
                "Live or scheduled. To take it off the public site, select it in the list "
                "and use “Unpublish” (published in error) or “Withdraw” (with a reason)."
            )
        return form

    def save_model(self, request, obj, form, change):
        if change and "published_at" in form.changed_data:
            states.note_leaving(obj)  # a live release moved to a later time leaves for now
        super().save_model(request, obj, form, change)

    def get_search_results(self, request, queryset, search_term):
        """Full-text search (releases.search), as on the public site, plus exact slug and
        source URL lookups, which full-text search would split into words.

        The matches come as a subquery of ids, so the queryset stays a plain filter of
        releases that list filters, counts, dates and the changelist's ordering all work on
        (search() orders by relevance, which the changelist's ordering replaces anyway).
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        releases = Release.objects.using(queryset.db)
        found = Q(pk__in=search(releases, term).values("pk"))
        # Looked up first, and added only if found: "id IN (...) OR slug = ..." would make
        # PostgreSQL read every row instead of using the search index (44 ms against 3).
        exact = list(
            releases.filter(Q(slug=term) | Q(source_url=term)).values_list("pk", flat=True)
        )
        if exact:
            found |= Q(pk__in=exact)
        return queryset.filter(found), False

    @admin.display(description="Publication", ordering="status")
    def publication(self, obj):
        if obj.is_duplicate:
            return "Duplicate (not listed; its address redirects)"
        if obj.status != Release.Status.PUBLISHED:
            return obj.get_status_display()
        return "Live" if obj.live else "Scheduled"

    # Every time in New Zealand time with its zone (editorial/times.py).

    @admin.display(description="Publish time", ordering="published_at")
    def publish_time(self, obj):
        return goes_live(obj) or nz_time(obj.published_at) or "-"

    @admin.display(description="Public state")
    def publication_times(self, obj):
        if obj.is_withdrawn:
            return f"Withdrawn {nz_time(obj.withdrawn_at)}: {obj.withdrawal_reason}"
        if obj.status == Release.Status.DRAFT:
            return "Draft: not public"
        if obj.is_duplicate:
            return "Duplicate: listed nowhere; its address redirects to the release it repeats"
        return goes_live(obj) or f"Live since {nz_time(obj.published_at)}"

    @admin.display(description="Duplicate of")
    def duplicate_of_link(self, obj):
        """The release a duplicate repeats, linked to its change page."""
        kept = obj.duplicate_of
        if kept is None:
            return "Not a duplicate" if not obj.is_duplicate else "A release since deleted"
        url = reverse("admin:releases_release_change", args=[kept.pk])
        return format_html('<a href="{}">{}</a> ({})', url, kept, kept.date or "undated")

    @admin.display(description="Last updated in public")
    def last_updated(self, obj):
        return nz_time(obj.last_updated_at or obj.published_at) or "-"

    @admin.display(description="Imported attachments")
    def imported_attachments(self, obj):
        # Read-only: the import writes them; files are uploaded in the list below.
        return imported_attachments(obj)

    @admin.display(description="Created")
    def created(self, obj):
        return nz_time(obj.created_at) or "-"

    @admin.display(description="Modified (any change)")
    def modified(self, obj):
        return nz_time(obj.updated_at) or "-"

    # Publishers' bulk actions: each release goes through editorial/states.py, which
    # checks the permission again, so a forged POST gets nowhere, and keeps a revision of
    # its own saying which action and who.

    @admin.action(description="Publish selected releases", permissions=["publish"])
    def publish_selected(self, request, queryset):
        comment = "Published (Publish selected releases)."
        self._move_each(request, queryset, states.publish, comment)
        self.message_user(request, f"Published {len(queryset)} release(s).")

    @admin.action(
        description="Unpublish selected releases (back to draft)", permissions=["publish"]
    )
    def unpublish_selected(self, request, queryset):
        self._move_each(request, queryset, states.unpublish, "Unpublished: back to draft.")
        self.message_user(request, f"Unpublished {len(queryset)} release(s): now drafts.")

    @admin.action(description="Withdraw selected releases…", permissions=["publish"])
    def withdraw_selected(self, request, queryset):
        """Asks for one reason for all on a confirmation page, then withdraws each live one."""
        form = WithdrawForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": "Withdraw releases",
                "opts": self.model._meta,
                "releases": queryset,
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/releases/release/withdraw.html", context)
        reason = form.cleaned_data["reason"]

        def withdraw(release, user):
            states.withdraw(release, reason, user)

        refused = self._move_each(request, queryset, withdraw, f"Withdrawn: {reason}")
        self.message_user(request, f"Withdrew {len(queryset) - len(refused)} release(s).")
        for message in refused:
            self.message_user(request, message, level="warning")
        return None

    @admin.action(
        description="Not duplicates: publish selected duplicates at their own address",
        permissions=["publish"],
    )
    def keep_apart_selected(self, request, queryset):
        """Undo what the import found (editorial/duplicates.py); imports leave it undone."""
        copies = queryset.duplicates()
        count = len(copies)  # before they are duplicates no longer
        self._move_each(request, copies, duplicates.keep_apart, "Not a duplicate: published.")
        self.message_user(request, f"Published {count} release(s) at their own address.")

    def _move_each(self, request, releases, move, comment):
        """`move(release, user)` (a function of editorial/states.py, which checks the
        permission again) for each release, each keeping a revision with `comment`;
        return the messages of the moves refused."""
        revisions.keep_imported_states(releases.values_list("pk", flat=True))
        refused = []
        for release in releases:
            try:
                with revisions.recorded(request.user, comment):
                    move(release, request.user)
            except ValidationError as error:
                refused.extend(error.messages)
        return refused

    @admin.display(description="Ministers")
    def ministers_list(self, obj):
        return ", ".join(m.name for m in obj.ministers.all())
