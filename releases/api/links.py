"""The ministers and portfolios of many releases at once, as plain values.

Two queries of the link tables, whatever the number of releases, like prefetch_related()
(the ReleaseQuerySet.with_links() of the pages), but with no model instance or related
manager made for each release: for a page of 100 releases those took most of its time,
and for the whole archive's CSV nine tenths.
"""

import collections

from ..models import Release


def links(release_ids):
    """(ministers, portfolios): each {release id: [(name, slug), …]} in the order the links
    were written, so the main portfolio comes first (see with_primary_portfolio())."""
    found = []
    for field, kind in ((Release.ministers, "minister"), (Release.portfolios, "portfolio")):
        linked = collections.defaultdict(list)
        rows = field.through.objects.filter(release_id__in=release_ids).order_by("pk")
        for release_id, name, slug in rows.values_list(
            "release_id", f"{kind}__name", f"{kind}__slug"
        ):
            linked[release_id].append((name, slug))
        found.append(linked)
    return found


def attach(releases):
    """Give each of `releases` its `minister_list` and `portfolio_list` ({name, slug}s),
    which api/serializers.py shows; returns them."""
    ministers, portfolios = links([release.pk for release in releases])
    for release in releases:
        release.minister_list = [{"name": n, "slug": s} for n, s in ministers[release.pk]]
        release.portfolio_list = [{"name": n, "slug": s} for n, s in portfolios[release.pk]]
    return releases
