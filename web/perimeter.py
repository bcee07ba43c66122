"""The middleware every request and answer passes through: CORS for the configured portals only,
the bound on header size, and the security headers."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware

from settings import HttpSettings
from web.header_limit import HeaderLimit
from web.headers import SecurityHeaders

CORS_MAX_AGE_SECONDS = 600


def protect(app: Starlette, settings: HttpSettings) -> None:
    """Added last, so both wrap everything: CORS answers preflights before routing, and the
    headers reach every answer, refusals included. An explicit list of origins, never a
    pattern or `*`, and no credentials: the portals send bearer tokens, not cookies."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type", "Accept"],
        expose_headers=["X-Request-Id", "Retry-After"],
        allow_credentials=False,
        max_age=CORS_MAX_AGE_SECONDS,
    )
    app.add_middleware(HeaderLimit)
    app.add_middleware(SecurityHeaders)
