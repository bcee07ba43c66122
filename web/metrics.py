"""Prometheus metrics: HTTP requests, GraphQL operations by name and outcome, latency.

With several worker processes (`serve --workers N`) each process counts on its own; with
PROMETHEUS_MULTIPROC_DIR set before the processes start, prometheus-client keeps the counts
in files there and /metrics adds up every process's.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Iterator
from typing import Any

from graphql import GraphQLError
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from models.errors import NotAllowed

disable_created_metrics()  # type: ignore[no-untyped-call]  # *_created series: noise
REGISTRY = CollectorRegistry()
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Operation names come from clients: bounded, so a client cannot flood the time series.
OPERATION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
MAX_OPERATION_NAMES = 200

HTTP_REQUESTS = Counter(
    "kibon_http_requests",
    "HTTP requests by route, method and status.",
    ["route", "method", "status"],
    registry=REGISTRY,
)
HTTP_DURATION = Histogram(
    "kibon_http_request_duration_seconds",
    "Time from request to the end of the response.",
    ["route"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
OPERATIONS = Counter(
    "kibon_graphql_operations",
    "GraphQL operations by operation name, type and outcome.",
    ["operation", "type", "outcome"],
    registry=REGISTRY,
)
OPERATION_DURATION = Histogram(
    "kibon_graphql_operation_duration_seconds",
    "Time to execute a GraphQL operation (parse, validate, resolve).",
    ["operation", "type"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
_names: set[str] = set()


def operation_label(name: str | None) -> str:
    if not name:
        return "anonymous"
    if not OPERATION_NAME.fullmatch(name):
        return "invalid"
    if name not in _names and len(_names) >= MAX_OPERATION_NAMES:
        return "other"
    _names.add(name)
    return name


def outcome(errors: Iterable[GraphQLError]) -> str:
    """`ok`, or the first error's kind: `unauthenticated`, `forbidden`, `bad_user_input`,
    `invalid` (the document did not parse or validate), or `error` (a fault of ours)."""
    for error in errors:
        if error.path is None and error.original_error is None:
            return "invalid"  # tagged BAD_USER_INPUT too, but no resolver ever ran
        code = (error.extensions or {}).get("code")
        if isinstance(code, str):
            return code.lower()
        return "forbidden" if isinstance(error.original_error, NotAllowed) else "error"
    return "ok"


class OperationMetrics(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        try:
            kind = context.operation_type.value
        except Exception:  # no document, or no such operation: the result says why
            kind = "unknown"
        name = operation_label(context.operation_name)
        errors = context.result.errors if context.result else context.pre_execution_errors
        OPERATIONS.labels(name, kind, outcome(errors or [])).inc()
        OPERATION_DURATION.labels(name, kind).observe(time.perf_counter() - started)


class HttpMetrics:
    """Counts every HTTP request; paths that are no route of the app count as `other`."""

    def __init__(self, app: ASGIApp, *, routes: list[BaseRoute]) -> None:
        self.app = app
        self.paths = {route.path for route in routes if isinstance(route, Route)}
        self.prefixes = tuple(route.path + "/" for route in routes if isinstance(route, Mount))

    def route_of(self, path: str) -> str:
        if path in self.paths:
            return path
        prefix = next((p for p in self.prefixes if path.startswith(p)), None)
        return prefix.rstrip("/") if prefix else "other"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), "500"

        async def counting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = str(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            route = self.route_of(scope["path"])
            HTTP_REQUESTS.labels(route, scope["method"], status).inc()
            HTTP_DURATION.labels(route).observe(time.perf_counter() - started)


def exposition(*extra: Any) -> bytes:
    """This process's metrics, or every process's when PROMETHEUS_MULTIPROC_DIR is set,
    followed by the collectors given (values read at scrape time, the same in every process)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    scraped = CollectorRegistry()
    for collector in extra:
        scraped.register(collector)
    return generate_latest(registry) + generate_latest(scraped)
