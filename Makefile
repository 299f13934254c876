# digikompas – the two set-up commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# What WeasyPrint needs to lay out the PDF reports.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0

.PHONY: bench help demo test test-sqlite test-postgres security loadtest lint format messages translations lock serve clean

help:
	@echo "make demo    install, migrate, load the national demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test    install everything and run the whole suite on SQLite and PostgreSQL, with the browser tests"
	@echo "make lint    ruff check and format check"
	@echo "make bench   time the gap engine against pandas, the gap report from SQLite and PostgreSQL, the results page, the COUNTER import against pycounter (about 7 minutes, 8 GB of memory)"
	@echo "make translations   update the message catalogues (locale/*/LC_MESSAGES/django.po)"
	@echo "make lock    re-pin the Python dependencies (requirements/*.lock) from pyproject.toml"

$(VENV)/bin/python:
	@python=$$(scripts/find-python) && echo "Creating $(VENV) with $$python" && "$$python" -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip

$(VENV)/.installed-base: requirements/base.lock | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/base.lock
	@touch $@

$(VENV)/.installed-dev: requirements/dev.lock | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.lock
	@touch $@ $(VENV)/.installed-base

node_modules/.installed: package-lock.json
	@scripts/ensure-debian-packages npm
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

messages: $(VENV)/.installed-base
	@scripts/ensure-debian-packages gettext
	@cd digikompas && ../$(PY) ../manage.py compilemessages -v0

demo: $(VENV)/.installed-base node_modules/.installed messages
	@scripts/ensure-debian-packages $(PDF_PACKAGES)
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) createcachetable
	$(MANAGE) load_demo
	$(MANAGE) load_default_framework
	$(MANAGE) load_default_surveys
	$(MANAGE) load_survey_demo
	$(MANAGE) load_offers_demo
	$(MANAGE) load_pilot_demo
	$(MANAGE) load_leadership_demo
	@echo "Starting the task worker (sends survey invitations) next to the server."
	@$(MANAGE) db_worker -v0 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
		$(MANAGE) runserver $(HOST):$(PORT)

serve: $(VENV)/.installed-base node_modules/.installed messages
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev node_modules/.installed messages
	@scripts/ensure-debian-packages postgresql chromium $(PDF_PACKAGES)
	$(MAKE) lint
	$(MAKE) security
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run -v1
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite:
	@echo "== test suite on SQLite =="
	$(PY) -m pytest $(PYTEST_ARGS)

# No test waits minutes for a lock or a statement: a hang fails its test, with the server's
# word on who held the lock, instead of running into CI's time limit.
test-postgres:
	@echo "== test suite on PostgreSQL =="
	PGOPTIONS="-c lock_timeout=120s -c statement_timeout=300s" \
	  scripts/with-postgres $(PY) -m pytest $(PYTEST_ARGS)

# Load and faults against PostgreSQL and gunicorn on loopback (about 90 s): prints throughput and
# latency, restarts PostgreSQL and kills the task worker mid-import, and checks exactly-once.
loadtest: $(VENV)/.installed-dev node_modules/.installed messages
	@scripts/ensure-debian-packages postgresql
	$(PY) -m loadtest

# Static analysis of our code (bandit) and the known vulnerabilities of every pinned dependency
# (pip-audit; scripts/audit-dependencies names the packages it could not check).
security: $(VENV)/.installed-dev
	$(VENV)/bin/bandit -c pyproject.toml -r digikompas -q
	$(PY) scripts/audit-dependencies

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

translations: $(VENV)/.installed-dev
	cd digikompas && ../$(PY) ../manage.py makemessages -l da --no-obsolete

# pycounter, the reference of bench/counter_import.py, in an environment of its own: it pins an
# old python-dateutil, so it is never a dependency of the app or its tests.
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: requirements/bench.lock
	@python=$$(scripts/find-python) && "$$python" -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/bench.lock
	@touch $@

bench: $(VENV)/.installed-dev node_modules/.installed messages $(BENCH_VENV)/.installed
	@scripts/ensure-debian-packages postgresql $(PDF_PACKAGES)
	$(PY) -m bench.gap_engine
	$(PY) -m bench.gap_report_db
	scripts/with-postgres $(PY) -m bench.gap_report_db
	$(PY) -m bench.counter_import
	scripts/with-postgres $(PY) -m bench.counter_import

lock: $(VENV)/.installed-dev
	$(VENV)/bin/pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --python-version 3.12 -q -o requirements/base.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.12 -q -o requirements/dev.lock

clean:
	rm -rf $(VENV) $(BENCH_VENV) node_modules staticfiles
