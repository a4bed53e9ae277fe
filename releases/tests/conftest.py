import os
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from hypothesis import settings as hypothesis_settings

# CI runs the same property-based examples every time, so a submission never fails on a
# draw that a rerun would not repeat; elsewhere each run explores new ones.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

FIXTURES = settings.BASE_DIR / "fixtures" / "releases"
CORPUS = settings.BASE_DIR.parent / "shared" / "corpus" / "beehive-releases.tar.xz"


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty page cache: a rolled-back test's data can come back
    with the same content version (caching.py) as another test's."""
    from django.core.cache import cache

    cache.clear()


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


# Staff, as the admin tests log in ----------------------------------------------------------

EDITING = ["add_release", "change_release", "view_release"]


def log_in(client, username, codenames):
    """Log the test client in as a staff member with these release permissions only."""
    user = User.objects.create_user(username, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="releases", codename__in=codenames)
    )
    client.force_login(user)
    return client


@pytest.fixture
def editor(client):
    """The test client, logged in as an adviser who may add, change and view releases, but
    not publish them."""
    return log_in(client, "editor", EDITING)


@pytest.fixture
def publisher(client):
    """The test client, logged in as a press secretary, who may also publish."""
    return log_in(client, "publisher", [*EDITING, "publish_release"])


__all__ = ["CORPUS", "EDITING", "FIXTURES", "SEED", "Path", "fixture", "log_in", "release_text"]
