"""Prometheus metrics of HTTP requests, and /metrics: every counter of this process (or of
every process, with PROMETHEUS_MULTIPROC_DIR) followed by the mail queue as read at scrape time.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Scope

from engine.metrics import LATENCY_BUCKETS, REGISTRY
from mailer import queue_stats
from models import clock
from models.housekeeping import BackgroundJob

log = logging.getLogger("kibon.operations")

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


class RequestMetrics:
    """Counts every HTTP request by route, method and status, with its latency; paths that are
    no route of the app count as `other`. Each label set's counters are looked up once: the
    labels are the app's routes, the methods the HTTP parser knows and the statuses answered."""

    def __init__(self, routes: list[BaseRoute]) -> None:
        self.paths = {route.path for route in routes if isinstance(route, Route)}
        self.prefixes = tuple(route.path + "/" for route in routes if isinstance(route, Mount))
        self._counted: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def route_of(self, path: str) -> str:
        if path in self.paths:
            return path
        prefix = next((p for p in self.prefixes if path.startswith(p)), None)
        return prefix.rstrip("/") if prefix else "other"

    def count(self, scope: Scope, status: int, seconds: float) -> None:
        """`status` 0 when no answer was started: counted as the 500 the client gets."""
        route = self.route_of(scope["path"])
        labels = (route, scope["method"], status or 500)
        counters = self._counted.get(labels)
        if counters is None:
            requests = HTTP_REQUESTS.labels(route, labels[1], str(labels[2]))
            counters = self._counted.setdefault(labels, (requests, HTTP_DURATION.labels(route)))
        counters[0].inc()
        counters[1].observe(seconds)


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


async def endpoint(request: Request) -> Response:
    try:
        stats: queue_stats.QueueStats | None = await queue_stats.snapshot(clock.now())
        jobs = await BackgroundJob.all().order_by("name")
    except Exception:  # the metrics of the process are still worth having
        log.warning("metrics: cannot read the mail queue", exc_info=True)
        stats, jobs = None, []
    body = exposition(MailQueue(stats), BackgroundJobs(jobs))
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


class BackgroundJobs(Collector):
    """The housekeeping jobs' record, read at scrape time: the same in every process."""

    def __init__(self, jobs: list[BackgroundJob]) -> None:
        self.jobs = jobs

    def collect(self) -> Iterator[GaugeMetricFamily]:
        families = {
            "kibon_background_job_last_run_timestamp_seconds": "When the job last succeeded.",
            "kibon_background_job_last_rows": "Rows the job's last run handled.",
            "kibon_background_job_runs": "Successful runs.",
            "kibon_background_job_failures": "Failed runs.",
        }
        gauges = {n: GaugeMetricFamily(n, text, labels=["job"]) for n, text in families.items()}
        for job in self.jobs:
            last = job.last_run_at.timestamp() if job.last_run_at else 0
            gauges["kibon_background_job_last_run_timestamp_seconds"].add_metric([job.name], last)
            gauges["kibon_background_job_last_rows"].add_metric([job.name], job.last_rows)
            gauges["kibon_background_job_runs"].add_metric([job.name], job.runs)
            gauges["kibon_background_job_failures"].add_metric([job.name], job.failures)
        yield from gauges.values()
