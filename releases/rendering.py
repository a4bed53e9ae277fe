"""Markdown to safe HTML, done once when a release is saved or imported.

cmark (the C reference implementation of CommonMark, through cmarkgfm) renders, keeping the
raw HTML that imported bodies carry; nh3 (the Ammonia sanitiser) then keeps only harmless tags and attributes, so no
script, event handler, style or javascript: URL ever reaches a page.
"""

import re
from html import escape, unescape
from urllib.parse import urlsplit

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

# Control characters are invalid in XML feeds (C0: one release has a vertical tab) or
# mojibake remnants (C1: U+0081, U+009D).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINK_TAG = re.compile(r"<(?:a|img)\s[^>]*>")
# Not /attachments/: files uploaded here (releases/attachments.py) are on this site.
SITE_RELATIVE = re.compile(r'(\s(?:href|src))="/(?!/|attachments/)')
RENDER_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_VALIDATE_UTF8
# The sanitiser's time grows with the square of how deeply tags nest: 20,000 nested
# blockquotes (">" * 20000, 20 kB of Markdown) took 1.8 s and 100,000 took 67 s. Below
# CHECK_TAGS tags that cannot pass 0.1 s, so only bodies with more are measured; no real
# release nests anywhere near MAX_DEPTH.
CHECK_TAGS = 10_000
MAX_DEPTH = 100
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>")
# A link of the sanitiser's output, its attributes and its content. The sanitiser's parser
# never nests one <a> in another, so the first </a> closes it.
ANCHOR = re.compile(r"<a(\s[^>]*)?>(.*?)</a>", re.DOTALL)
ANY_TAG = re.compile(r"<[^>]*>")
# A heading of the sanitiser's output (it allows no attributes on headings).
HEADING = re.compile(r"<h([2-6])>(.*?)</h\1>", re.DOTALL)
IMAGE_WITH_ALT = re.compile(r'<img\s[^>]*\balt="[^"]*[^"\s]')
# Tags that never deepen a page: void ones, and ones the next of their kind closes.
FLAT_TAGS = frozenset(
    "area base br col embed hr img input link meta source track wbr p li dt dd tr td th "
    "option".split()
)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl",
    "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "li", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
# Building the cleaner once makes each call several times faster than nh3.clean(**options).
CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes=ALLOWED_ATTRIBUTES,
    # tel: for the phone numbers releases give as links ("[0800 559 009](tel:0800…)").
    url_schemes={"http", "https", "mailto", "tel"},
    link_rel="nofollow noopener noreferrer",
    strip_comments=True,
)


class NestedTooDeeply(ValueError):
    """A body whose blocks or tags nest too deeply to render in reasonable time."""


def nesting_depth(html):
    """How deeply the tags in `html` nest (an unclosed tag counts as open to the end)."""
    depth = deepest = 0
    for tag in TAG.finditer(html):  # not findall: a list of every tag is tens of MB
        close, name = tag.groups()
        if name.lower() in FLAT_TAGS:
            continue
        depth = max(depth - 1, 0) if close else depth + 1
        deepest = max(deepest, depth)
    return deepest


def sanitise_html(html):
    """Keep only the tags, attributes and URL schemes listed above."""
    return CLEANER.clean(html)


def render_markdown(text, source_url=""):
    """Render a release body (Markdown, possibly with raw HTML) to sanitised HTML; raise
    NestedTooDeeply for a body nested past MAX_DEPTH levels.

    Links and images with site-relative addresses ("/sites/default/files/…") point at the
    site the release came from, `source_url`'s, where they still work.
    """
    if not text.strip():
        return ""
    # Plain CommonMark: the GFM extensions double the time and leak memory over a large
    # import, and no imported body uses tables or strikethrough.
    html = cmarkgfm.markdown_to_html(CONTROL_CHARACTERS.sub("", text), RENDER_OPTIONS)
    if html.count("<") > CHECK_TAGS and (depth := nesting_depth(html)) > MAX_DEPTH:
        raise NestedTooDeeply(
            f"blocks or tags nest {depth:,} levels deep (quotes inside quotes, lists inside "
            f"lists or HTML tags left open); at most {MAX_DEPTH} can be shown"
        )
    # The page's title is its only h1; a body's own top-level headings step down one level.
    # cmark escapes "<" in text, so every "<h1" left in its output is a tag.
    html = sanitise_html(html.replace("<h1", "<h2").replace("</h1>", "</h2>"))
    # A plain substring test first: the regular expression, which starts with \s, would
    # try every position of every page (a second and a half over the whole archive).
    if source_url and '="/' in html and SITE_RELATIVE.search(html):
        # In the sanitiser's output every "<" that is not a tag is escaped and every
        # attribute is quoted with ", which inside a value is escaped: so this finds each
        # site-relative href and src of a link or image, and nothing in the text.
        origin = escape("{0.scheme}://{0.netloc}".format(urlsplit(source_url)))
        html = LINK_TAG.sub(
            lambda tag: SITE_RELATIVE.sub(lambda m: f'{m[1]}="{origin}/', tag[0]), html
        )
    # Links the old site's editors left with no address ("[text]()", 366 of them) would
    # point at the page itself, those with a bare host ("www.dbh.govt.nz", 43 releases) at
    # an address on this site that does not exist.
    if ' href="www.' in html:
        html = LINK_TAG.sub(lambda tag: tag[0].replace(' href="www.', ' href="https://www.'), html)
    if "<a" in html:
        html = ANCHOR.sub(mend_anchor, html)
    if "<h" in html:
        html = close_heading_gaps(html)
    return html


def close_heading_gaps(html):
    """The body's headings renumbered so that none is more than one level below its
    section's (the page's title, an h1, comes first), siblings staying siblings: a body
    starting at h3, or going from h2 to h4 (342 releases), would leave a gap in the
    outline that screen readers navigate by."""
    sections = []  # the levels, as written, of the headings whose sections are open

    def step(heading):
        level = int(heading[1])
        while sections and sections[-1] >= level:
            sections.pop()
        sections.append(level)
        return f"<h{len(sections) + 1}>{heading[2]}</h{len(sections) + 1}>"

    return HEADING.sub(step, html)


def mend_anchor(anchor):
    """A link of the sanitiser's output as it is, or only its content when it has no
    address (none was given, it was empty, or the sanitiser removed a javascript: one) or
    no text: a screen reader announces an empty link as just "link", and an <a> without
    href is no link at all (434 in the archive, 156 empty)."""
    attributes, content = anchor[1] or "", anchor[2]
    if ' href="' in attributes and ' href=""' not in attributes and has_text(content):
        return anchor[0]
    return content


def has_text(html):
    """Whether a fragment of the sanitiser's output shows any text, or an image with one."""
    return bool(unescape(ANY_TAG.sub("", html)).strip()) or bool(IMAGE_WITH_ALT.search(html))
