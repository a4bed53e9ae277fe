"""Mend the links of bodies rendered before releases.rendering.mend_link: an empty href
(a link to the page itself) is dropped, and a bare www. host gets https://. About 290
releases of the archive have one; bodies rendered from now on are mended as rendered."""

import re

from django.db import migrations
from django.db.models import Q

# As releases.rendering has them today; copied so that this migration never changes.
LINK_TAG = re.compile(r"<(?:a|img)\s[^>]*>")


def mend_links(apps, schema_editor):
    Release = apps.get_model("releases", "Release")
    broken = Release.objects.filter(
        Q(body_html__contains=' href=""') | Q(body_html__contains=' href="www.')
    ).only("body_html")
    mended = []
    for release in broken.iterator():
        release.body_html = LINK_TAG.sub(
            lambda tag: (
                tag[0].replace(' href=""', "").replace(' href="www.', ' href="https://www.')
            ),
            release.body_html,
        )
        mended.append(release)
    Release.objects.bulk_update(mended, ["body_html"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("releases", "0010_publish_permission")]

    operations = [migrations.RunPython(mend_links, migrations.RunPython.noop, elidable=True)]
