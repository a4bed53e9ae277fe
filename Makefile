# `make run` and `make test` are the two set-up commands in the README.
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/beehive

.PHONY: run test test-sqlite test-postgres bench postgres lint chromium libarchive

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## Run the site on SQLite with the sample releases, at http://127.0.0.1:8000/
run: $(VENV)/.installed libarchive
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_releases fixtures/releases
	DEBUG=1 $(PY) manage.py demo_admin
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

## The whole test suite, on SQLite and then on PostgreSQL
test: test-sqlite test-postgres

test-sqlite: $(VENV)/.installed libarchive chromium
	DATABASE_URL=sqlite:///:memory: $(PY) -m pytest

test-postgres: $(VENV)/.installed libarchive postgres chromium
	DATABASE_URL=$(PG_URL) $(PY) -m pytest

## Debian's Chromium for the browser tests, if missing (never a browser build from elsewhere).
chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

## The C library libarchive-c reads archives with (Debian ships it), if missing
libarchive:
	@ldconfig -p | grep -q 'libarchive\.so\.13' || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libarchive13)

## Start the machine's PostgreSQL server if it is not running
postgres:
	pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	until pg_isready -q -h 127.0.0.1 -p 5432; do sleep 0.5; done

## Speed and memory figures on the full corpus (SQLite and PostgreSQL)
bench: $(VENV)/.installed libarchive postgres
	$(PY) bench/imports.py
	$(PY) bench/search.py
	$(PY) bench/site.py
	$(PY) bench/hostile.py
	$(PY) bench/editorial.py

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
