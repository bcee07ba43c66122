"""Prometheus metrics of GraphQL operations by name and outcome, and the registry that every
counter of this process is kept in (the HTTP counters join it in `web.metrics`).

With several worker processes (`serve --workers N`) each process counts on its own; with
PROMETHEUS_MULTIPROC_DIR set before the processes start, prometheus-client keeps the counts
in files there and /metrics adds up every process's.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator

from graphql import GraphQLError
from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics
from strawberry.extensions import SchemaExtension

from models.errors import NotAllowed

disable_created_metrics()  # type: ignore[no-untyped-call]  # *_created series: noise
REGISTRY = CollectorRegistry()
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Operation names come from clients: bounded, so a client cannot flood the time series.
OPERATION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
MAX_OPERATION_NAMES = 200

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
