# Two commands for a fresh clone: `make run` and `make test`. `make` alone lists the rest.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT
# Links in the demo's mail point at the demo (production sets SITE_URL to its public address).
SITE_URL ?= http://$(HOST):$(PORT)
export SITE_URL
# pgserver keeps its lock file and, for long paths, its socket under XDG_RUNTIME_DIR.
export XDG_RUNTIME_DIR ?= /tmp/forum-runtime-$(shell id -u)

# Start the embedded database unless it runs already (or DATABASE_URL is set), and stop it on
# exit only if this command started it, so `make test` never stops the database of a `make run`.
WITH_DB = mkdir -p -m 700 $(XDG_RUNTIME_DIR); \
	if [ "$$($(PY) -m forum.database start)" = started ]; then \
	  trap '$(PY) -m forum.database stop' EXIT; trap 'exit 130' INT TERM; fi;

.DEFAULT_GOAL := help
.PHONY: help run test lint format migrations-check db-stop clean clean-data screenshots messages compile

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-18s %s\n", $$1, $$2}'

$(VENV)/.installed-run: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run ## Serve the site with demo content on http://$(HOST):$(PORT), with a task worker
	@$(WITH_DB) \
	$(PY) manage.py migrate --noinput -v0 && \
	$(PY) manage.py collectstatic --noinput -v0 && \
	$(PY) manage.py demo && \
	echo "Site:  http://$(HOST):$(PORT)/" && \
	echo "Admin: http://$(HOST):$(PORT)/admin/  (user 'admin'; the password was printed when it was created, or set DJANGO_SUPERUSER_PASSWORD)" && \
	echo "Mail:  a task worker delivers it; the demo prints it here (EMAIL_URL=console://)." && \
	echo "Press Ctrl-C to stop. (ACCESS_LOG=1 make run logs every request.)" && \
	ACCESS_LOG=$${ACCESS_LOG:-0} $(PY) manage.py serve

test: $(VENV)/.installed-dev lint node_modules/.installed ## Lint, then run the whole test suite (PYTEST_ARGS=... to narrow it)
	@$(WITH_DB) $(VENV)/bin/pytest $(PYTEST_ARGS)

# axe-core and html-validate for the accessibility tests, pinned in package-lock.json.
node_modules/.installed: package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility tests will be skipped"; fi

lint: $(VENV)/.installed-dev ## Check formatting and lint with ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev ## Format the code and apply safe lint fixes
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: $(VENV)/.installed-dev ## Fail if the models have changes without a migration
	@$(WITH_DB) $(PY) manage.py makemigrations --check --dry-run

# Translations (#27), with Babel alone (no GNU gettext needed): `messages` extracts every
# marked word (Python, Django and Jinja2 templates, the scripts) and updates each language's
# catalogues; `compile` builds the .mo files Django reads, which are committed, so that a fresh
# clone serves every language without this step. tests/test_languages.py checks both.
LANGUAGES := fr de es ar
PYBABEL := $(VENV)/bin/pybabel
BABEL_KEYWORDS := -k gettext_lazy -k ngettext_lazy:1,2 -k pgettext_lazy:1c,2 -k npgettext_lazy:1c,2,3
messages: $(VENV)/.installed-dev ## Extract the words to translate into locale/<language>/LC_MESSAGES/*.po
	@mkdir -p var/messages
	$(PYBABEL) -q extract -F babel.cfg $(BABEL_KEYWORDS) --no-wrap --sort-by-file -o var/messages/django.pot .
	$(PYBABEL) -q extract -F babel-js.cfg --no-wrap --sort-by-file -o var/messages/djangojs.pot .
	@for lang in $(LANGUAGES); do for domain in django djangojs; do \
	  $(PYBABEL) -q update -D $$domain -i var/messages/$$domain.pot -d locale -l $$lang \
	    --init-missing --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date --no-wrap || exit 1; \
	done; done

compile: $(VENV)/.installed-dev ## Build the translations' .mo files from the .po files
	@for domain in django djangojs; do $(PYBABEL) compile -D $$domain -d locale --statistics || exit 1; done

.PHONY: backup restore
backup: $(VENV)/.installed-run ## Dump the database to var/backups/forum-<timestamp>.dump
	@$(WITH_DB) $(PY) -m forum.backup dump

restore: $(VENV)/.installed-run ## Replace the database's data with a backup: make restore FILE=...
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/forum-....dump" >&2; exit 2; }
	@$(WITH_DB) $(PY) -m forum.backup restore "$(FILE)"

.PHONY: bench
$(VENV)/.installed-bench: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e '.[dev,bench]'
	touch $@ $(VENV)/.installed-dev $(VENV)/.installed-run

# Its own throwaway PostgreSQL in /tmp/forum-bench-pg, never var/postgres (issue #7). Bounded by
# `timeout`: the full run takes under 10 minutes on 2 cores, QUICK=1 under one; BIG=1 (a million
# comments, bench/big.py) about half an hour.
BENCH_QUICK := $(filter 1 yes true,$(QUICK))
BENCH_BIG := $(filter 1 yes true,$(BIG))
bench: $(VENV)/.installed-bench ## Benchmark the article page and posting (QUICK=1: 100 and 1,000 comments only; BIG=1: a million)
	@command -v wrk >/dev/null || echo "wrk not found: install it with 'apt-get install -y wrk'; using a slower Python load client instead"
	@mkdir -p -m 700 $(XDG_RUNTIME_DIR)
	@if [ -n "$(BENCH_BIG)" ]; then timeout -k 30 5400 $(PY) -m bench.big; \
	else timeout -k 30 $(if $(BENCH_QUICK),300,1200) $(PY) -m bench.run $(if $(BENCH_QUICK),--quick); fi

screenshots: $(VENV)/.installed-dev ## Photograph the demo for the README: docs/images/*.png (needs Chromium)
	@mkdir -p -m 700 $(XDG_RUNTIME_DIR)
	@timeout -k 10 300 $(PY) docs/screenshots.py

db-stop: ## Stop the embedded PostgreSQL if it is running
	@$(PY) -m forum.database stop

# Two steps (issue #24): `clean` keeps the data, `clean-data` asks before it deletes any.
clean: ## Remove the virtualenv, node_modules and collected static files; keeps the data in var/
	rm -rf $(VENV) node_modules var/staticfiles var/screenshots

DATA := var
clean-data: ## Delete var/ (the embedded database, the backups, the demo's secret key), after asking
	@printf 'This deletes $(DATA)/: the database in $(DATA)/postgres, every backup in $(DATA)/backups and the secret key.\nType "delete" to go on: '; \
	read -r answer; [ "$$answer" = delete ] || { echo "Nothing deleted."; exit 1; }
	@$(PY) -m forum.database stop
	rm -rf $(DATA)
