"""What each public page tells search engines: its canonical address, and whether to index it.

The canonical address is the page's own, absolute (https in production, where
SECURE_SSL_REDIRECT serves every page over it), with only the parameters that choose what
the page lists: its valid filters (each filter's values in one order, since
?portfolio=a&portfolio=b lists what ?portfolio=b&portfolio=a does) and the page number
past the first. The order (`sort`) is left out, as are bad values, tracking parameters
and anything else: they show the same releases, or none.

Not indexed (`noindex`, though crawlers may follow the links): search results, whatever
the words; a filtered listing past its first page (the first is enough to find it by); a
listing with a bad filter. Everything else is, each page under its canonical address.
"""

from django.http import QueryDict

# Parameters that order a listing rather than choose what it holds.
NOT_CANONICAL = {"sort"}


def _filters(filterset):
    """The valid filters in use, less the order: a QueryDict (see ReleaseFilter.link_query)."""
    query = QueryDict(mutable=True)
    if filterset is not None:
        for key, values in filterset.link_query.lists():
            if key not in NOT_CANONICAL:
                query.setlist(key, sorted(values))
    return query


def canonical_url(request, filterset=None, page=None):
    """The absolute address that stands for this page (see the module's docstring)."""
    query = _filters(filterset)
    if page is not None and page.number > 1:
        query["page"] = str(page.number)
    return request.build_absolute_uri(request.path + (f"?{query.urlencode()}" if query else ""))


def noindex(filterset=None, page=None):
    """Whether search engines are asked not to index this page (see the module's docstring)."""
    if filterset is None or not filterset.is_bound:
        return False
    searched = "q" in filterset.filters and "q" in filterset.data
    past_first = page is not None and page.number > 1
    return searched or bool(filterset.errors) or (past_first and bool(_filters(filterset)))
