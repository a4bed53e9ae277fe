"""Import runs in the admin: read, never changed."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from ..models import (
    ImportRun,
)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Every run of load_releases, as it ended: a record, so it can be read, not changed."""

    list_display = [
        "__str__",
        "outcome",
        "dry_run",
        "files",
        "created",
        "updated",
        "kept",
        "duplicates",
        "skipped",
        "started_by",
    ]
    list_filter = ["outcome", "dry_run"]
    date_hierarchy = "started_at"
    fields = readonly_fields = [
        *(f.name for f in ImportRun._meta.fields if f.name not in ("id", "problems")),
        "problem_list",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Problems")
    def problem_list(self, run):
        """One line a problem, as the command printed them."""
        return (
            format_html_join(
                mark_safe("<br>"),
                "{}: {}: {}: {}",
                ((p["level"], p["path"], p["field"], p["message"]) for p in run.problems),
            )
            or "None"
        )
