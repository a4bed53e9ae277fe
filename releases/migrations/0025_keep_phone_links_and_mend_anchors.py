"""Re-render the bodies that releases.rendering now renders differently: tel: links are
kept, a link with no address or no text shows only its content (never an empty <a> or an
<a> without href), and headings no longer skip a level. In the archive 653 bodies change
(10 with tel: links); a LIKE prefilter picks 1,399 candidates of 55,167, so only those
are rendered again.

Rendered with the site's renderer, as saving a release does: the tel: links were removed
from the stored HTML, so only the Markdown has them."""

from django.db import migrations
from django.db.models import Q

from releases.rendering import render_markdown


def rerender(apps, schema_editor):
    Release = apps.get_model("releases", "Release")
    candidates = Release.objects.filter(
        Q(body__contains="tel:")  # a phone link the sanitiser used to remove
        | Q(body_html__contains="<a rel=")  # the sanitiser's <a> without href
        | Q(body_html__contains="<a title=")
        | Q(body_html__contains="></a>")  # a link that may have no text
        # headings that may skip a level
        | Q(body_html__contains="<h3>")
        | Q(body_html__contains="<h4>")
        | Q(body_html__contains="<h5>")
        | Q(body_html__contains="<h6>")
    ).only("body", "body_html", "source_url")
    changed = []
    for release in candidates.iterator(chunk_size=500):
        html = render_markdown(release.body, release.source_url)
        if html != release.body_html:
            release.body_html = html
            changed.append(release)
    Release.objects.bulk_update(changed, ["body_html"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("releases", "0024_duplicates")]

    operations = [migrations.RunPython(rerender, migrations.RunPython.noop, elidable=True)]
