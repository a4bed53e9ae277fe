"""Incremental sync: `?modified_since=` answers every change to the public list since
then, oldest first, so that a mirror applying them in order ends exactly as the site.

A change is a release that is public now, sent whole (`"change": "live"`), or a
tombstone for one that left the list (`"change"` is then the Departure's reason:
withdrawn, unpublished, deleted or duplicate) with its id, slug and when. Both are one
stream ordered by (modified, id), read with a UNION, so a page ends where it ends and the
next one, `?modified_since=<its last modified>&after_id=<its last id>`, starts just after.
A release that left and came back sends its tombstone first, then itself.
"""

from django import forms
from django.db.models import CharField, F, Q, Value
from rest_framework import exceptions

from ..models import Departure, Release
from . import links
from .serializers import ReleaseSerializer

# The list's filters narrow what is public now; a tombstone has no portfolio left to
# filter by, so a filtered sync could never tell a mirror what left it.
FILTERS = [
    "q",
    "portfolio",
    "minister",
    "government",
    "year",
    "date_after",
    "date_before",
    "sort",
    "page",
]


class SyncForm(forms.Form):
    modified_since = forms.DateTimeField(
        help_text="An ISO 8601 time, such as 2024-05-01T09:30:00+12:00."
    )
    after_id = forms.IntegerField(min_value=0, required=False)
    page_size = forms.IntegerField(min_value=1, max_value=100, required=False)


def changes(request, context):
    """One page of changes since ?modified_since= (after ?after_id= at that very time)."""
    params = request.query_params
    if used := [name for name in FILTERS if name in params]:
        raise exceptions.ValidationError(
            {"modified_since": [f"Sync takes no filters; leave out {', '.join(used)}."]}
        )
    form = SyncForm(params)
    if not form.is_valid():
        raise exceptions.ValidationError(form.errors)
    since, after = form.cleaned_data["modified_since"], form.cleaned_data["after_id"] or 0
    size = form.cleaned_data["page_size"] or 100
    rows = list(_stream(since, after)[: size + 1])
    more, rows = len(rows) > size, rows[:size]
    live = Release.objects.for_api().in_bulk([pk for pk, _, change, _ in rows if change == "live"])
    links.attach(list(live.values()))
    results = []
    for pk, modified, change, slug in rows:
        if change == "live":
            results.append({"change": "live", **ReleaseSerializer(live[pk], context=context).data})
        else:
            results.append({"change": change, "id": pk, "slug": slug, "modified": modified})
    last = rows[-1] if rows else None
    resume = _link(request, last[1], last[0], size) if last else _link(request, since, after, size)
    return {"next": resume if more else None, "resume": resume, "results": _times(results)}


def _stream(since, after):
    after_since = Q(modified__gt=since) | Q(modified=since, row_id__gt=after)
    text = CharField()
    live = (
        Release.objects.published()
        .with_modified()
        .annotate(row_id=F("pk"), change=Value("live", text))
        .filter(after_since)
        .values_list("row_id", "modified", "change", "slug")
        .order_by()
    )
    gone = (
        Departure.objects.annotate(row_id=F("release_id"), modified=F("at"), change=F("reason"))
        .filter(after_since)
        .values_list("row_id", "modified", "change", "slug")
        .order_by()
    )
    return live.union(gone, all=True).order_by("modified", "row_id")


def _times(results):
    # A tombstone's time as the releases' own are written (DRF's ISO 8601).
    field = ReleaseSerializer().fields["modified"]
    for item in results:
        if item["change"] != "live":
            item["modified"] = field.to_representation(item["modified"])
    return results


def _link(request, modified, after, size):
    query = request.query_params.copy()
    query["modified_since"] = modified.isoformat()
    query["after_id"] = str(after)
    query["page_size"] = str(size)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
