"""Two people editing one release: the second save never silently overwrites the first.

The change form carries a token of the release as it was when the form was opened (its
modified time and its latest revision). A save whose token is out of date is refused
with who changed the release and when, and what they changed (a diff of their revisions
since); the second person's text stays in the form, and the token is brought up to date,
so saving again, having read the diff, replaces the other changes knowingly.
"""

from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from ..models import Release
from . import diffs, revisions
from .times import nz_time


def token(release):
    """'<modified time>|<latest revision id>' of a saved release, or '' for a new one."""
    if release.pk is None:
        return ""
    latest = revisions.history(release).values_list("pk", flat=True).first()
    return f"{release.updated_at.isoformat()}|{latest or ''}"


def check(release, opened):
    """Raise ValidationError if `release` changed since the form holding the token
    `opened` was opened. The error's `params["token"]` is the release's token now."""
    if release.pk is None or not opened:
        return
    current = Release.objects.get(pk=release.pk)
    now = token(current)
    if now.split("|")[0] == opened.split("|")[0]:
        return
    since = opened.partition("|")[2]
    newer = list(revisions.history(current).filter(pk__gt=since or 0))
    if newer:
        latest = newer[0].revision
        who = latest.user.get_username() if latest.user else "an import or a command"
        when = nz_time(latest.date_created)
    else:  # changed without a revision (an import)
        who, when = "an import or a command", nz_time(current.updated_at)
    message = format_html(
        "{} changed this release at {}, after you opened it. Nothing of yours is saved "
        "yet: your text is still in the form below. {}Save again to replace their "
        "changes with yours, or reload the page to start from theirs.",
        who,
        when,
        _what_changed(current, since, newer),
    )
    raise ValidationError(message, code="stale", params={"token": now})


def _what_changed(current, since, newer):
    """Their changes as HTML: the plain list and the title and body diffs, or ''."""
    if not newer or not since:
        return ""
    opened = revisions.history(current).filter(pk=since).first()
    if opened is None:
        return ""
    comparison = diffs.compare(opened, newer[0])
    items = format_html_join("", "<li>{}</li>", ((change,) for change in comparison.changes))
    parts = [format_html("<p>What they changed:</p><ul>{}</ul>", items)]
    if opened.field_dict["title"] != newer[0].field_dict["title"]:
        parts.append(format_html("<p>Title: {}</p>", comparison.title))
    if comparison.body_changed:
        parts.append(format_html('<div class="revision-body">{}</div>', comparison.body))
    return format_html_join("", "{}", ((part,) for part in parts))
