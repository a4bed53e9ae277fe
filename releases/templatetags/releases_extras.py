"""Template helpers for the public pages."""

from html import escape

from django import template
from django.forms import ModelChoiceField
from django.http import QueryDict
from django.template.defaulttags import querystring
from django.utils import timezone
from django.utils.safestring import mark_safe

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
    above all, took nearly all of the page's time. Each date is its day in the site's time
    zone, as the date filter gives it.
    """
    zone = timezone.get_current_timezone()
    return mark_safe(
        "".join(
            f"<url><loc>{escape(url['location'])}</loc>"
            + (
                f"<lastmod>{url['lastmod'].astimezone(zone).date().isoformat()}</lastmod>"
                if url["lastmod"]
                else ""
            )
            + f"<changefreq>{url['changefreq']}</changefreq></url>\n"
            for url in urlset
        )
    )


@register.filter
def attachment_description(attachment):
    """'PDF, 1.2 MB' for an uploaded attachment."""
    return uploads.description(attachment)


@register.simple_tag
def select_options(bound_field):
    """The <option>s of a select, built in Python.

    The list page offers every portfolio and minister, some 450 options. Django's widget
    templates, and even format_html, took most of the page's time; a model choice field's
    options come straight from (value, name) rows instead of model instances.
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
