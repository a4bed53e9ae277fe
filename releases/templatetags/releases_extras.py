"""Template helpers for the public pages."""

import datetime
from html import escape
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django import template
from django.forms import ModelChoiceField
from django.http import QueryDict
from django.template.defaulttags import querystring
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from .. import feeds, seo
from ..editorial import uploads
from ..exporting import bulk

register = template.Library()


@register.simple_tag
def page_numbers(page):
    """Page numbers around the current page, with the first and last, gaps as None:
    1 … 4 5 [6] 7 8 … 2759."""
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return [None if n == page.paginator.ELLIPSIS else n for n in numbers]


@register.simple_tag(takes_context=True)
def link_query(context, **changes):
    """Django's {% querystring %} with `changes`, but from the page's valid filters
    (ReleaseFilter.link_query, the `filter` in the context) instead of the address's query
    string, which may hold anything; a page without filters starts from none."""
    filterset = context.get("filter")
    query = filterset.link_query if filterset is not None else QueryDict()
    return querystring(context, query, **changes)


@register.simple_tag(takes_context=True)
def feed_title(context, subject=None):
    """The title of the feed of this page's listing, filtered as it is (feeds.feed_title())."""
    return feeds.feed_title(context.get("filter"), subject)


@register.simple_tag(takes_context=True)
def search_engine_tags(context):
    """The page's canonical link, and its robots meta tag when it is not to be indexed
    (seo.py). Nothing without a request: a 400 page is rendered without one."""
    request = context.get("request")
    if request is None:
        return ""
    filterset, page = context.get("filter"), context.get("page")
    url = seo.canonical_url(request, filterset, page)
    robots = '<meta name="robots" content="noindex">' if seo.noindex(filterset, page) else ""
    return mark_safe(f'<link rel="canonical" href="{escape(url)}">{robots}')


@register.filter
def web_url(url):
    """`url` if it is an http(s) address, else "". Attachments are free text from imported
    front matter or the admin, so a javascript: URL must not become a link."""
    url = str(url).strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


@register.simple_tag
def sitemap_urls(urlset):
    """The <url> elements of a sitemap page, built in Python.

    A page has a thousand addresses or more: Django's template loop, and its date filter
    above all, took nearly all of the page's time. Each time is its day in the site's time
    zone, as the date filter gives it; a date (a portfolio's newest release's) is as it is.
    """
    zone = timezone.get_current_timezone()

    def day(moment):
        return moment.astimezone(zone).date() if isinstance(moment, datetime.datetime) else moment

    return mark_safe(
        "".join(
            f"<url><loc>{escape(url['location'])}</loc>"
            + (f"<lastmod>{day(url['lastmod']).isoformat()}</lastmod>" if url["lastmod"] else "")
            + f"<changefreq>{url['changefreq']}</changefreq></url>\n"
            for url in urlset
        )
    )


@register.filter
def host(url):
    """The site an address is on, as a reader names it: "beehive.govt.nz" for
    https://www.beehive.govt.nz/release/…."""
    name = urlsplit(url).hostname or ""
    return name.removeprefix("www.")


@register.filter
def linked_file(url):
    """(name, type) of an imported attachment's address, from its last path segment:
    ("Summary of 2018-19 applications", "PDF"). The type is the one an upload with that
    extension would show, else the extension itself, else ""; an address with no file
    name is its own name."""
    path = PurePosixPath(unquote(urlsplit(url).path))
    if not path.suffix or not path.stem.strip():
        return url, ""
    extension = path.suffix[1:].lower()
    kind = uploads.EXTENSIONS.get(extension)
    return path.stem, kind.label if kind else extension.upper()


@register.filter
def attachment_description(attachment):
    """'PDF, 1.2 MB' for an uploaded attachment."""
    return uploads.description(attachment)


@register.simple_tag
def release_card(release):
    """A release in a list, as for_listing() loads it: its title as a link, date,
    ministers, the search snippet if any and portfolios.

    Built in Python, as the sitemap's <url>s are: twenty cards through the template engine
    (an include, the date filter twice and two related managers each) took 6 of the 24 ms
    of the release list on the full archive; this takes 1.
    """
    date = release.date
    when = (
        f'<time datetime="{date.isoformat()}">{date.day} {MONTHS[date.month]} {date.year}</time>'
        if date
        else "Date unknown"
    )
    ministers = ", ".join(escape(m.name) for m in release.listed_ministers)
    portfolios = "; ".join(escape(p.name) for p in release.listed_portfolios)
    snippet = getattr(release, "snippet", "")
    return mark_safe(
        f'<article class="release-card">\n'
        f'  <h3><a href="{escape(release.get_absolute_url())}">{escape(release.title)}</a></h3>\n'
        f'  <p class="meta">{when}{" · " + ministers if ministers else ""}</p>\n'
        + (f'  <p class="snippet">{conditional_escape(snippet)}</p>\n' if snippet else "")
        + (f'  <p class="meta tags">{portfolios}</p>\n' if portfolios else "")
        + "</article>\n"
    )


@register.simple_tag
def counted_links(records):
    """Records with `release_count` as a list of links with counts, built in Python: a
    minister's page lists 42 portfolios, which took 2.7 ms through the template engine."""
    items = "".join(
        f'<li><a href="{escape(record.get_absolute_url())}">{escape(record.name)}</a>'
        f' <span class="count">{record.release_count}</span></li>'
        for record in records
    )
    return mark_safe(f'<ul class="counted">{items or "<li>None</li>"}</ul>')


@register.filter
def item(mapping, key):
    """mapping[key], or None: {{ choices|item:field.name }}."""
    return mapping.get(key)


def _count(releases):
    if releases is None:
        return ""
    plural = "s" * (releases != 1)
    return f' <span class="count">{releases:,}<span class="visually-hidden"> release{plural}</span></span>'


@register.simple_tag
def checkboxes(name, choices):
    """The checkboxes of a group (releases/choices.py), each with its label and count,
    built in Python as the options below are: the page of every portfolio has 232."""
    return mark_safe(
        '<ul class="checkboxes">'
        + "".join(
            f'<li><input type="checkbox" name="{escape(name)}" value="{escape(choice.slug)}"'
            f' id="{escape(choice.id)}"{" checked" if choice.checked else ""}>'
            f'<label for="{escape(choice.id)}">{escape(choice.name)}{_count(choice.count)}'
            "</label></li>"
            for choice in choices
        )
        + "</ul>"
    )


@register.simple_tag
def select_options(bound_field):
    """The <option>s of a select, built in Python.

    The list page once offered every portfolio and minister this way, some 450 options:
    Django's widget templates, and even format_html, took most of the page's time. A model
    choice field's options come straight from (value, name) rows, not model instances.
    """
    field = bound_field.field
    value = bound_field.value()
    chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
    if isinstance(field, ModelChoiceField):
        # Portfolio, Minister and Government all show their name (their __str__).
        rows = field.queryset.values_list(field.to_field_name or "pk", "name")
        choices = [("", field.empty_label), *rows] if field.empty_label is not None else rows
    else:
        choices = field.choices
    return mark_safe(
        "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for key, label in choices
        )
    )


@register.simple_tag
def bulk_download_info():
    """The bulk download's address, time and size (None before it is generated), for
    templates/includes/bulk_download.html: a stat() of the file, no query."""
    return bulk.bulk_download_info()
