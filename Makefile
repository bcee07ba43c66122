# The two commands of the README:  `make run`  and  `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

AUDIT := tests/graphql-http-audit
CLIENT_TYPES := tests/client-types

.PHONY: run test check install schema messages docs lock assets browser audit-tools client-types scope-soak

# Every package from requirements-dev.lock, each checked against its hashes; then the project
# itself, editable (the `kibon` command runs this checkout).
$(BIN)/.installed: pyproject.toml requirements-dev.lock
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps --editable .
	touch $@

# The locks, from pyproject.toml at the versions of constraints.txt: requirements.lock for a
# production venv (with the otel extra), requirements-dev.lock for this one.
LOCK := $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host -c constraints.txt
lock:
	$(LOCK) --extra otel -o requirements.lock pyproject.toml
	$(LOCK) --extra otel --extra dev -o requirements-dev.lock pyproject.toml

install: $(BIN)/.installed assets audit-tools client-types

# The graphql-http audit (tests/test_graphql_over_http.py) runs on node, with pinned packages.
audit-tools: $(AUDIT)/node_modules/.installed

$(AUDIT)/node_modules/.installed: $(AUDIT)/package.json $(AUDIT)/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix $(AUDIT) --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: tests/test_graphql_over_http.py cannot run the graphql-http audit"; fi

# graphql-codegen and tsc for the TypeScript check of the documented operations, pinned.
client-types: $(CLIENT_TYPES)/node_modules/.installed

$(CLIENT_TYPES)/node_modules/.installed: $(CLIENT_TYPES)/package.json $(CLIENT_TYPES)/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix $(CLIENT_TYPES) --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: tests/test_client_types.py cannot run"; fi

# The service on the embedded defaults: SQLite under var/, the development mail sink and sign-in.
run: install
	KIBON_DEV_LOGIN=1 $(BIN)/python main.py serve

# Format, lint and type checks, then the whole suite on SQLite and on PostgreSQL, and once
# more on graphql-core's own executor (the planned one must answer exactly as it does).
test: install check browser
	TEST_REQUIRE_BROWSER=1 TEST_DATABASE=sqlite $(BIN)/python -m pytest
	TEST_REQUIRE_BROWSER=1 TEST_DATABASE=postgres $(BIN)/python -m pytest
	TEST_EXECUTOR=stock TEST_DATABASE=sqlite $(BIN)/python -m pytest -q

check: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

# The scope property test, run far longer than in the suite (docs/user-administration.md).
SCOPE_SOAK := TEST_SCOPE_EXAMPLES=200 TEST_SCOPE_STEPS=20
scope-soak: install
	$(SCOPE_SOAK) TEST_DATABASE=sqlite $(BIN)/python -m pytest -q -s tests/test_scope_property.py
	$(SCOPE_SOAK) TEST_DATABASE=postgres $(BIN)/python -m pytest -q -s tests/test_scope_property.py

# The schema as an artefact: regenerate api/schema.graphql after changing the API (tests compare).
schema: install
	$(BIN)/python main.py export-schema > api/schema.graphql

# The message catalogue: collect every `_("…")` and {% trans %} into i18n/messages.pot, then
# add new messages to the German and French catalogues (fill in their msgstr; tests check).
messages: install
	$(BIN)/pybabel -q extract -F babel.cfg --no-location --sort-output --omit-header \
	    --ignore-dirs=".* node_modules tests bench var build" -o i18n/messages.pot .
	$(BIN)/pybabel -q update -i i18n/messages.pot -d i18n --no-fuzzy-matching \
	    --ignore-obsolete --no-wrap --ignore-pot-creation-date

# The configuration table of docs/operations.md, from settings/variables.py (tests compare).
docs: install
	$(BIN)/python -m settings.table docs/operations.md

# GraphiQL's pinned bundles (web/graphiql, npm ci), served by the app at /graphiql-assets/.
GRAPHIQL := web/graphiql
GRAPHIQL_VENDOR := $(GRAPHIQL)/assets/vendor
GRAPHIQL_MODULES := $(GRAPHIQL)/node_modules
$(GRAPHIQL_VENDOR)/.installed: $(GRAPHIQL)/package.json $(GRAPHIQL)/package-lock.json
	@command -v npm >/dev/null || { echo "needs npm (node 20)"; exit 1; }
	npm ci --prefix $(GRAPHIQL) --no-audit --no-fund --loglevel=error
	mkdir -p $(GRAPHIQL_VENDOR)
	cp $(GRAPHIQL_MODULES)/react/umd/react.production.min.js \
	   $(GRAPHIQL_MODULES)/react-dom/umd/react-dom.production.min.js \
	   $(GRAPHIQL_MODULES)/graphiql/graphiql.min.js \
	   $(GRAPHIQL_MODULES)/graphiql/graphiql.min.css $(GRAPHIQL_VENDOR)/
	touch $@

assets: $(GRAPHIQL_VENDOR)/.installed

# Debian's Chromium for the GraphiQL browser test (Playwright drives it; it downloads none).
browser:
	@command -v chromium >/dev/null || { \
	    echo "installing Debian's chromium for the browser test (needs root)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
