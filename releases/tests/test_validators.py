"""Every public page type checked by the standard validators: axe-core in Chromium at a
phone's and a desktop's width, and the Nu Html Checker on the HTML of every page type and
every release of the fixtures. Screenshots of each page type at both widths are written to
test-artifacts/screenshots/ for people to look at.

axe-core and vnu.jar are the npm packages pinned in tools/validators/, installed by
`make test` (`make validators`); Chromium is Debian's, as in test_browser.py. Without
them these tests fail rather than skip.
"""

import importlib
import json
import subprocess

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile

from releases.editorial import states
from releases.importing import import_releases
from releases.models import Attachment, Government, Minister, Portfolio, Release

from .conftest import FIXTURES
from .files import pdf
from .test_browser import browser  # noqa: F401 (a fixture, Debian's Chromium)
from .test_views import SEED_SLUG

TOOLS = settings.BASE_DIR / "tools" / "validators" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = settings.BASE_DIR / "test-artifacts" / "screenshots"
WIDTHS = [375, 1280]
# axe's impacts are minor, moderate, serious and critical: all but minor fail the test.
FAILING_IMPACTS = {"moderate", "serious", "critical"}
# WCAG 2.2 AA, which the site promises (DESIGN.md), and axe's best practices. Named, since
# axe leaves WCAG 2.2's rules (target-size) out unless asked.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def test_validators_are_installed():
    """The pinned axe-core and vnu.jar are where `make validators` puts them."""
    missing = [str(path) for path in (AXE, VNU) if not path.is_file()]
    assert not missing, f"run `make validators` to install {missing}"


@pytest.fixture
def pages(settings, tmp_path):
    """{name: address} of one page of every public type, over the fixtures' releases (a
    release with attachments, imported and uploaded, and a withdrawn one among them)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # The reference data a migration loads, gone if a live-server test ran before (its
    # database is emptied after each test).
    governments = importlib.import_module("releases.migrations.0002_government")
    governments.load_governments(django_apps, None)
    assert import_releases([FIXTURES]).errors == []
    publisher = User.objects.create_superuser("publisher")
    withdrawn = Release.objects.get(slug=SEED_SLUG)
    states.withdraw(withdrawn, "Replaced by the 2022 trade strategy.", publisher)
    attached = Release.objects.get(source_url__endswith="/government-strengthens-cyber-security")
    assert attached.attachments  # imported ones, from its front matter
    report = pdf()
    Attachment.objects.create(
        release=attached,
        title="Cyber security strategy",
        file=ContentFile(report, name="strategy.pdf"),
        content_type="application/pdf",
        size=len(report),
    )
    release = Release.objects.published().get(
        source_url__endswith="/new-zealand-assist-following-cyclone-gita"
    )
    return {
        "home": "/",
        "release-list": "/releases/",
        "release-list-filtered": "/releases/?portfolio=trade-and-export-growth&year=2021",
        "release-list-searched": "/releases/?q=trade",
        "release-list-invalid-filter": "/releases/?year=abc&portfolio=no-such-portfolio",
        "release": release.get_absolute_url(),
        "release-with-attachments": attached.get_absolute_url(),
        "release-withdrawn": withdrawn.get_absolute_url(),
        "portfolios": "/portfolios/",
        "portfolio": Portfolio.objects.get(slug="trade-and-export-growth").get_absolute_url(),
        "ministers": "/ministers/",
        "minister": Minister.objects.get(slug="damien-oconnor").get_absolute_url(),
        "governments": "/governments/",
        "government": Government.objects.get(slug="sixth-labour").get_absolute_url(),
        "not-found": "/releases/no-such-release/",
    }


def expected_status(name):
    return 404 if name == "not-found" else 200


@pytest.mark.django_db(transaction=True)  # the live server reads from another thread
def test_axe_finds_nothing_on_any_page_type_at_375_and_1280_px(live_server, browser, pages):  # noqa: F811
    """axe-core finds no moderate, serious or critical violation on any public page type,
    on a phone or a desktop; a full-page screenshot of each is kept."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    axe = AXE.read_text(encoding="utf-8")
    found = []
    for width in WIDTHS:
        # The pages' Content-Security-Policy would refuse the injected axe script.
        context = browser.new_context(
            viewport={"width": width, "height": 900},
            bypass_csp=True,
            timezone_id="Pacific/Auckland",
        )
        # Offline: images on other hosts (the old site's) fail at once.
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(live_server.url)
                else route.abort()
            ),
        )
        page = context.new_page()
        for name, address in pages.items():
            response = page.goto(live_server.url + address)
            assert response.status == expected_status(name), (name, address)
            page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
            page.add_script_tag(content=axe)
            results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
            found += [
                f"{name} at {width} px ({address}): {violation['id']} ({violation['impact']}) "
                f"on {', '.join(' '.join(node['target']) for node in violation['nodes'][:5])}"
                f"{' …' if len(violation['nodes']) > 5 else ''}: {violation['help']}"
                for violation in results["violations"]
                if violation["impact"] in FAILING_IMPACTS
            ]
        context.close()
    assert not found, f"{len(found)} axe violations:\n" + "\n".join(found)


@pytest.mark.django_db
def test_nu_html_checker_finds_no_errors_on_any_page_type_or_release(client, pages, tmp_path):
    """The Nu Html Checker finds no error in the HTML of any public page type nor of any
    release page of the fixtures (244: every one listed, past the 200 asked)."""
    releases = list(Release.objects.published().values_list("slug", flat=True))
    assert len(releases) == 244  # the 251 fixtures less the one withdrawn and six copies
    to_check = pages | {f"release-{slug}": f"/releases/{slug}/" for slug in releases}
    folder = tmp_path / "html"
    folder.mkdir()
    for name, address in to_check.items():
        response = client.get(address)
        assert response.status_code == expected_status(name), (name, address)
        (folder / f"{name}.html").write_bytes(response.content)
    assert len(list(folder.iterdir())) == len(pages) + len(releases)
    # One JVM for every file: starting Java once per page would take minutes.
    checked = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(checked.stderr)["messages"]
    errors = [
        f"{m['url'].rsplit('/', 1)[-1]} line {m.get('lastLine', '?')}: {m['message']}"
        f" [{m.get('extract', '').strip()[:120]}]"
        for m in messages
    ]
    assert not errors, f"{len(errors)} Nu Html Checker errors:\n" + "\n".join(errors)
    assert checked.returncode == 0, checked.stderr
