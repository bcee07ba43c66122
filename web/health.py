"""Endpoints for operators: /readyz (may this process get traffic?) and /metrics."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mailer import queue_stats
from models import clock, migration_state
from web import metrics

log = logging.getLogger("kibon.operations")


def routes() -> list[Route]:
    return [
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ]


async def readyz(request: Request) -> Response:
    """Ready when the database answers and has every migration of this code applied."""
    try:
        state = await migration_state.current()
    except Exception:  # any failure to read the migration table means "not ready"
        log.warning("readiness: the database does not answer", exc_info=True)
        return JSONResponse({"status": "not ready", "database": "down"}, status_code=503)
    body = {
        "status": "not ready" if state.pending else "ready",
        "database": "up",
        "migrations": {"pending": state.pending, "unknown": state.unknown},
    }
    return JSONResponse(body, status_code=503 if state.pending else 200)


async def metrics_endpoint(request: Request) -> Response:
    try:
        stats: queue_stats.QueueStats | None = await queue_stats.snapshot(clock.now())
    except Exception:  # the metrics of the process are still worth having
        log.warning("metrics: cannot read the mail queue", exc_info=True)
        stats = None
    body = metrics.exposition(MailQueue(stats))
    return Response(body, media_type=CONTENT_TYPE_LATEST)


class MailQueue(Collector):
    """Read from the outbox at scrape time: the same in every process."""

    def __init__(self, stats: queue_stats.QueueStats | None) -> None:
        self.stats = stats

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("kibon_database_up", "1 when the database answered this scrape.")
        up.add_metric([], 0 if self.stats is None else 1)
        yield up
        if self.stats is None:
            return
        yield GaugeMetricFamily(
            "kibon_mail_queue_depth", "Messages waiting for delivery.", value=self.stats.pending
        )
        yield GaugeMetricFamily(
            "kibon_mail_oldest_pending_age_seconds",
            "Age of the oldest message waiting for delivery (0 when none waits).",
            value=self.stats.oldest_pending_age_seconds,
        )
        yield GaugeMetricFamily(
            "kibon_mail_delivery_failures",
            "Messages given up on (status FAILED).",
            value=self.stats.failed,
        )
        yield GaugeMetricFamily(
            "kibon_mail_retrying",
            "Messages waiting after at least one failed attempt.",
            value=self.stats.retrying,
        )
        by_status = GaugeMetricFamily(
            "kibon_mail_messages", "Messages in the outbox by status.", labels=["status"]
        )
        for status, count in sorted(self.stats.by_status.items()):
            by_status.add_metric([status], count)
        yield by_status
