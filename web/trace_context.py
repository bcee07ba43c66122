"""W3C Trace Context (`traceparent`): a request that arrives inside a trace stays in it, so the
trace id of the caller's span is in our log lines and in the `traceparent` we answer with."""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar
from dataclasses import dataclass

TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")
INVALID_TRACE_ID = "0" * 32
INVALID_SPAN_ID = "0" * 16


@dataclass(frozen=True)
class TraceContext:
    trace_id: str
    span_id: str  # this request's span, the parent of whatever it calls
    flags: str

    def traceparent(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{self.flags}"


current: ContextVar[TraceContext | None] = ContextVar("trace_context", default=None)


def continued(header: str | None, *, span_id: str | None = None) -> TraceContext | None:
    """The caller's trace with a span of ours, or None for a missing or malformed header (the
    specification says to ignore it then, not to refuse the request)."""
    found = TRACEPARENT.fullmatch((header or "").strip())
    if found is None:
        return None
    trace_id, parent_id, flags = found.groups()
    if trace_id == INVALID_TRACE_ID or parent_id == INVALID_SPAN_ID:
        return None
    return TraceContext(trace_id, span_id or secrets.token_hex(8), flags)


def of_current_span() -> TraceContext | None:
    """The OpenTelemetry span this request runs in, when tracing is on."""
    try:
        from opentelemetry import trace
    except ImportError:  # the otel extra is optional
        return None
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return TraceContext(
        format(context.trace_id, "032x"),
        format(context.span_id, "016x"),
        format(context.trace_flags, "02x"),
    )
