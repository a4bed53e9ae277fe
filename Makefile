# `make run` and `make test` are the two set-up commands in the README. Neither calls a
# tool outside a plain user's PATH; whatever is missing is named, with what to do.
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/beehive
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres bench postgres lint chromium libarchive wrk redis validators java node

# $(call apt_install,package,what is missing): install a Debian package when run as root,
# otherwise say which one to install. (No commas in the second argument.)
apt_install = { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1); \
	else \
	  echo "$(2) is missing: install Debian's $(1) (sudo apt-get install $(1)), then run make again." >&2; \
	  exit 1; \
	fi; }

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "This needs Python 3.11 or later as python3; found: $$(python3 --version 2>&1)." >&2; exit 1; }
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## Run the site on SQLite with the sample releases, at http://127.0.0.1:8000/ (PORT=8001 make run)
run: $(VENV)/.installed libarchive
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_releases fixtures/releases
	DEBUG=1 $(PY) manage.py demo_admin --port $(PORT)
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

## The whole test suite, on SQLite and then on PostgreSQL (checked first, not after the SQLite run)
test: postgres test-sqlite test-postgres

test-sqlite: $(VENV)/.installed libarchive chromium redis validators
	DATABASE_URL=sqlite:///:memory: $(PY) -m pytest

test-postgres: $(VENV)/.installed libarchive postgres chromium redis validators
	DATABASE_URL=$(PG_URL) $(PY) -m pytest

## Debian's Chromium for the browser tests, if missing (never a browser build from elsewhere).
chromium:
	@command -v chromium >/dev/null || test -x /usr/bin/chromium \
	  || $(call apt_install,chromium,Chromium (for the browser tests))

## The standard validators the tests run (releases/tests/test_validators.py): axe-core and
## the Nu Html Checker, pinned in tools/validators/package-lock.json. --ignore-scripts:
## vnu-jar's install script would fetch a Java of its own; the jar needs only Debian's.
validators: tools/validators/node_modules/.package-lock.json java

tools/validators/node_modules/.package-lock.json: tools/validators/package-lock.json | node
	cd tools/validators && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

node:
	@command -v npm >/dev/null || $(call apt_install,nodejs npm,Node.js and npm (for the validators))

java:
	@command -v java >/dev/null || $(call apt_install,default-jre-headless,Java (for the Nu Html Checker))

## The C library libarchive-c reads archives with (Debian ships it), if missing. Found the
## way libarchive-c finds it (ctypes), which needs no ldconfig on the PATH.
libarchive:
	@python3 -c 'import ctypes.util, sys; sys.exit(not ctypes.util.find_library("archive"))' \
	  || $(call apt_install,libarchive13,libarchive (the C library that reads import archives))

## PostgreSQL for the tests: reachable, trusting the user in PG_URL, started if it is stopped
postgres: $(VENV)/.installed
	@$(PY) -c "$$POSTGRES_CHECK" "$(PG_URL)"

# Connects as the tests will (to the server's own `postgres` database: the test database is
# created from there); if nothing answers and this machine has a Debian cluster, starts it
# (which needs root or the postgres user) and waits up to 30 s. One line says what is wrong.
define POSTGRES_CHECK
import glob, os, shutil, subprocess, sys, time
import dj_database_url, psycopg

db = dj_database_url.parse(sys.argv[1])
where = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
params = dict(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres",
              password=db["PASSWORD"] or None, connect_timeout=3)

def refused_by_auth(error):
    return "password" in error or "pg_hba.conf" in error

def problem():
    try:
        psycopg.connect(**params).close()
    except psycopg.OperationalError as error:
        # "connection failed: connection to server at …, port … failed: <why>"
        return str(error).strip().splitlines()[0].rsplit("failed: ", 1)[-1]

error = problem()
local = db["HOST"] in ("", "localhost", "127.0.0.1", "::1")
if error and local and not refused_by_auth(error) and shutil.which("pg_ctlcluster"):
    for conf in glob.glob("/etc/postgresql/*/main"):
        version = conf.split("/")[-2]
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(60):
        error = problem()
        if not error or refused_by_auth(error):
            break
        time.sleep(0.5)
if not error:
    sys.exit(0)
if refused_by_auth(error):
    sys.exit(f"PostgreSQL at {where} does not trust user {db['USER']} ({error}): the tests need "
             "trust authentication for it in pg_hba.conf, or its password in PG_URL (README, Tests).")
if "Connection refused" in error or "timeout" in error or "No such file" in error:
    sys.exit(f"PostgreSQL is not reachable at {where}: install and start it (README, Tests), "
             "or run make test-sqlite for the SQLite half alone.")
sys.exit(f"PostgreSQL at {where} refused the tests' connection: {error} (README, Tests).")
endef
export POSTGRES_CHECK

## Speed and memory figures on the full corpus (SQLite and PostgreSQL)
bench: $(VENV)/.installed libarchive postgres wrk
	$(PY) bench/imports.py
	$(PY) bench/search.py
	$(PY) bench/site.py
	$(PY) bench/related.py
	$(PY) bench/api.py --reuse
	$(PY) bench/hostile.py
	$(PY) bench/editorial.py
	$(PY) bench/export.py
	$(PY) bench/load.py

## wrk, the HTTP load generator bench/load.py drives
wrk: redis
	@command -v wrk >/dev/null || $(call apt_install,wrk,wrk (for bench/load.py))

## Redis's server, which the two-server test and bench/load.py start a private one of
redis:
	@command -v redis-server >/dev/null || $(call apt_install,redis-server,Redis (for the two-server test))

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
