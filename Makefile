# The two commands of the README:  `make run`  and  `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

AUDIT := tools/graphql-http-audit

.PHONY: run test check install audit-tools

$(BIN)/.installed: pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt ".[dev]"
	touch $@

install: $(BIN)/.installed audit-tools

# The graphql-http audit (tests/test_graphql_over_http.py) runs on node, with pinned packages.
audit-tools: $(AUDIT)/node_modules/.installed

$(AUDIT)/node_modules/.installed: $(AUDIT)/package.json $(AUDIT)/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix $(AUDIT) --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: tests/test_graphql_over_http.py cannot run the graphql-http audit"; fi

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
