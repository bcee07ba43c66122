# The two commands of the README:  `make run`  and  `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test check install schema

$(BIN)/.installed: pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt ".[dev]"
	touch $@

install: $(BIN)/.installed

# The service on the embedded defaults: SQLite under var/, the development mail sink and sign-in.
run: install
	KIBON_DEV_LOGIN=1 $(BIN)/python main.py serve

# Format, lint and type checks, then the whole suite on SQLite and on PostgreSQL.
test: install check
	KIBON_TEST_DATABASE=sqlite $(BIN)/python -m pytest
	KIBON_TEST_DATABASE=postgres $(BIN)/python -m pytest

check: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy .

# The schema as an artefact: regenerate schema.graphql after changing the API (tests compare).
schema: install
	$(BIN)/python main.py export-schema > schema.graphql
