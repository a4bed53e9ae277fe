"""No release may take a fixed address under /releases/ as its slug (RESERVED_SLUGS), which
that page shadowed: a validator, which changes no column, and any release already there
moved to a free slug (its page could never be reached at the old one)."""

from django.db import migrations, models
from django.utils import timezone

import releases.models.release
from releases.importing.writing import UniqueSlugs

# As RESERVED_SLUGS was when this ran; a migration does not follow later changes.
RESERVED = ("csv", "feed", "filters")


def move_reserved_slugs(apps, schema_editor):
    Release = apps.get_model("releases", "Release")
    shadowed = list(Release.objects.filter(slug__in=RESERVED))
    if not shadowed:
        return
    # The importer's rule: "feed" becomes "feed-release", or "feed-release-2" if taken.
    slugs = UniqueSlugs(Release.objects.all(), reserved=RESERVED)
    for release in shadowed:
        # Changed now, so that the API's sync sends the new address.
        Release.objects.filter(pk=release.pk).update(
            slug=slugs.claim(release.slug, "release"), updated_at=timezone.now()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0027_title_search_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="release",
            name="slug",
            field=models.SlugField(
                help_text="The last part of the public address, as in "
                "/releases/this-is-the-slug/. Changing it breaks links to the old address.",
                max_length=255,
                unique=True,
                validators=[releases.models.release.validate_not_reserved],
            ),
        ),
        migrations.RunPython(move_reserved_slugs, migrations.RunPython.noop, elidable=True),
    ]
