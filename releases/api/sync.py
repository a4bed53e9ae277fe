"""Incremental sync: `?modified_since=` answers every change to the public list since
then, oldest first, so that a mirror applying them in order ends exactly as the site.

A change is a release that is public now, sent whole (`"change": "live"`), or a
tombstone for one that left the list (`"change"` is then the Departure's reason:
withdrawn, unpublished, deleted or duplicate) with its id, slug and when. Both are one
stream ordered by (modified, id), so a page ends where it ends and the next one, `?modified_since=<its last modified>&after_id=<its last id>`, starts just after.
A release that left and came back sends its tombstone first, then itself.
"""

import heapq
import itertools

from django import forms
from django.db.models import CharField, Q, Value
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
    rows = list(itertools.islice(heapq.merge(*_streams(since, after, size + 1)), size + 1))
    more, rows = len(rows) > size, rows[:size]
    live = Release.objects.for_api().in_bulk([pk for _, pk, change, _ in rows if change == "live"])
    shown = ReleaseSerializer(links.attach(list(live.values())), many=True, context=context)
    releases = {item_id: item for item_id, item in zip(live, shown.data, strict=True)}
    results = []
    for modified, pk, change, slug in rows:
        if change == "live":
            results.append({"change": "live", **releases[pk]})
        else:
            results.append({"change": change, "id": pk, "slug": slug, "modified": modified})
    last = rows[-1] if rows else None
    resume = _link(request, last[0], last[1], size) if last else _link(request, since, after, size)
    return {"next": resume if more else None, "resume": resume, "results": _times(results)}


def _streams(since, after, limit):
    """The first `limit` changes of each kind, each (modified, id, change, slug), in order:
    two queries each reading an index in order (release_modified_idx, the departures' at)
    from `since`, merged here. A UNION had to sort every release changed since then.

    Each starts with a plain `>= since`, the range its index reads: with only
    `> since OR (= since AND id > after)`, SQLite read every published release by another
    index and sorted them (70 ms a page)."""
    text = CharField()
    live = (
        Release.objects.published()
        .with_modified()
        .filter(Q(modified__gte=since), Q(modified__gt=since) | Q(pk__gt=after))
        .annotate(change=Value("live", text))
        .order_by("modified", "pk")
        .values_list("modified", "pk", "change", "slug")
    )
    gone = (
        Departure.objects.filter(Q(at__gte=since), Q(at__gt=since) | Q(release_id__gt=after))
        .order_by("at", "release_id")
        .values_list("at", "release_id", "reason", "slug")
    )
    return list(live[:limit]), list(gone[:limit])


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
