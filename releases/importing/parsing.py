"""Parsing and validation: one SourceFile's bytes -> a ParsedRelease ready to write.

Takes a SourceFile and a `warn(field, message)` callable; gives a ParsedRelease, None for a
README or LICENSE without front matter, or raises InvalidFile naming the field. Every value
is checked here against the model's limits, the same way for both databases, so nothing
reaches the database that either would refuse or silently store past its limits.
"""

import datetime
import html
import re
import typing
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import URLValidator
from django.utils.html import strip_tags
from django.utils.text import slugify
from frontmatter.default_handlers import YAMLHandler

from .. import names
from ..editorial.duplicates import fingerprint
from ..models import Minister, Release
from ..rendering import NestedTooDeeply, render_markdown
from .results import InvalidFile
from .sources import SourceFile

UNKNOWN_DATE = "0001-01-01"  # the old site's placeholder for a missing date
SLUG_LENGTH = Release._meta.get_field("slug").max_length
TITLE_LENGTH = Release._meta.get_field("title").max_length
URL_LENGTH = Release._meta.get_field("source_url").max_length
NAME_LENGTH = Minister._meta.get_field("name").max_length  # a portfolio's is the same
# What the front matter may expand to once YAML aliases are followed. The corpus's largest
# is 3,000 characters in 40 items; nine nested aliases of 600 bytes would be billions.
MAX_TEXT = 1_000_000  # characters
MAX_ITEMS = 10_000  # list items and mapping entries
# YAML's plain null, which the base loader would read as the text "~".
NULLS = frozenset({"~", "null", "Null", "NULL"})
HTTP_URL = URLValidator(schemes=["http", "https"])
# Printable ASCII with a host of letters, digits and hyphens, as every corpus URL is: a
# subset of what HTTP_URL accepts, checked in a tenth of its time (55,000 of its checks
# cost a second of the import's CPU). Anything else gets HTTP_URL's verdict.
SIMPLE_URL = re.compile(
    r"https?://((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})(?:/[!-~]*)?", re.I
)
MAX_HOST = 253  # characters, as HTTP_URL allows
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")
SLUG = re.compile(r"[-\w]+", re.ASCII)  # what Release.slug's SlugField accepts

FRONT_MATTER = YAMLHandler()


class ParsedRelease(typing.NamedTuple):
    """One file's release, validated and normalised, ready to write. A named tuple, not a
    dataclass: 55,000 of them cross from the worker processes, and tuples pickle three
    times faster."""

    path: str
    import_key: str
    content_hash: str
    text_hash: str  # editorial/duplicates.py: copies of one release share it
    title: str
    date: datetime.date | None
    source_url: str
    body: str
    body_html: str
    attachments: list
    ministers: list
    portfolios: list
    front_matter: str
    url_slug: str  # the slug it asks for: its `slug:`, or its URL's last segment
    # Its state, for a new release only (writing.py): an import never changes the state
    # of a release it already holds, which is a publisher's decision in the admin.
    status: str = Release.Status.PUBLISHED
    published_at: datetime.datetime | None = None  # None: from its date (writing.py)
    withdrawn_at: datetime.datetime | None = None
    withdrawal_reason: str | None = None


class YAMLLoader(yaml.CBaseLoader):
    """YAML's base loader reads every scalar as text: a bad date is then a field error
    rather than a crash inside the parser, a title such as 1984 stays "1984", and it is
    the fastest."""

    def resolve(self, kind, value, implicit):
        # The base schema has no implicit tags to look for, and load_yaml reads only each
        # node's kind: skipping the search saves a fifth of the YAML time.
        return kind.id


def load_yaml(text):
    """The YAML document in `text` as text, lists, dicts and None (for a plain `~` or
    `null`), in half the time of yaml.CBaseLoader: libyaml builds the document's nodes in
    C, and these few lines replace PyYAML's general-purpose constructor.

    Raise InvalidFile if the document, with its aliases followed, would hold more than
    MAX_TEXT characters or MAX_ITEMS items: a few hundred bytes of nested aliases can
    stand for gigabytes, which flattening a title or a list would build. It is measured
    on the nodes, before any value is built.
    """
    if len(text) > MAX_TEXT:
        raise InvalidFile("front matter", f"longer than {MAX_TEXT:,} characters")
    try:
        node = yaml.compose(text, Loader=YAMLLoader)
        if node is None:
            return None
        # Without both an anchor (&name) and an alias (*name) nothing repeats, and the
        # text's own length bounds the document: the corpus is measured for nothing.
        if "&" in text and "*" in text:
            characters, items = _expanded_size(node, {})
            if characters > MAX_TEXT or items > MAX_ITEMS:
                raise InvalidFile(
                    "front matter",
                    f"expands to more than {MAX_TEXT:,} characters or {MAX_ITEMS:,} items "
                    "once its YAML aliases (*name) are followed; a release needs nothing like it",
                )
        return _plain(node, {})
    except RecursionError:
        raise InvalidFile("front matter", "invalid YAML: nested too deeply") from None


def _expanded_size(node, sizes):
    """(characters, items) that `node` stands for with every alias followed, each node
    measured once (`sizes` by node), so an alias bomb's size is known without building it."""
    if id(node) in sizes:
        if sizes[id(node)] is None:
            raise InvalidFile("front matter", "invalid YAML: a list or mapping inside itself")
        return sizes[id(node)]
    if isinstance(node, yaml.ScalarNode):
        return len(node.value), 1
    sizes[id(node)] = None
    children = node.value
    if isinstance(node, yaml.MappingNode):
        children = [child for pair in children for child in pair]
    measured = [_expanded_size(child, sizes) for child in children]
    sizes[id(node)] = sum(c for c, _ in measured), 1 + sum(i for _, i in measured)
    return sizes[id(node)]


def _plain(node, built):
    if isinstance(node, yaml.ScalarNode):
        plain = not node.style  # libyaml gives "" for a plain (unquoted) scalar
        return None if plain and node.value in NULLS else node.value
    if id(node) in built:  # an alias: the value already built, never built again
        if built[id(node)] is None:
            raise InvalidFile("front matter", "invalid YAML: a list or mapping inside itself")
        return built[id(node)]
    built[id(node)] = None
    if isinstance(node, yaml.SequenceNode):
        value = [_plain(item, built) for item in node.value]
    else:
        try:
            value = {_plain(key, built): _plain(item, built) for key, item in node.value}
        except TypeError:  # a list or mapping as a key
            raise InvalidFile("front matter", "invalid YAML: a key that is not text") from None
    built[id(node)] = value
    return value


def plain_text(item):
    """The text a front-matter list item meant. Unquoted items such as
    '- Māori Crown Relations: Te Arawhiti' arrive as mappings and '- [From a speech]' as
    lists; both stand for the plain text the author wrote."""
    if isinstance(item, dict):
        return ", ".join(f"{k}: {v}" if v is not None else f"{k}:" for k, v in item.items())
    if isinstance(item, list):
        return ", ".join(plain_text(i) for i in item)
    return "" if item is None else str(item)


def fallback_title(body, date, length=90):
    """A readable title for a release without one: its first sentence, or its date."""
    first_line = next((line for line in body.splitlines() if line.strip()), "")
    text = names.tidy(re.sub(r"[#*_\\\[\]>`]", "", first_line)).split(". ")[0].rstrip(".")
    if len(text) > length:
        text = text[:length].rsplit(" ", 1)[0] + "…"
    if text:
        return text
    return f"Untitled release, {date:%-d %B %Y}" if date else "Untitled release"


def clean_title(raw, body, date, warn):
    """The title as plain text: markup (`<i>`) dropped and entities read, then any markup
    the entities spelled (`&lt;img …&gt;`) dropped too, so no title carries a tag."""
    title = raw
    try:
        for _ in range(3):  # an entity escaped twice (&amp;lt;) takes a second round
            if "<" not in title and "&" not in title:
                break
            title = strip_tags(html.unescape(strip_tags(title)))
    except SuspiciousOperation:  # Django's strip_tags gives up on tags nested 50 deep
        warn("title", "markup too tangled to read as text; its < and > were removed")
        title = html.unescape(raw).replace("<", "").replace(">", "")
    title = names.tidy(title)
    if not title:
        title = fallback_title(body, date)
        warn("title", f"empty; shown as “{title}”")
    if len(title) > TITLE_LENGTH:
        warn("title", f"longer than {TITLE_LENGTH} characters; shortened")
        title = title[: TITLE_LENGTH - 1] + "…"
    return title


def name_list(meta, field, is_junk, warn):
    """The distinct spellings in a ministers/portfolios list, junk reported and dropped."""
    if meta.get(field) in (None, ""):
        warn(field, "missing; the release has none")
        return []
    items = meta[field] if isinstance(meta[field], list) else [meta[field]]
    spellings = []
    for item in items:
        text = names.tidy(plain_text(item))
        if not text:
            continue
        if is_junk(text):
            warn(field, f"“{text}” is not a name (kept only in the raw front matter)")
        elif len(text) > NAME_LENGTH:
            raise InvalidFile(
                field,
                f"“{text[:60].rstrip()}…” is {len(text):,} characters; a name has at most {NAME_LENGTH}",
            )
        elif text not in spellings:
            spellings.append(text)
    return spellings


def check_url(raw):
    """The source URL, if it is an http(s) address with a valid host and no spaces or
    control characters, and fits its column; otherwise InvalidFile."""
    url = raw.strip()
    shown = f"“{url[:80]}…”" if len(url) > 80 else f"“{url}”"
    if len(url) > URL_LENGTH:
        raise InvalidFile("url", f"{shown} is {len(url):,} characters; at most {URL_LENGTH}")
    simple = SIMPLE_URL.fullmatch(url)
    if simple and len(simple[1]) <= MAX_HOST:
        return url
    try:
        HTTP_URL(url)
    except ValidationError:
        raise InvalidFile("url", f"{shown} is not an http(s) URL") from None
    if CONTROL_CHARACTERS.search(url):  # URLValidator lets all but tabs and newlines by
        raise InvalidFile("url", f"{shown} holds control characters")
    return url


def check_slug(raw):
    """A `slug:` as the public address takes it, or InvalidFile."""
    slug = plain_text(raw).strip()
    if len(slug) > SLUG_LENGTH or not SLUG.fullmatch(slug):
        shown = f"“{slug[:60]}…”" if len(slug) > 60 else f"“{slug}”"
        raise InvalidFile(
            "slug", f"{shown} is not a slug (letters, digits, - and _, at most {SLUG_LENGTH})"
        )
    return slug


def check_time(meta, field):
    """The ISO 8601 time in `field` (with its UTC offset), or None when there is none."""
    if meta.get(field) in (None, ""):
        return None
    raw = plain_text(meta[field]).strip()
    try:
        moment = datetime.datetime.fromisoformat(raw)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidFile(
            field, f"“{raw[:40]}” is not a time with its offset (such as 2021-06-01T09:30:00+12:00)"
        )
    return moment


def state(meta):
    """The status and times an exported backup carries (export_releases --include-drafts);
    a file without them is a published release, as every file of the corpus is."""
    status = plain_text(meta.get("status") or Release.Status.PUBLISHED).strip()
    if status not in Release.Status.values:
        raise InvalidFile(
            "status", f"“{status[:40]}” is not one of {', '.join(Release.Status.values)}"
        )
    withdrawn = status == Release.Status.WITHDRAWN
    reason = plain_text(meta.get("withdrawal_reason") or "").replace("\x00", "").strip()
    return {
        "status": status,
        "published_at": check_time(meta, "published"),
        "withdrawn_at": check_time(meta, "withdrawn") if withdrawn else None,
        "withdrawal_reason": (reason or None) if withdrawn else None,
    }


def parse_source(source: SourceFile, warn) -> ParsedRelease | None:
    """Parse and validate one file. Raise InvalidFile for an error; return None for a
    README or LICENSE without front matter."""
    try:
        text = source.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidFile(
            "file", f"not valid UTF-8 (byte {exc.object[exc.start]:#04x} at offset {exc.start})"
        ) from None
    if "\x00" in text:  # PostgreSQL cannot store it in text, and no reader wants it
        warn("file", "contains NUL characters, which no database can store as text; removed")
        text = text.replace("\x00", "")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not FRONT_MATTER.detect(text):
        if Path(source.path.rsplit(":", 1)[-1]).stem.upper() in {"README", "LICENSE"}:
            return None
        raise InvalidFile("front matter", "missing: the file must start with a '---' line")
    try:
        raw_front_matter, body = FRONT_MATTER.split(text)
    except ValueError:
        raise InvalidFile("front matter", "no closing '---' line") from None
    try:
        meta = load_yaml(raw_front_matter)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        # The front matter text starts on the opening "---" line, which is line 1.
        line = f" on line {where.line + 1}" if where else ""
        raise InvalidFile(
            "front matter", f"invalid YAML{line}: {getattr(exc, 'problem', exc)}"
        ) from None
    if not isinstance(meta, dict):
        raise InvalidFile("front matter", "must be a mapping of fields such as 'title:'")
    # A release written in the admin may have no source URL: its exported file names its
    # slug instead, which then identifies it (see export_releases).
    slug = check_slug(meta["slug"]) if meta.get("slug") not in (None, "") else None
    for field in ("title", "date", "url"):
        if field == "url" and slug and meta.get("url") in (None, ""):
            continue
        if field not in meta or (field != "title" and meta[field] in (None, "")):
            raise InvalidFile(field, "missing (required)")

    raw_date = plain_text(meta["date"]).strip()
    try:
        date = None if raw_date == UNKNOWN_DATE else datetime.date.fromisoformat(raw_date)
    except ValueError:
        raise InvalidFile(
            "date", f"“{raw_date[:40]}” is not a valid date (expected YYYY-MM-DD)"
        ) from None
    if date is None:
        warn("date", f"{UNKNOWN_DATE} is the source's placeholder; stored as an unknown date")
    # Only a file that names its slug may go without a source URL (checked above).
    source_url = (
        "" if slug and meta.get("url") in (None, "") else check_url(plain_text(meta["url"]))
    )

    attachments = meta.get("attachments") or []
    if not isinstance(attachments, list):
        attachments = [attachments]
    # Escapes such as "\0" in quoted YAML make NULs the file itself did not hold.
    attachments = [t for a in attachments if (t := plain_text(a).replace("\x00", "").strip())]

    body = body.strip()
    if not body:
        warn("body", "empty")
    elif "â€" in body or "\ufffd" in body:
        warn("body", "contains garbled characters (mojibake or U+FFFD) from the source")
    try:
        body_html = render_markdown(body, source_url)
    except NestedTooDeeply as exc:
        raise InvalidFile("body", str(exc)) from None

    title = clean_title(plain_text(meta["title"]), body, date, warn)
    return ParsedRelease(
        path=source.path,
        import_key=f"{raw_date} {source_url or 'slug:' + slug}",
        content_hash=source.digest,
        text_hash=fingerprint(title, body),
        title=title,
        date=date,
        source_url=source_url,
        body=body,
        body_html=body_html,
        attachments=attachments,
        ministers=name_list(meta, "ministers", names.is_junk_minister, warn),
        portfolios=name_list(meta, "portfolios", names.is_junk_portfolio, warn),
        front_matter=raw_front_matter,
        url_slug=slug
        or slugify(urlsplit(source_url).path.rstrip("/").rsplit("/", 1)[-1])[:SLUG_LENGTH],
        **state(meta),
    )
