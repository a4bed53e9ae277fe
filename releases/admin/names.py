"""Ministers and portfolios in the admin: their spellings, renames and merges."""

from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import Count
from django.template.response import TemplateResponse

from ..editorial import merges, states
from ..models import (
    Minister,
    MinisterAlias,
    Portfolio,
    PortfolioAlias,
)


class MinisterAliasInline(admin.TabularInline):
    model = MinisterAlias
    extra = 0
    verbose_name = "spelling"
    verbose_name_plural = "Spellings that import as this minister"


class PortfolioAliasInline(admin.TabularInline):
    model = PortfolioAlias
    extra = 0
    verbose_name = "spelling"
    verbose_name_plural = "Spellings that import as this portfolio"


class NamedEntityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "release_count"]
    search_fields = ["name", "aliases__spelling"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_selected"]

    def has_publish_permission(self, request):
        return states.can_publish(request.user)

    @admin.action(description="Merge the selected into one…", permissions=["publish"])
    def merge_selected(self, request, queryset):
        """Asks which of the selected stays, on a confirmation page, then merges the rest
        into it (editorial/merges.py)."""
        records = list(queryset.order_by("name"))
        survivor = next((r for r in records if str(r.pk) == request.POST.get("survivor")), None)
        if survivor is None or len(records) < 2:
            context = {
                **self.admin_site.each_context(request),
                "title": f"Merge {self.model._meta.verbose_name_plural}",
                "opts": self.model._meta,
                "records": records,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/releases/merge.html", context)
        relinked = merges.merge(survivor, records, request.user)
        self.message_user(
            request,
            f"Merged {len(records) - 1} into “{survivor}”: {relinked} release(s) now link to it; "
            "the merged addresses redirect to its page.",
        )
        return None

    def get_queryset(self, request):
        # Meta.ordering does not apply to a GROUP BY query: the autocomplete's paginator
        # needs an order.
        counted = super().get_queryset(request).annotate(release_count=Count("releases"))
        return counted.order_by("name")

    @admin.display(description="Releases", ordering="release_count")
    def release_count(self, obj):
        return obj.release_count


@admin.register(Minister)
class MinisterAdmin(NamedEntityAdmin):
    inlines = [MinisterAliasInline]


@admin.register(Portfolio)
class PortfolioAdmin(NamedEntityAdmin):
    inlines = [PortfolioAliasInline]
