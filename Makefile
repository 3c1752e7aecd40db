# Waymark: one entry per task. Everything runs inside .venv/ at the repo root.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test check fmt bench bench-search venv messages clean

$(STAMP): requirements/base.txt requirements/dev.txt requirements/linkage.txt requirements/linkage-bench.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/dev.txt
	@touch $(STAMP)

venv: $(STAMP)

## make run: the single demo node (waymark/devtools/devnode.py): migrate the embedded SQLite database,
## load the demo once, give the node its exchange keys and a signed demo registry (once), then run
## the web server on 127.0.0.1:$(PORT) and the dispatcher (run_dispatcher) until Ctrl-C
run: $(STAMP)
	PORT=$(PORT) $(BIN)/python -m waymark.devtools.devnode

## make test: the gate, then the whole suite (SQLite unless DATABASE_URL says otherwise)
test: $(STAMP) check
	WAYMARK_ENV=test $(BIN)/python -m pytest

## make check: format, lint, types, import layers (pyproject.toml), migrations
check: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy waymark bench
	$(BIN)/lint-imports
	WAYMARK_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run
	WAYMARK_ENV=test $(BIN)/python manage.py check

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## make messages: refresh and compile translations (needs gettext)
messages: $(STAMP)
	cd waymark && ../$(BIN)/python ../manage.py makemessages -l ar -l fr -l it --no-obsolete
	cd waymark && ../$(BIN)/python ../manage.py compilemessages

## make bench: the benchmarks that need no service (figures in docs/benchmarks*.md)
bench: $(STAMP)
	WAYMARK_ENV=test $(BIN)/python bench/policy_bench.py --rounds 1000
	WAYMARK_ENV=test $(BIN)/python bench/firewall_bench.py --rounds 200
	$(BIN)/python bench/sealing_bench.py
	$(BIN)/python bench/envelope_bench.py

## make bench-search: 100,000 fictional cases on the local PostgreSQL (DATABASE_URL to override)
bench-search: $(STAMP)
	$(BIN)/python bench/search_bench.py

clean:
	rm -rf $(VENV) data staticfiles .mypy_cache .ruff_cache .pytest_cache

## make network: three demo nodes on 127.0.0.1 (Italy :8101, France :8102, Belgium :8103), each with
## its own data folder and database (PostgreSQL with WAYMARK_NETWORK_PG=1), web server and dispatcher
.PHONY: network
network: $(STAMP)
	$(BIN)/python -m waymark.devtools.network
