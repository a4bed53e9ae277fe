"""Previews: a release exactly as its public page will show it, under a banner saying it is
not public. Staff preview a saved release or the change form's unsaved content from the
admin; holders of a share link (sharing.py) see its release the same way.

Every preview renders through the public page's own view code and template
(views.render_release, releases/release_detail.html, which release_preview.html extends
with the banner), so a preview cannot drift from the page.
"""

from django.utils import timezone

from ..models import Release
from ..rendering import render_markdown
from ..views import render_release
from .times import goes_live, nz_time

TEMPLATE = "releases/release_preview.html"

Status = Release.Status
NOT_PUBLIC = "Preview: not public."


def _public_times(release, now):
    """Set the times the page will show once `release` is public. with_times() reads them
    from the database for a public release; one not yet public has none there: it will go
    public at its publish time, or now, as publishing it now would set (states.publish). An
    imported release with no date of its own has no known times, as with_times() says."""
    first = None if release.date is None and release.import_key else release.published_at or now
    release.first_published = first
    release.last_updated = release.last_updated_at or first


def describe(release, now=None):
    """The banner's heading and note for a saved release, by its state."""
    if release.status == Status.DRAFT:
        return NOT_PUBLIC, "It is a draft: only staff can see it."
    if release.is_withdrawn:
        return NOT_PUBLIC, (
            f"It was withdrawn {nz_time(release.withdrawn_at)}: it is listed nowhere, and its "
            "address shows it with the withdrawal notice."
        )
    if release.is_duplicate:
        return NOT_PUBLIC, (
            "It repeats another release (a duplicate): it is listed nowhere, and its "
            "address redirects to that one."
        )
    scheduled = goes_live(release, now)
    if scheduled:
        return NOT_PUBLIC, f"It is scheduled. {scheduled}."
    return "Preview: this release is live.", "The public sees this page at its address."


def render_preview(request, release, heading, note, extra=None):
    """The page of `release` (loaded with for_page(), or built from a form) under a banner
    saying `heading` and `note`; `extra` adds to the context."""
    _public_times(release, timezone.now())
    banner = {"preview_heading": heading, "preview_note": note}
    return render_release(request, release, TEMPLATE, {**banner, **(extra or {})})


def saved(request, release):
    """A saved release's page as staff preview it."""
    release = Release.objects.for_page().get(pk=release.pk)
    return render_preview(request, release, *describe(release))


def unsaved(request, form):
    """The page as the valid change form `form` holds it, saving nothing: the form's
    validation only reads, and the links come from the form, not the database."""
    release = form.instance
    release.body_html = render_markdown(release.body, release.source_url)
    links = {}
    for name in ("ministers", "portfolios"):
        # A field left out of the form (read-only for this user) keeps the saved links.
        if name in form.cleaned_data:
            links[name] = list(form.cleaned_data[name])
        else:
            links[name] = list(getattr(release, name).all()) if release.pk else []
    # The template reads the links through their managers, which serve them from the
    # prefetch cache but refuse an object with no primary key: a new release borrows 0,
    # which no row has, so nothing else the page looks up for it finds anything either.
    if release.pk is None:
        release.pk = 0
    release._prefetched_objects_cache = links
    release.primary_portfolio_id = links["portfolios"][0].pk if links["portfolios"] else None
    return render_preview(
        request,
        release,
        "Preview of unsaved changes: not saved, not public.",
        "This is the form as you left it. Close this tab and save the form to keep it.",
    )
