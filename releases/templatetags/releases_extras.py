"""Template helpers for the public pages."""

from django import template
from django.utils.html import format_html_join

register = template.Library()


@register.simple_tag
def page_numbers(page):
    """Page numbers around the current page, with the first and last, gaps as None:
    1 … 4 5 [6] 7 8 … 2759."""
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return [None if n == page.paginator.ELLIPSIS else n for n in numbers]


@register.filter
def web_url(url):
    """`url` if it is an http(s) address, else "". Attachments are free text from imported
    front matter or the admin, so a javascript: URL must not become a link."""
    url = str(url).strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


@register.simple_tag
def select_options(bound_field):
    """The <option>s of a select, built in Python.

    The list page offers every portfolio and minister (some 500 options); Django's widget
    templates render each option separately and took most of the page's time.
    """
    value = bound_field.value()
    chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (key, " selected" if str(key) in chosen else "", label)
            for key, label in bound_field.field.choices
        ),
    )
