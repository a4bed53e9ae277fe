from django.contrib import admin
from django.db.models import Count

from .models import Minister, MinisterAlias, Portfolio, PortfolioAlias, Release


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

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(release_count=Count("releases"))

    @admin.display(description="Releases", ordering="release_count")
    def release_count(self, obj):
        return obj.release_count


@admin.register(Minister)
class MinisterAdmin(NamedEntityAdmin):
    inlines = [MinisterAliasInline]


@admin.register(Portfolio)
class PortfolioAdmin(NamedEntityAdmin):
    inlines = [PortfolioAliasInline]


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "status", "ministers_list"]
    list_filter = ["status", "date", "portfolios", "ministers"]
    search_fields = ["title", "slug", "source_url"]
    date_hierarchy = "date"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["ministers", "portfolios"]
    readonly_fields = ["created_at", "updated_at", "import_key", "front_matter"]
    fieldsets = [
        (
            None,
            {"fields": ["title", "slug", "date", "ministers", "portfolios", "body", "attachments"]},
        ),
        ("Publishing", {"fields": ["status", "published_at"]}),
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
                    "created_at",
                    "updated_at",
                ],  # fmt: skip
            },
        ),
    ]
    list_per_page = 50
    show_full_result_count = False  # a COUNT over every release on each page view is slow

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("ministers")

    @admin.display(description="Ministers")
    def ministers_list(self, obj):
        return ", ".join(m.name for m in obj.ministers.all())
