"""The public site: releases browsed by portfolio, minister, government and date.

Views are thin: each starts from Release.objects.published() (what is listed), or for a
release's own address viewable() (also the withdrawn, with their notice), narrows it with
queryset verbs or a FilterSet (filters.py), pages it and renders. Every page costs a fixed number of
queries whatever the number of releases (tests/test_views.py counts them).
"""

import datetime

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.cache import patch_cache_control

from . import choices
from .editorial import merges
from .facets import facets
from .filters import EVERY, MinisterReleaseFilter, PortfolioReleaseFilter, ReleaseFilter
from .models import Government, Minister, Portfolio, Release
from .related import related
from .search import parse
from .snippets import add_snippets

PAGE_SIZE = 20
OLD_SITE_RELEASE_URL = "https://www.beehive.govt.nz/release/{}"
# "Recent activity" on the home page: this many days before the newest release. Relative
# to the archive rather than today, so an archive that stopped growing still has some.
RECENT_DAYS = 30


def paginate(request, releases, count=None):
    """One page of `releases` from ?page=; a missing or bad page number is a 404. Pass
    `count` when the number of releases is known already, to save counting them again."""
    paginator = Paginator(releases, PAGE_SIZE)
    if count is not None:
        paginator.count = count  # a cached_property: this value is used instead
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as exc:
        raise Http404(str(exc)) from exc


def requested_slice(request):
    """The releases ?page= asks for, as a slice, or None for a number that is no page (which
    paginate() answers with a 404) or past any archive's (a thousand digits, say)."""
    try:
        number = int(request.GET.get("page") or 1)
    except ValueError:
        return None
    return slice((number - 1) * PAGE_SIZE, number * PAGE_SIZE) if 1 <= number <= 10**6 else None


def filtered_page(request, filterset, limit, unfiltered, show_all=False, total=None):
    """The context every filtered listing shares: the filter, the page of its results, the
    active filters, each removable, and the checkbox groups (`choices`, by name), counted by
    ReleaseFilter.choice_counts(limit, unfiltered), each with a link to every choice if
    `show_all`, or the rest behind a disclosure. `total`, the number of releases before
    any filter, if known already, saves counting them again when no filter is in use."""
    filterset.is_valid()  # fills cleaned_data, the valid fields' values
    counted = filterset.choice_counts(limit, unfiltered, page=requested_slice(request))
    groups = [name for name in counted if name not in ("total", "page")]
    count = counted["total"]
    if count is None and not filterset.in_use():
        count = total
    page = paginate(request, filterset.qs, count)
    if counted["page"] is not None:
        # The statement that counted the results picked this page's ids (facets.facets()):
        # the page loads just those rows, rather than finding the matches again.
        page.object_list = filterset.qs.filter(pk__in=counted["page"])
    return {
        "filter": filterset,
        "page": page,
        "active_filters": filterset.active_filters(),
        "choices": {
            name: choices.short_group(filterset, name, counted[name], show_all) for name in groups
        },
    }


# The busiest portfolios and ministers of the whole archive, from the tallies.
BUSIEST = {
    "portfolio": lambda limit: list(Portfolio.objects.busiest()[:limit]),
    "minister": lambda limit: list(Minister.objects.busiest()[:limit]),
}


def home(request):
    """The latest releases and the portfolios and ministers busy lately.
    Template: releases/home.html."""
    latest = list(Release.objects.published().for_listing()[:PAGE_SIZE])
    context = {"releases": latest, "portfolios": [], "ministers": []}
    newest_date = next((r.date for r in latest if r.date), None)
    if newest_date:
        recent = Release.objects.published().dated_between(
            newest_date - datetime.timedelta(days=RECENT_DAYS)
        )
        context["portfolios"] = Portfolio.objects.counted_in(recent)[:12]
        context["ministers"] = Minister.objects.counted_in(recent)[:12]
    return render(request, "releases/home.html", context)


def release_list(request):
    """All published releases, searched and filtered by the query string. Template:
    releases/release_list.html; context: filter, page, active_filters, choices, query,
    searched (the query as parsed)."""
    # The one place the list's releases are chosen; the filters (search among them) narrow it.
    releases = Release.objects.published().for_listing()
    filterset = ReleaseFilter(request.GET or None, queryset=releases)
    context = filtered_page(request, filterset, choices.SHORT_LIST, BUSIEST, show_all=True)
    query = filterset.form.cleaned_data.get("q") if filterset.is_bound else ""
    if query:
        page = context["page"]
        page.object_list = add_snippets(page.object_list, query)
    return render(
        request,
        "releases/release_list.html",
        {**context, "query": query, "searched": parse(query)},
    )


def filter_choices(request, name):
    """Every portfolio or minister (`name` is the filter's) as a checkbox, with its count in
    the current results, in a form that keeps the other filters and goes back to the
    release list. Template: releases/filter_choices.html."""
    if name not in ReleaseFilter.GROUPS:
        raise Http404("No such filter.")
    filterset = ReleaseFilter(request.GET or None, queryset=Release.objects.published())
    filterset.is_valid()
    counted = filterset.choice_counts(EVERY, {name: BUSIEST[name]})[name]
    kept = filterset.link_query.copy()
    kept.pop(name, None)
    return render(
        request,
        "releases/filter_choices.html",
        {
            "filter": filterset,
            "group": choices.every_choice(filterset, name, counted),
            "kept": [(key, value) for key in kept for value in kept.getlist(key)],
        },
    )


def release_detail(request, slug):
    """One release, with its public times, a notice if it was withdrawn, and the previous
    and next release in its first-listed portfolio; a copy of another redirects (301) to
    it. Template: releases/release_detail.html."""
    release = Release.objects.viewable().for_page().filter(slug=slug).first()
    if release is None:
        # A copy of another release (editorial/duplicates.py) moves to the one kept.
        copies = Release.objects.filter(slug=slug)
        kept = Release.objects.viewable().kept_for(copies).only("slug").first()
        if kept is None:
            raise Http404("No release the public may see has that address.")
        return redirect(kept, permanent=True)
    return render_release(request, release)


def render_release(request, release, template_name="releases/release_detail.html", extra=None):
    """A release's page, for `release` as for_page() loads it, with up to five related
    releases (related.py), all published. Previews and share links (editorial/preview.py)
    render through here too, so what staff and embargoed readers see is the public page
    itself; `extra` adds to the context."""
    portfolio = next(
        (p for p in release.portfolios.all() if p.pk == release.primary_portfolio_id), None
    )
    previous = following = None
    # An undated release has no place in date order, so no neighbours.
    if portfolio and release.date:
        siblings = Release.objects.published().for_portfolio(portfolio).only("title", "slug")
        previous = siblings.older_than(release).first()
        following = siblings.newer_than(release).first()
    return render(
        request,
        template_name,
        {
            "release": release,
            "portfolio": portfolio,
            "previous": previous,
            "next": following,
            "related": related(release),
            **(extra or {}),
        },
    )


def portfolio_list(request):
    """Portfolios A–Z with release counts and active years. Template:
    releases/portfolio_list.html."""
    return render(
        request, "releases/portfolio_list.html", {"portfolios": Portfolio.objects.active()}
    )


def portfolio_detail(request, slug):
    """A portfolio's releases, filterable by year and minister, and its ministers with
    counts. Template: releases/portfolio_detail.html."""
    # Only a portfolio with releases the public may see: one known only from drafts or
    # embargoed releases would reveal what is not yet announced.
    portfolio = Portfolio.objects.with_published_releases().filter(slug=slug).first()
    if portfolio is None:
        return moved_or_404(Portfolio, slug)
    releases = Release.objects.published().for_portfolio(portfolio)
    # Its ministers, each with a count, and all its releases, in one statement.
    counts = facets(releases, limit=None, kinds=["ministers"])
    ministers = counts["ministers"]
    filterset = PortfolioReleaseFilter(
        request.GET or None,
        queryset=releases.for_listing(),
        # The choices are the ministers listed beside, found again cheaply by id.
        ministers=Minister.objects.filter(pk__in=[m.pk for m in ministers]),
    )
    # Unfiltered, the ministers' counts are those of the list beside.
    context = filtered_page(
        request, filterset, EVERY, {"minister": lambda limit: ministers}, total=counts["total"]
    )
    return render(
        request,
        "releases/portfolio_detail.html",
        {"portfolio": portfolio, "ministers": ministers, **context},
    )


def moved_or_404(model, slug):
    """A permanent redirect from the address of a minister or portfolio merged into
    another to that one's; otherwise a 404."""
    if survivor := merges.merged_into(model, slug):
        return redirect(survivor, permanent=True)
    raise Http404(f"No {model._meta.verbose_name} with public releases has that address.")


def minister_list(request):
    """Ministers A–Z with release counts and active years. Template:
    releases/minister_list.html."""
    return render(request, "releases/minister_list.html", {"ministers": Minister.objects.active()})


def minister_detail(request, slug):
    """A minister's releases, filterable by year and portfolio, and the portfolios they
    released in with counts. Template: releases/minister_detail.html."""
    # As for portfolios: never reveal a minister known only from unpublished releases.
    minister = Minister.objects.with_published_releases().filter(slug=slug).first()
    if minister is None:
        return moved_or_404(Minister, slug)
    releases = Release.objects.published().for_minister(minister)
    counts = facets(releases, limit=None, kinds=["portfolios"])
    portfolios = counts["portfolios"]
    filterset = MinisterReleaseFilter(
        request.GET or None,
        queryset=releases.for_listing(),
        portfolios=Portfolio.objects.filter(pk__in=[p.pk for p in portfolios]),
    )
    context = filtered_page(
        request, filterset, EVERY, {"portfolio": lambda limit: portfolios}, total=counts["total"]
    )
    return render(
        request,
        "releases/minister_detail.html",
        {"minister": minister, "portfolios": portfolios, **context},
    )


def government_list(request):
    """New Zealand's governments, newest first, with their release counts.
    Template: releases/government_list.html."""
    governments = list(Government.objects.all())
    # A query per government: a handful of reference rows, whatever the number of releases.
    for government in governments:
        government.release_count = Release.objects.published().in_government(government).count()
    return render(request, "releases/government_list.html", {"governments": governments})


def government_detail(request, slug):
    """The releases issued while a government was in office. Template:
    releases/government_detail.html."""
    government = get_object_or_404(Government, slug=slug)
    releases = Release.objects.published().in_government(government).for_listing()
    return render(
        request,
        "releases/government_detail.html",
        {"government": government, "page": paginate(request, releases)},
    )


def old_release_redirect(request, old_slug):
    """/release/<slug>, the old site's address, moves permanently to the release imported
    from it. Where the old site reused an address, the newer release wins (see
    ReleaseQuerySet.from_source_url): it is what the address showed last, and the choice
    must not change between requests for a permanent redirect."""
    url = OLD_SITE_RELEASE_URL.format(old_slug)
    # A withdrawn release keeps its address, and so the old one that leads to it; a copy's
    # (editorial/duplicates.py) leads to the one kept, dated as it, within a day.
    copies = Release.objects.filter(source_url=url)
    releases = Release.objects.viewable()
    found = releases.from_source_url(url) | releases.kept_for(copies)
    release = found.newest_first().only("slug").first()
    if release is None:
        raise Http404("No release came from that address.")
    return redirect(release, permanent=True)


def favicon(request):
    """/favicon.ico: a redirect to the site's SVG icon. Temporary, for the icon's address
    changes with its content (WhiteNoise's hashed names); browsers keep it for a day."""
    response = redirect(static("favicon.svg"))
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response
