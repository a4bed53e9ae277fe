"""RSS 2.0 and Atom feeds of releases, with full content.

One base class does the work; each subclass says which releases (all, a portfolio's or a
minister's) and which format. Every feed honours the same query string as the page it
belongs to, so any filtered listing can be followed: /releases/feed/?portfolio=health, and
is titled by what it follows (feed_title()), so that a reader's feeds can be told apart.
"""

import dataclasses
import re

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.text import Truncator
from django.utils.timezone import localtime

from .filters import MinisterReleaseFilter, PortfolioReleaseFilter, ReleaseFilter
from .models import Minister, Portfolio, Release

FEED_LENGTH = 20
SITE_TITLE = "New Zealand Government releases"
# Characters XML 1.0 forbids. Rendering already strips control characters from bodies;
# titles and names come from the same scraped source, so they are cleaned here too.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text):
    return NOT_XML.sub("", text)


def feed_title(filterset, subject=None):
    """What a feed follows, then the site: "Releases matching “trade” · Health · 2020 · New
    Zealand Government releases", or "Ayesha Verrall · 2021 · …" for a minister's.

    From the filterset's valid active filters, as the listing shows them, so a feed and
    its page's autodiscovery link agree. Several values of one filter are alternatives
    ("Health or Education"); dates read as a range."""
    chosen = {}
    for active in filterset.active_filters() if filterset is not None else ():
        chosen.setdefault(active.label, []).append(active.value)
    labels = ReleaseFilter.LABELS
    words = chosen.pop(labels["q"], None)
    start, end = (chosen.pop(labels[key], [None])[0] for key in ("date_after", "date_before"))
    parts = [str(subject)] if subject else []
    # Cut as the page's heading cuts it: every link to the feed carries its title.
    parts += [f"Releases matching {Truncator(words[0]).chars(102)}"] if words else []
    parts += [" or ".join(values) for values in chosen.values()]
    if start and end:
        parts.append(f"{start} to {end}")
    elif start or end:
        parts.append(f"From {start}" if start else f"Until {end}")
    return xml_text(" · ".join([*parts, SITE_TITLE]))


class FullContentAtom1Feed(Atom1Feed):
    """Atom with each release's whole body in <content>, where Django puts a <summary>."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"]:
            handler.addQuickElement("content", item["description"], {"type": "html"})


@dataclasses.dataclass
class Listing:
    """What a feed shows: a title, the page it mirrors, its address and its releases."""

    title: str
    link: str
    url: str
    releases: QuerySet


class ReleaseFeed(Feed):
    """RSS 2.0: the latest published releases, filtered like /releases/."""

    feed_type = Rss201rev2Feed
    language = "en-NZ"
    # Atom requires an author for every entry; a release without ministers falls back on
    # the feed's. The licence asks that the source be acknowledged.
    author_name = "New Zealand Government"
    feed_copyright = "Crown copyright. From beehive.govt.nz, reproduced under its terms."
    filterset_class = ReleaseFilter

    def get_object(self, request, slug=None):
        # Feed instances are shared between requests: per-request state lives in the
        # Listing, never on self.
        subject = self.get_subject(slug)
        # A filter naming a portfolio or minister the public may not know of is invalid
        # (filters.with_published_releases): a 404, as for an unknown one.
        filterset = self.filterset_class(request.GET or None, queryset=self.releases(subject))
        if filterset.is_bound and not filterset.is_valid():
            raise Http404("Invalid filter.")
        # The filters alone, not whatever else the address held (see ReleaseFilter.link_query).
        query = filterset.link_query.urlencode()
        query = f"?{query}" if query else ""
        return Listing(
            title=feed_title(filterset, subject),
            link=self.page_url(subject) + query,
            url=request.path + query,
            releases=filterset.qs,
        )

    def get_subject(self, slug):
        return None

    def releases(self, subject):
        return Release.objects.published()

    def page_url(self, subject):
        return reverse("releases:list")

    def title(self, listing):
        return listing.title

    def link(self, listing):
        return listing.link

    def feed_url(self, listing):
        return listing.url

    def description(self, listing):
        return f"{listing.title}, newest first, in full."

    def items(self, listing):
        # Every entry carries its own times: an undated import has none, so it is left out.
        releases = listing.releases.with_known_times().with_links().with_times().newest_first()
        releases = list(releases[:FEED_LENGTH])
        # Only releases updated in public have notes: a feed with none costs no query.
        prefetch_related_objects([r for r in releases if r.last_updated_at], "update_notes")
        return releases

    def item_title(self, release):
        return xml_text(release.title)

    def item_description(self, release):
        notes = release.update_notes.all() if release.last_updated_at else []
        updates = format_html_join(
            "",
            "<p><strong>Updated {}:</strong> {}</p>",
            ((date_format(localtime(n.created_at), "j F Y"), n.note) for n in notes),
        )
        return xml_text(updates + release.body_html)

    # The public times (ReleaseQuerySet.with_times()), never the modified time: that an
    # import or a typo fix touched a row is no news to a reader. The feed's own updated
    # time is the newest of its entries' (Django's latest_post_date()).

    def item_pubdate(self, release):
        return release.first_published

    def item_updateddate(self, release):
        return release.last_updated

    def item_author_name(self, release):
        return xml_text(", ".join(m.name for m in release.ministers.all())) or None

    def item_categories(self, release):
        return [xml_text(p.name) for p in release.portfolios.all()]


class PortfolioFeed(ReleaseFeed):
    """RSS 2.0: one portfolio's releases, filtered like its page."""

    filterset_class = PortfolioReleaseFilter

    def get_subject(self, slug):
        # Not one known only from drafts or embargoed releases (see views.portfolio_detail).
        return get_object_or_404(Portfolio.objects.with_published_releases(), slug=slug)

    def releases(self, portfolio):
        return Release.objects.published().for_portfolio(portfolio)

    def page_url(self, portfolio):
        return portfolio.get_absolute_url()


class MinisterFeed(ReleaseFeed):
    """RSS 2.0: one minister's releases, filtered like their page."""

    filterset_class = MinisterReleaseFilter

    def get_subject(self, slug):
        return get_object_or_404(Minister.objects.with_published_releases(), slug=slug)

    def releases(self, minister):
        return Release.objects.published().for_minister(minister)

    def page_url(self, minister):
        return minister.get_absolute_url()


class AtomFeed:
    """Mixin: the same feed as Atom 1.0."""

    feed_type = FullContentAtom1Feed

    def subtitle(self, listing):
        return self.description(listing)


class ReleaseAtomFeed(AtomFeed, ReleaseFeed):
    pass


class PortfolioAtomFeed(AtomFeed, PortfolioFeed):
    pass


class MinisterAtomFeed(AtomFeed, MinisterFeed):
    pass
