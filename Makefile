# planner: two commands.
#   make run    set up (first time) and start the app on http://127.0.0.1:5000 with its scheduler
#   make test   set up (first time) and run every check CI runs
# Works on a fresh Debian machine with Python 3.11, as root (it installs the Debian packages it needs).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Stamps record that the venv holds the current requirements; pip runs again only when a file changed.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-input
PYTEST := $(BIN)/pytest -W error
# The tiers that touch the database run on PostgreSQL too; the concurrency tier when it exists.
POSTGRESQL_TESTS := tests/integration tests/web $(wildcard tests/concurrency)
# Debian packages the tests use, each with the file that shows it is installed.
TEST_PACKAGES := postgresql='/usr/lib/postgresql/*/bin/pg_ctl' chromium=/usr/bin/chromium
# axe-core, the accessibility check the browser tests inject into each page: the npm package at the
# version tests/browser/package-lock.json pins (with its hash), installed into tests/browser/node_modules.
AXE := tests/browser/node_modules/axe-core/axe.min.js

.PHONY: help run test lint test-sqlite test-postgresql bench clean venv dev-venv test-packages browser-packages

help:
	@echo "make run              set up and start the app (http://127.0.0.1:5000) and its scheduler"
	@echo "make test             lint, then the suite on SQLite, then on PostgreSQL (what CI runs)"
	@echo "make lint             ruff check and import-linter (the layer rule)"
	@echo "make test-sqlite      pytest on SQLite: every tier"
	@echo "make test-postgresql  pytest on a throwaway PostgreSQL server: $(POSTGRESQL_TESTS)"
	@echo "make bench            bench/run_all.sh"
	@echo "make clean            remove the venv and caches (keeps instance/, your database)"

# --- setup -------------------------------------------------------------------------------------

$(BIN)/python:
	@# Debian's python3 creates venvs only with python3-venv installed (it carries ensurepip).
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || scripts/debian-packages.sh python3-venv
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

$(RUNTIME_STAMP): requirements.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements-dev.txt requirements.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements-dev.txt
	@touch $@ $(RUNTIME_STAMP)

venv: $(RUNTIME_STAMP)
dev-venv: $(DEV_STAMP)

test-packages: browser-packages
	@scripts/debian-packages.sh $(TEST_PACKAGES)

# npm ci runs again only when the lock file changed; it installs exactly what the lock file says.
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@command -v npm >/dev/null || scripts/debian-packages.sh npm
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	@touch $@

browser-packages: $(AXE)

# --- run ---------------------------------------------------------------------------------------

run: $(RUNTIME_STAMP)
	scripts/run.sh

# --- checks ------------------------------------------------------------------------------------

# --keep-going: a lint failure still lets the suites run, so one CI run reports everything;
# make still exits non-zero if any step failed. -j2: the two suites run side by side (their
# databases, ports and browsers are their own), which keeps the whole run under 15 minutes on
# two cores; --output-sync keeps each one's report in one piece.
test: $(DEV_STAMP) test-packages
	@$(MAKE) --keep-going -j2 --output-sync=target lint test-sqlite test-postgresql

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

test-sqlite: $(DEV_STAMP) test-packages
	$(PYTEST) tests

test-postgresql: $(DEV_STAMP) test-packages
	$(PYTEST) --db=postgresql $(POSTGRESQL_TESTS)

bench: $(DEV_STAMP) test-packages
	@if [ -x bench/run_all.sh ]; then bench/run_all.sh; \
	elif [ -f bench/run_all.sh ]; then bash bench/run_all.sh; \
	else echo "make bench: bench/run_all.sh does not exist yet; nothing to run." >&2; fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .import_linter_cache .hypothesis tests/browser/node_modules
	find . -name __pycache__ -type d -not -path './.git/*' -prune -exec rm -rf {} +
