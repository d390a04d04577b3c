# motcua — the newcomer's path is code: make run · make test · make lint · make bench
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.11+; Django 6.x is installed where Python >= 3.12, 5.2 LTS on 3.11 (docs/adr/0001).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | $(PYTHON) -c "import hashlib,sys;print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:12])")

.PHONY: help run test lint messages install clean bench bench-catalog bench-signing drill

help:
	@echo "make run    set up and run motcua on http://127.0.0.1:$(PORT) (SQLite, demo data)"
	@echo "make test   set up and run the whole test suite (PostgreSQL when DATABASE_URL is set)"
	@echo "make lint   ruff, mypy, import-linter, makemigrations --check"
	@echo "make bench  load scenarios against the production server, 1,000,000 dossiers (PostgreSQL)"
	@echo "make drill  failure drills: kill -9 under load, idempotency storm, outbox outage"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

messages: install
	$(BIN)/python -m motcua.core.i18n_compile

run: messages
	export MOTCUA_ENVIRONMENT=development; \
	$(BIN)/motcua migrate --no-input -v0 && \
	$(BIN)/motcua load-units && \
	$(BIN)/motcua catalog import src/motcua/catalog/seed/procedures.json && \
	$(BIN)/motcua load-demo && \
	$(BIN)/motcua signing-dev-setup && \
	$(BIN)/motcua collectstatic --no-input -v0 && \
	$(BIN)/motcua demo-banner --port $(PORT) && \
	exec $(BIN)/motcua runserver --noreload 127.0.0.1:$(PORT)

# axe-core for the accessibility checks of the browser tests (npm registry).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

test: messages node_modules/.package-lock.json
	MOTCUA_ENVIRONMENT=test $(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench simulators
	$(BIN)/ruff format --check src tests bench simulators
	MOTCUA_ENVIRONMENT=test $(BIN)/mypy $(wildcard src/motcua/*/services.py src/motcua/*/selectors.py src/motcua/*/access.py src/motcua/core/calendar.py)
	$(BIN)/lint-imports
	MOTCUA_ENVIRONMENT=test $(BIN)/motcua makemigrations --check --dry-run

# Benchmarks (docs/benchmarks.md): PostgreSQL and Redis on localhost; wrk drives the reads.
bench: install
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python bench/scenarios.py

bench-catalog: install
	$(BIN)/python bench/catalog_search.py

bench-signing: install
	$(BIN)/python bench/signing.py

# Failure drills (docs/benchmarks.md#failure-drills): PostgreSQL and Redis on localhost.
drill: install
	$(BIN)/python bench/drill.py

clean:
	rm -rf $(VENV) var
