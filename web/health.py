"""Health for operators and orchestrators: /healthz (is the process alive?), /readyz (may this
process get traffic?), and the route of /metrics."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from models import migration_state
from web import metrics

log = logging.getLogger("kibon.operations")


def routes() -> list[Route]:
    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics.endpoint, methods=["GET"]),
    ]


async def healthz(request: Request) -> Response:
    """Liveness: the process answers. Never the database: in an outage an orchestrator would
    otherwise restart every healthy instance at once."""
    return JSONResponse({"status": "ok"})


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
