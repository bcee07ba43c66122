"""GraphiQL served by the application itself: no CDN, so it works offline and under a strict CSP.

The pinned React and GraphiQL bundles come from this folder's `package.json` (`make assets`
copies them to `assets/vendor/`); our own page and script reference nothing but this origin.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLSchema
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from strawberry.schema.base import BaseSchema

from web.graphiql import examples

ASSETS = Path(__file__).resolve().parent / "assets"  # served as they are: only what a page loads
VENDOR_FILES = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "graphiql.min.css",
)
# Relative to /graphql, so the page also works behind a path prefix.
BASE = "graphiql-assets"
# GraphiQL sets inline styles and ships its fonts as data: URLs; nothing else is allowed.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "font-src 'self' data:; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SIGN_IN_BAR = """
<form id="kibon-sign-in" hidden>
  <label>Development sign-in
    <input type="email" name="email" placeholder="name@example.ch" required></label>
  <button type="submit">Sign in</button>
</form>
<span id="kibon-signed-in" hidden></span>
<button id="kibon-sign-out" type="button" hidden>Sign out</button>"""


def routes() -> list[BaseRoute]:
    files = StaticFiles(directory=ASSETS, check_dir=False)
    return [Mount(f"/{BASE}", app=files, name="graphiql-assets")]


def is_installed() -> bool:
    return all((ASSETS / "vendor" / name).is_file() for name in VENDOR_FILES)


def wanted(request: Any, *, by_default: bool) -> bool:
    """A browser that navigates to `/graphql?query=…` gets GraphiQL with that query in the
    editor; programs (Accept without text/html) still get the result of a GET query."""
    accept = request.headers.get("accept", "")
    return by_default or (request.method == "GET" and "text/html" in accept)


def page(schema: BaseSchema, *, dev_login: bool) -> HTMLResponse:
    headers = {"Content-Security-Policy": CSP, "Cache-Control": "no-store"}
    if not is_installed():
        return HTMLResponse(_not_installed(), headers=headers)
    assert isinstance(schema, strawberry.Schema)
    return HTMLResponse(_page(schema._schema, dev_login), headers=headers)


@lru_cache(maxsize=4)
def _page(schema: GraphQLSchema, dev_login: bool) -> str:
    config = {"url": "graphql", "devLogin": dev_login, "tabs": default_tabs(schema)}
    # In a JSON data block, "<" is escaped so no value can close the script element.
    data = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    bar = SIGN_IN_BAR if dev_login else ""
    vendor = f"{BASE}/vendor"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kiBon API · GraphiQL</title>
<link rel="stylesheet" href="{vendor}/graphiql.min.css">
<link rel="stylesheet" href="{BASE}/kibon-graphiql.css">
</head>
<body>
<header id="kibon-bar"><strong>kiBon API</strong>{bar}</header>
<main id="graphiql">Loading GraphiQL…</main>
<script id="kibon-graphiql-config" type="application/json">{data}</script>
<script src="{vendor}/react.production.min.js"></script>
<script src="{vendor}/react-dom.production.min.js"></script>
<script src="{vendor}/graphiql.min.js"></script>
<script src="{BASE}/kibon-graphiql.js"></script>
</body>
</html>
"""


def default_tabs(schema: GraphQLSchema) -> list[dict[str, str]]:
    """The example flows that are valid against this schema, one tab each."""
    return [
        {"query": example.text, "variables": json.dumps(example.variables, indent=2)}
        for example in examples.valid_ones(schema)
    ]


def _not_installed() -> str:
    missing = html.escape(", ".join(VENDOR_FILES))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kiBon API · GraphiQL</title></head>
<body><h1>GraphiQL is not installed</h1>
<p>This server serves GraphiQL from its own files ({missing} in
<code>web/graphiql/assets/vendor/</code>), and they are missing. Run <code>make assets</code>
(it installs the pinned packages of <code>web/graphiql</code> with npm ci), then reload.</p>
<p>The API itself works: POST GraphQL requests to this address.</p></body></html>
"""
