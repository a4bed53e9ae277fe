"""Property-based tests: whatever front matter, body or bytes a file holds, the parser
either gives a release within the model's limits or names the field that is wrong, and
an import of such files never fails, never writes part of a batch and counts every file."""

import datetime
import re
import tempfile
import uuid
from pathlib import Path

import pytest
import yaml
from django.core.validators import URLValidator
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from releases.importing import import_releases
from releases.importing.parsing import (
    NAME_LENGTH,
    TITLE_LENGTH,
    URL_LENGTH,
    check_url,
    parse_source,
)
from releases.importing.results import InvalidFile
from releases.importing.sources import SourceFile
from releases.models import Release

from .conftest import release_text

FIELDS = ["title", "date", "url", "ministers", "portfolios", "attachments"]
# Bounded so the whole file stays within a few seconds on each database.
PARSER = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
IMPORTS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.dates(min_value=datetime.date(1, 1, 1)).map(str),
    st.text(max_size=40),  # every code point, control characters and NUL included
    st.integers(200, 3000).map(lambda n: "é" * n),  # past every column's limit
    st.sampled_from(
        [
            "https://www.beehive.govt.nz/release/x",
            "http://bee hive.govt.nz/x",
            "https://www.beehive.govt.nz/a\nb",
            "javascript:alert(1)",
            "~",
            "<i>x</i> &lt;img src=x onerror=alert(1)&gt;",
            "<" * 60 + "i>x" + ">" * 60,  # past Django's strip_tags depth
            "0001-01-01",
            "2021-13-45",
        ]
    ),
)
structures = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
bodies = st.one_of(
    st.text(max_size=300),
    st.text(alphabet="><*-_[]()`#!\\&;\n\t 1.ab", max_size=2000),
    st.tuples(
        st.sampled_from([">", "<div>", "- ", "  - a\n", "<b><i>", "[", "*"]), st.integers(1, 60_000)
    ).map(lambda repeat: repeat[0] * repeat[1]),
)


@st.composite
def alias_bombs(draw):
    """A field holding `depth` levels of lists of `width` aliases of the level below."""
    depth, width = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    levels = ["&a0 [" + ", ".join(["lol"] * width) + "]"]
    levels += [f"&a{n} [{', '.join([f'*a{n - 1}'] * width)}]" for n in range(1, depth)]
    return f"{draw(st.sampled_from(FIELDS))}: [{', '.join(levels)}]\n"


@st.composite
def front_matters(draw):
    """YAML text: random values in the real fields, sometimes an alias bomb or junk."""
    fields = draw(st.dictionaries(st.sampled_from(FIELDS), structures, max_size=len(FIELDS)))
    text = yaml.safe_dump(fields, allow_unicode=draw(st.booleans()))
    return text + draw(st.one_of(st.just(""), alias_bombs(), st.text(max_size=30)))


@st.composite
def files(draw):
    """A file's bytes: front matter and a body, or anything at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=400))
    return f"---\n{draw(front_matters())}---\n{draw(bodies)}".encode("utf-8", "surrogatepass")


def check_limits(parsed):
    """What the model's columns and the public pages require of a parsed release."""
    assert 0 < len(parsed.title) <= TITLE_LENGTH
    assert not re.search(r"<[a-zA-Z/!?]", parsed.title)  # no tag, even a broken one
    assert len(parsed.source_url) <= URL_LENGTH
    URLValidator(schemes=["http", "https"])(parsed.source_url)
    assert all(len(name) <= NAME_LENGTH for name in parsed.ministers + parsed.portfolios)
    texts = [parsed.title, parsed.body, parsed.front_matter, *parsed.attachments]
    assert not any("\x00" in text for text in texts + parsed.ministers + parsed.portfolios)


@PARSER
@given(data=files())
# Found by this test: a URL that is an empty list, with no slug to stand for it.
@example(data=b"---\ndate: '0001100100'\ntitle: null\nurl: []\n---\n")
def test_parser_gives_a_release_within_limits_or_names_the_field(data):
    """Any bytes: a release that fits the database, or an error naming a field."""
    warnings = []
    try:
        parsed = parse_source(SourceFile.read("x.md", data), lambda *w: warnings.append(w))
    except InvalidFile as exc:
        assert exc.field in {"file", "front matter", "body", *FIELDS}
        assert exc.message
        return
    if parsed is not None:
        check_limits(parsed)


urls = st.one_of(
    st.text(max_size=60),
    st.builds(
        "{}://{}{}".format,
        st.sampled_from(["http", "https", "HTTPS", "ftp", ""]),
        st.from_regex(r"[a-zA-Z0-9.\-_ ]{0,30}", fullmatch=True),
        st.text(max_size=30),
    ),
)


@PARSER
@given(url=urls)
def test_only_http_urls_without_control_characters_pass(url):
    """Whatever check_url accepts, Django's URLValidator (the admin's rule) accepts too,
    with no whitespace or control character in it."""
    try:
        accepted = check_url(url)
    except InvalidFile as exc:
        assert exc.field == "url"
        return
    URLValidator(schemes=["http", "https"])(accepted)
    assert not re.search(r"[\s\x00-\x1f\x7f-\x9f]", accepted)


@pytest.mark.django_db
@IMPORTS
@given(contents=st.lists(files(), min_size=1, max_size=6), batch_size=st.sampled_from([1, 2, 1000]))
def test_import_of_random_files_counts_every_file_and_writes_the_good_one(contents, batch_size):
    """A folder of random files beside a good one: no exception, the good one imported,
    and every file either written, unchanged, ignored or named in an error."""
    slug = f"good-{uuid.uuid4().hex}"
    before = Release.objects.count()
    with tempfile.TemporaryDirectory() as folder:
        for n, data in enumerate(contents):
            Path(folder, f"{n}.md").write_bytes(data)
        good = release_text(url=f"https://www.beehive.govt.nz/release/{slug}")
        Path(folder, "good.md").write_text(good, encoding="utf-8")
        result = import_releases([folder], batch_size=batch_size)
    errors = {p.path for p in result.errors}
    assert len(errors) == len(result.errors)  # one error a file
    assert result.files == len(contents) + 1
    assert result.files == (
        result.created + result.updated + result.unchanged + result.ignored + len(errors)
    )
    assert Release.objects.count() == before + result.created
    assert Release.objects.filter(slug=slug).exists()
    assert not Release.objects.filter(slug=slug, ministers=None).exists()
