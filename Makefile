# Masthead — the README's two commands are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# A Python >= 3.12: $(PYTHON) if given, else the first of python3.13/python3.12 found on PATH or under pyenv.
PYTHON ?= $(shell for c in python3.12 python3.13 $$HOME/.pyenv/versions/3.12*/bin/python3 $$HOME/.pyenv/versions/3.13*/bin/python3 /usr/local/bin/python3.12 /usr/bin/python3.12 python3; do \
	p=$$(command -v $$c 2>/dev/null) || continue; \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := masthead.settings

.PHONY: help venv setup run test lint format bench bench-archive soak clean

help:
	@echo "make run    — set up and serve the demo site at http://$(HOST):$(PORT)"
	@echo "make test   — set up and run the whole test suite (lint included)"
	@echo "make lint   — ruff check, ruff format --check and the import contract (lint-imports)"
	@echo "make bench  — the reader pages against the floor (F), wrk; BASE=<git ref> also measures that commit, turn about"
	@echo "make soak   — 5 minutes of mixed readers on PostgreSQL + Redis with 2 workers"

$(VENV)/.installed: requirements.lock
	@test -n "$(PYTHON)" || { echo "No Python >= 3.12 found. Install one or run: make PYTHON=/path/to/python3.12 ..."; exit 1; }
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

venv: $(VENV)/.installed

# Compiled translations, migrations and static files: what every run and test needs.
setup: venv
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv -v 0
	DEBUG=1 $(PY) manage.py migrate --noinput -v 0

run: setup
	DEBUG=1 $(PY) manage.py load_demo --site-url http://$(HOST):$(PORT)
	@echo "Serving the demo at http://$(HOST):$(PORT)  (Ctrl-C stops it)"
	DEBUG=1 MASTHEAD_LOCAL_TAX_RATE="$${MASTHEAD_LOCAL_TAX_RATE-VAT 20%}" $(PY) manage.py runserver --noreload $(HOST):$(PORT)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

test: setup lint
	$(VENV)/bin/pytest
	@if [ "$$CI" = "true" ] || pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		echo "== the suite again on PostgreSQL (127.0.0.1:5432) =="; \
		DATABASE_URL=$${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test} $(VENV)/bin/pytest -m "not browser" -p no:cacheprovider; \
	else \
		echo "PostgreSQL is not reachable at 127.0.0.1:5432: the PostgreSQL run is skipped (CI runs it)."; \
	fi

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(PY) bench/run.py $(if $(BASE),--base $(BASE))

bench-archive: setup
	$(PY) bench/archive.py

soak: setup
	$(PY) bench/soak.py

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache test-artifacts
