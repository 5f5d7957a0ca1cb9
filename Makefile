# make run   — virtualenv, install, migrate the default SQLite database, serve on http://127.0.0.1:8080
# make test  — also install what the tests need (Debian packages as root) and run the whole suite,
#              on SQLite and on PostgreSQL
# make lint  — ruff and mypy

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint install bench clean

$(VENV)/.installed-run: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed-run
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $@

install: $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/tocsin serve

test: $(VENV)/.installed-test
	scripts/install-test-dependencies
	npm ci --prefix tests/clients/node --no-audit --no-fund --silent
	tests/clients/elastalert/install
	$(BIN)/pytest -n 2

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: $(VENV)/.installed-test
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
