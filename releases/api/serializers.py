"""How the API shows a release, minister, portfolio and government.

A release's government is worked out from its date (Government is reference data, a
handful of rows), so the view loads the governments once a page and passes them in the
serializer's context as `governments` rather than a query per release.
"""

from rest_framework import serializers


class NamedSerializer(serializers.Serializer):
    """A minister or portfolio as a release names it."""

    name = serializers.CharField()
    slug = serializers.SlugField()


class PickFieldsMixin:
    """`fields` in the context keeps only those fields (the API's `fields=` parameter,
    checked by the view against FIELDS)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        wanted = self.context.get("fields")
        if wanted:
            for name in set(self.fields) - set(wanted):
                self.fields.pop(name)


def government_of(day, governments):
    """The government in office on `day` (a release's date, or None), or None."""
    if day is None:
        return None
    for government in governments:
        if government.start_date <= day and (
            government.end_date is None or day < government.end_date
        ):
            return government
    return None


class ReleaseSerializer(PickFieldsMixin, serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    date = serializers.DateField(allow_null=True, help_text="Its date; null if unknown.")
    first_published = serializers.DateTimeField(
        allow_null=True, help_text="When it went public; null for an import with no date."
    )
    last_updated = serializers.DateTimeField(
        allow_null=True, help_text="Its last public update; first published until then."
    )
    modified = serializers.DateTimeField(
        help_text="When anything in it last changed: what modified_since compares."
    )
    # Set by links.attach(), for a whole page at once.
    ministers = NamedSerializer(many=True, source="minister_list")
    portfolios = NamedSerializer(
        many=True, source="portfolio_list", help_text="The main portfolio first."
    )
    attachments = serializers.ListField(child=serializers.CharField(), help_text="Addresses.")
    source_url = serializers.CharField(help_text="Where it was first published.")
    body_markdown = serializers.CharField(source="body")
    body_html = serializers.CharField(help_text="The body rendered and sanitised.")
    url = serializers.SerializerMethodField(help_text="Its public page.")
    government = serializers.SerializerMethodField(help_text="In office on its date.")

    def get_url(self, release) -> str:
        return self.context["request"].build_absolute_uri(release.get_absolute_url())

    def get_government(self, release) -> dict | None:
        government = government_of(release.date, self.context["governments"])
        return government and {"name": government.name, "slug": government.slug}


RELEASE_FIELDS = list(ReleaseSerializer._declared_fields)


class NamedRecordSerializer(serializers.Serializer):
    """A minister or portfolio with its published releases counted (NamedQuerySet.active())."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.SlugField()
    release_count = serializers.IntegerField()
    first_date = serializers.DateField(allow_null=True, help_text="Its first release's date.")
    last_date = serializers.DateField(allow_null=True, help_text="Its last release's date.")
    active_years = serializers.SerializerMethodField(help_text="[first year, last year].")
    url = serializers.SerializerMethodField(help_text="Its public page.")

    def get_active_years(self, record) -> list[int]:
        return [date.year for date in (record.first_date, record.last_date) if date]

    def get_url(self, record) -> str:
        return self.context["request"].build_absolute_uri(record.get_absolute_url())


class GovernmentSerializer(NamedRecordSerializer):
    prime_ministers = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True, help_text="Null while in office.")
