"""Two app servers behind one database and one cache, as production runs: real gunicorn
processes on loopback sharing a real PostgreSQL database and a real Redis, both started by
this test. Whatever DATABASE_URL the suite runs on, this test uses PostgreSQL: it is what
several servers share.

A release published through one server is on the other's pages at once, a scheduled one
appears on time on both, and with Redis stopped both go on serving pages, uncached.
"""

import datetime
import http.cookies
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR
DATABASE = "beehive_two_servers"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
PASSWORD = "two-servers-password"
SCHEDULED_IN = 8  # seconds: long enough to see it absent from both servers first


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(ready, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not come up within {timeout} s")


class Server:
    """Plain HTTP to one server, keeping its cookies (they are marked Secure, as in
    production, so a standard cookie jar would not send them back over plain HTTP)."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.cookies = {}

    def request(self, path, data=None):
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(data).encode() if data is not None else None,
            headers={"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())},
        )
        opener = urllib.request.build_opener(NoRedirects)
        try:
            response = opener.open(request, timeout=10)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            self.cookies.update({name: morsel.value for name, morsel in cookie.items()})
        return response.status, response.read().decode()

    def get(self, path):
        return self.request(path)

    def csrf_token(self, path):
        status, page = self.get(path)
        assert status == 200, (path, status)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def log_in(self, username):
        token = self.csrf_token("/admin/login/")
        status, _ = self.request(
            "/admin/login/?next=/admin/",
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        )
        assert status == 302, "the publisher could not log in"

    def alive(self):
        try:
            return self.get("/robots.txt")[0] == 200
        except OSError:
            return False


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def manage(*args, env):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   capture_output=True)  # fmt: skip


def shell(code, env):
    manage("shell", "-c", code, env=env)


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """Production settings on a fresh PostgreSQL database with the sample releases, the
    static files collected, and a Redis of its own on a free port."""
    for sql in (f"DROP DATABASE IF EXISTS {DATABASE}", f"CREATE DATABASE {DATABASE}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    redis_port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "CACHE_URL": f"redis://127.0.0.1:{redis_port}/0",
        "DEBUG": "0",
        "SECRET_KEY": "two-servers-test-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(tmp_path_factory.mktemp("static")),
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        "DJANGO_SETTINGS_MODULE": "beehive.settings",  # not the suite's own
    }
    manage("migrate", "--noinput", env=env)
    manage("collectstatic", "--noinput", env=env)
    manage("load_releases", str(ROOT / "fixtures" / "releases"), env=env)
    manage("createsuperuser", "--noinput", "--username", "publisher", "--email", "p@example.org",
           env=env)  # fmt: skip
    yield env, redis
    redis.kill()
    redis.wait()
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                    f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"], check=True)  # fmt: skip


@pytest.fixture(scope="module")
def servers(production, tmp_path_factory):
    env, _ = production
    logs = tmp_path_factory.mktemp("logs")
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "beehive.wsgi",
            ],  # fmt: skip
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(logs / f"{port}.log").open("w"),
        )
        for port in ports
    ]
    servers = [Server(port) for port in ports]
    for server in servers:
        wait_until(server.alive, server.base)
    yield servers, [logs / f"{port}.log" for port in ports]
    for process in processes:
        process.terminate()
        process.wait(timeout=30)


def test_two_servers_share_one_database_and_one_cache(production, servers):
    env, redis = production
    (one, two), logs = servers
    assert shutil.which("redis-server")

    # Both have the list cached; a draft is on neither.
    shell(
        "import datetime; from releases.models import Release; Release.objects.create("
        "title='Tunnel opens', slug='tunnel-opens', date=datetime.date.today(), "
        "status=Release.Status.DRAFT, body='The tunnel is open.')",
        env,
    )
    for server in (one, two):
        for _ in range(2):
            status, page = server.get("/releases/")
            assert status == 200 and "Tunnel opens" not in page

    # Published through the first server's admin; the second shows it on its next request.
    one.log_in("publisher")
    status, changelist = one.get("/admin/releases/release/?q=Tunnel")
    draft_id = re.search(r'name="_selected_action" value="(\d+)"', changelist).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', changelist).group(1)
    status, _ = one.request(
        "/admin/releases/release/?q=Tunnel",
        {
            "csrfmiddlewaretoken": token,
            "action": "publish_selected",
            "index": "0",
            "_selected_action": draft_id,
        },  # fmt: skip
    )
    assert status == 302
    one.cookies.clear()  # the public again, whose pages are cached
    status, page = two.get("/releases/")
    assert status == 200 and "Tunnel opens" in page
    assert "Tunnel opens" in two.get("/releases/tunnel-opens/")[1]

    # Scheduled a few seconds ahead: on neither before its time, on both after, with
    # nothing written in between.
    go_live = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=SCHEDULED_IN)
    shell(
        "import datetime; from releases.models import Release; Release.objects.create("
        "title='Bridge opens at nine', slug='bridge-opens-at-nine', date=datetime.date.today(), "
        f"status=Release.Status.PUBLISHED, published_at=datetime.datetime.fromisoformat("
        f"'{go_live.isoformat()}'), body='The bridge is open.')",
        env,
    )
    for server in (one, two):
        assert "Bridge opens at nine" not in server.get("/releases/")[1]
        assert server.get("/releases/bridge-opens-at-nine/")[0] == 404
    time.sleep(max(0, (go_live - datetime.datetime.now(datetime.UTC)).total_seconds()) + 0.5)
    for server in (one, two):
        assert "Bridge opens at nine" in server.get("/releases/")[1]
        assert server.get("/releases/bridge-opens-at-nine/")[0] == 200

    # The pages both built are kept in the one Redis.
    keys = subprocess.run(["redis-cli", "-p", env["CACHE_URL"].rsplit(":", 1)[1].split("/")[0],
                           "--scan", "--pattern", "beehive:1:page:*"],
                          capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    assert len(keys) >= 4, keys

    # Redis stops: every page still answers, built afresh, and the log says why.
    redis.kill()
    redis.wait()
    for server in (one, two):
        for path in ("/", "/releases/", "/releases/tunnel-opens/", "/sitemap.xml"):
            status, page = server.get(path)
            assert status == 200, (server.base, path, status)
        assert "Bridge opens at nine" in server.get("/releases/")[1]
    for log in logs:
        text = log.read_text()
        assert "The cache is failing" in text, text
        assert "Traceback" not in text
