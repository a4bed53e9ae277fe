import os
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

# CI runs the same property-based examples every time, so a submission never fails on a
# draw that a rerun would not repeat; elsewhere each run explores new ones.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

FIXTURES = settings.BASE_DIR / "fixtures" / "releases"
CORPUS = settings.BASE_DIR.parent / "shared" / "corpus" / "beehive-releases.tar.xz"

SEED = FIXTURES / "2021/06/2021-06-01-trade-minister-lead-first-virtual-trade-mission-japan-0.md"


def release_text(
    title="Minister opens new bridge",
    date="2021-06-01",
    url="https://www.beehive.govt.nz/release/minister-opens-new-bridge",
    ministers=("Hon Damien O'Connor",),
    portfolios=("Transport",),
    body="The bridge is open.",
):
    """A release file in the corpus's own format."""
    lines = ["---", f'title: "{title}"', f"date: {date}", f"url: {url}"]
    if ministers is not None:
        lines += ["ministers:", *(f"  - {m}" for m in ministers)]
    if portfolios is not None:
        lines += ["portfolios:", *(f"  - {p}" for p in portfolios)]
    return "\n".join([*lines, "---", "", body])


@pytest.fixture
def write(tmp_path):
    """write(name, text) puts a file under a temporary folder and returns its path."""

    def write(name, text):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


def fixture(relative):
    path = FIXTURES / relative
    assert path.exists(), f"missing fixture {relative}"
    return path


@pytest.fixture
def corpus():
    if not CORPUS.exists():
        pytest.skip(f"the real corpus is not at {CORPUS}")
    return CORPUS


__all__ = ["CORPUS", "FIXTURES", "SEED", "Path", "fixture", "release_text"]
