"""OpenTelemetry tracing, an optional extra (`pip install '.[otel]'`), off unless the standard
variables turn it on: `OTEL_TRACES_EXPORTER` names an installed exporter (`console`; `otlp` once
`opentelemetry-exporter-otlp` is installed too) and `OTEL_SDK_DISABLED` is not `true`. The SDK
reads the rest itself (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_EXPORTER_OTLP_*`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import Any

from starlette.applications import Starlette

log = logging.getLogger("kibon.tracing")
UNTRACED = "healthz,readyz,metrics"  # probes and scrapes would drown the traces


def exporters_wanted(environ: Mapping[str, str]) -> list[str]:
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    names = [n.strip() for n in environ.get("OTEL_TRACES_EXPORTER", "").split(",") if n.strip()]
    return [name for name in names if name != "none"]


def provider_from(environ: Mapping[str, str]) -> Any | None:
    """A tracer provider with the exporters the environment names, or None (tracing off)."""
    names = exporters_wanted(environ)
    if not names:
        return None
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        log.warning("OTEL_TRACES_EXPORTER is set, but the otel extra is not installed")
        return None
    provider = TracerProvider(resource=Resource.create())
    for name in names:
        found = entry_points(group="opentelemetry_traces_exporter", name=name)
        if not found:
            log.warning("OTEL_TRACES_EXPORTER: no exporter %r is installed; skipped", name)
            continue
        provider.add_span_processor(BatchSpanProcessor(next(iter(found)).load()()))
    return provider


def instrument(app: Starlette, tracer_provider: Any) -> None:
    """A server span per request, continuing the caller's `traceparent`; outside the access
    log, so its lines carry the span's trace id."""
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    app.add_middleware(
        OpenTelemetryMiddleware, tracer_provider=tracer_provider, excluded_urls=UNTRACED
    )
