"""OpenTelemetry tracing (the otel extra): off by default, and with it on, a span per request
that continues the caller's trace, with the trace id in the answer and the log lines."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from settings import Settings
from tests.support.json_logs import lines_of
from web import tracing
from web.app import create_app

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"


@pytest.fixture
def exported() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider, exporter
    provider.shutdown()


def test_tracing_is_off_unless_the_otel_variables_name_an_exporter(settings: Settings) -> None:
    app = create_app(settings, run_mail_worker=False)

    assert "OpenTelemetryMiddleware" not in [
        getattr(m.cls, "__name__", "") for m in app.user_middleware
    ]
    assert tracing.provider_from({}) is None
    assert tracing.provider_from({"OTEL_TRACES_EXPORTER": "none"}) is None
    disabled = {"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "true"}
    assert tracing.provider_from(disabled) is None
    console = tracing.provider_from({"OTEL_TRACES_EXPORTER": "console"})
    assert isinstance(console, TracerProvider)
    console.shutdown()


async def test_a_request_is_a_span_of_the_callers_trace_and_its_logs_carry_the_trace_id(
    settings: Settings,
    exported: tuple[TracerProvider, InMemorySpanExporter],
    json_logs: io.StringIO,
) -> None:
    provider, exporter = exported
    app = create_app(settings, run_mail_worker=False, tracer_provider=provider)
    transport = httpx.ASGITransport(app=app)

    async with httpx.AsyncClient(transport=transport, base_url="http://kibon.test") as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"},
        )

    server = [s for s in exporter.get_finished_spans() if s.parent and s.parent.is_remote]
    assert len(server) == 1
    (span,) = server
    assert span.parent is not None
    assert format(span.context.trace_id, "032x") == TRACE_ID
    assert format(span.parent.span_id, "016x") == PARENT_ID
    assert response.headers["traceparent"] == f"00-{TRACE_ID}-{span.context.span_id:016x}-01"
    access = [e for e in lines_of(json_logs.getvalue()) if e["logger"] == "kibon.access"]
    assert [e["trace_id"] for e in access] == [TRACE_ID]
