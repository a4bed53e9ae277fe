"""Running in production: gunicorn as gunicorn.conf.py sets it up, /healthz, a plain 503
page while the database is unreachable, X-Forwarded-Proto believed only behind trusted
proxies, logs an operator can read, and `check --deploy` clean. The servers are real
gunicorn processes with production settings (DEBUG off), as an operator would start them."""

import contextlib
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.robotparser import RobotFileParser

import pytest
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.urls import reverse

from beehive.middleware import DatabaseUnavailableMiddleware
from releases.models import Minister, Portfolio

from .test_views import make_named, make_release

pytestmark = pytest.mark.django_db

# What an operator's environment holds, with DEBUG off; each test adds the rest.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1",
    "WEB_CONCURRENCY": "1",
}
# One line a request: address, X-Forwarded-For, time, request, status, bytes, duration,
# referrer and user agent (gunicorn.conf.py).
ACCESS_LINE = (
    r'127\.0\.0\.1 - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "GET /healthz HTTP/1\.1" '
    r'200 16 bytes \d+ ms "-" "monitor/1\.0"'
)
# settings.LOGGING: time with its offset, process, level, logger, message.
LOG_TIME = r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\] \[\d+\] "


def log_line(level, logger, message):
    """A pattern for one line of the site's log; `message` is a pattern too."""
    return LOG_TIME + rf"\[{level}\] {re.escape(logger)}: {message}"


def free_port():
    """A port nothing listens on (the kernel's choice, released again)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url():
    """The address of the database the tests use. SQLite's is in memory, so a server
    gets one of its own: enough for /healthz, which reads no table."""
    if connection.vendor == "sqlite":
        return "sqlite:///:memory:"
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def unreachable_database_url(tmp_path):
    """An address of this kind of database that cannot be opened: SQLite's file in a folder
    that does not exist, PostgreSQL on a port nothing listens on."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite3'}"
    return f"postgres://postgres@127.0.0.1:{free_port()}/beehive"


class Server:
    """A gunicorn started as in production; `logs()` stops it and gives (stdout, stderr)."""

    def __init__(self, **env):
        self.url = f"http://127.0.0.1:{free_port()}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "beehive.wsgi"],
            cwd=settings.BASE_DIR,  # where gunicorn finds gunicorn.conf.py
            env=production_environ(GUNICORN_BIND=self.url[7:], **env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while not self._listening():
            assert self.process.poll() is None, self.process.communicate()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.05)

    def _listening(self):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
            return True
        return False

    @property
    def port(self):
        return int(self.url.rsplit(":", 1)[1])

    def get(self, path, headers=None):
        """(status, headers, body) of a GET, redirects not followed."""
        request = urllib.request.Request(self.url + path, headers=headers or {})
        opener = urllib.request.build_opener(NoRedirects)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def logs(self):
        self.process.terminate()
        return self.process.communicate(timeout=60)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """The static files, collected as a deployment does: pages name them by their hash."""
    root = tmp_path_factory.mktemp("static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env={**production_environ(), "STATIC_ROOT": str(root)},
        check=True,
    )
    return root


def production_environ(**env):
    """This process's environment with production settings, not the tests' own."""
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return {**environ, **PRODUCTION, **env}


@pytest.fixture
def serve(static_root):
    """serve(**env) starts a production gunicorn; every one started is stopped after."""
    servers = []

    def serve(**env):
        servers.append(Server(STATIC_ROOT=str(static_root), **env))
        return servers[-1]

    yield serve
    for server in servers:
        if server.process.poll() is None:
            server.logs()


# /healthz -----------------------------------------------------------------------------------


def test_healthz_answers_ok_and_is_never_cached(client):
    """/healthz answers 200 {"status": "ok"} while the database answers, marked no-store."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_healthz_is_kept_from_crawlers_and_sitemaps(client):
    """robots.txt keeps crawlers off /healthz, and no sitemap lists it."""
    make_release(
        portfolios=[make_named(Portfolio, "Health")], ministers=[make_named(Minister, "A B")]
    )
    robots = RobotFileParser()
    robots.parse(client.get("/robots.txt").content.decode().splitlines())
    assert not robots.can_fetch("*", "http://testserver/healthz")
    assert robots.can_fetch("*", "http://testserver/releases/")
    sitemaps = [client.get(reverse("releases:sitemap")).content.decode()]
    for section in ["releases", "portfolios", "ministers"]:
        url = reverse("releases:sitemap-section", args=[section])
        sitemaps.append(client.get(url).content.decode())
    assert "release-" in sitemaps[1]  # the release made above is listed
    assert not any("healthz" in sitemap for sitemap in sitemaps)


def test_gunicorn_answers_health_checks_over_http_and_logs_each_request_on_one_line(serve):
    """A production server answers a load balancer's plain-HTTP health check with 200 (its
    pages redirect to HTTPS) and logs the request as one readable access line on stdout."""
    server = serve(DATABASE_URL=database_url())
    status, headers, body = server.get("/healthz", {"User-Agent": "monitor/1.0"})
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert "no-store" in headers["Cache-Control"]
    status, headers, _ = server.get("/robots.txt")
    assert (status, headers["Location"]) == (301, f"https://127.0.0.1:{server.port}/robots.txt")
    out, err = server.logs()
    assert re.fullmatch(ACCESS_LINE, out.splitlines()[0]), out
    assert "Traceback" not in err


# The database unreachable --------------------------------------------------------------------

PAGES = [
    "/",
    "/releases/",
    "/releases/?q=tax&portfolio=health",
    "/releases/a-release/",
    "/portfolios/",
    "/portfolios/health/",
    "/ministers/",
    "/ministers/a-minister/",
    "/governments/",
    "/governments/sixth-labour/",
    "/releases/feed/",
    "/portfolios/health/feed/atom/",
    "/sitemap.xml",
    "/sitemap-releases.xml",
    "/release/an-old-address",
    "/admin/login/",
]


def test_every_page_is_a_plain_503_while_the_database_is_unreachable(serve, tmp_path):
    """With the database unreachable, every page that needs it answers a plain 503 page
    asking to retry (no traceback, no 500), /healthz says so, and the log says why in
    one line a request."""
    server = serve(DATABASE_URL=unreachable_database_url(tmp_path), SECURE_SSL_REDIRECT="0")
    for path in PAGES:
        # As from a signed-in editor's browser: the admin reads the session from the database.
        status, headers, body = server.get(path, {"Cookie": "sessionid=a-staff-session"})
        assert (path, status, headers["Retry-After"]) == (path, 503, "30")
        assert "<h1>Temporarily unavailable</h1>" in body
        assert "Traceback" not in body and "Error" not in body
    status, _, body = server.get("/healthz")
    assert (status, json.loads(body)) == (503, {"status": "unavailable"})
    _, err = server.logs()
    assert "Traceback" not in err
    lines = err.splitlines()
    for path in PAGES:
        logged = log_line(
            "ERROR", "django.request", f"Service Unavailable: {re.escape(path.split('?')[0])}"
        )
        assert any(re.fullmatch(logged, line) for line in lines), (path, err)
    unavailable = log_line("ERROR", "beehive.middleware", "Database unavailable: .+")
    assert sum(bool(re.fullmatch(unavailable, line)) for line in lines) == len(PAGES)


def test_a_failing_query_on_a_working_connection_stays_a_server_error(rf):
    """A database error while the database is reachable (here a missing table, or a query
    timed out) is a fault to fix, shown and logged as a 500, not hidden as an outage."""
    failing = {
        "sqlite": ["SELECT * FROM no_such_table"],
        "postgresql": ["SET LOCAL statement_timeout = 1", "SELECT pg_sleep(1)"],
    }[connection.vendor]
    with pytest.raises(OperationalError) as caught, transaction.atomic():
        with connection.cursor() as cursor:
            for statement in failing:
                cursor.execute(statement)
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    assert middleware.process_exception(rf.get("/"), caught.value) is None


# Behind proxies ----------------------------------------------------------------------------


@pytest.mark.parametrize(("proxies", "status"), [("0", 301), ("1", 200)])
def test_x_forwarded_proto_is_believed_only_behind_trusted_proxies(serve, proxies, status):
    """ "X-Forwarded-Proto: https" from a client reached directly is not believed: the page
    still redirects to HTTPS. Behind TRUSTED_PROXY_COUNT proxies, which set it, it is."""
    server = serve(DATABASE_URL=database_url(), TRUSTED_PROXY_COUNT=proxies)
    assert server.get("/robots.txt", {"X-Forwarded-Proto": "https"})[0] == status
    assert server.get("/robots.txt")[0] == 301


@pytest.mark.parametrize("proxies", ["0", "1"])
def test_deploy_checks_find_no_issue_with_production_settings(proxies):
    """`manage.py check --deploy` with production settings reports nothing, not even a
    warning, with or without proxies in front."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=production_environ(TRUSTED_PROXY_COUNT=proxies),
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "System check identified no issues (0 silenced).\n",
        "",
    )
