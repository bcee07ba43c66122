"""The Starlette application: its routes, middleware and lifespan (migrations, the database,
the public-response cache's listener, the mail worker)."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Route
from tortoise.contrib.starlette import RegisterTortoise
from tortoise.migrations.api import migrate as apply_migrations

from mailer import letterhead
from mailer.sink import DevMailSink
from mailer.worker import MailWorker
from models import housekeeping, reminders
from schema.root import build_schema, schema
from settings import Settings
from web import dev_routes, health, tracing
from web.endpoint import GraphQLEndpoint
from web.graphiql import page as graphiql
from web.guard import RequestGuard
from web.identity import DevIssuer, RemoteKeys, TokenVerifier, TrustedIssuer
from web.kept_answers import KeptAnswers
from web.perimeter import Perimeter
from web.persisted_queries import PersistedQueries
from web.response_cache import PublicResponseCache

GC_YOUNG_THRESHOLD = 20_000
GRAPHQL_PATH = "/graphql"


def build_verifier(settings: Settings, dev_issuer: DevIssuer | None) -> TokenVerifier:
    trusted = []
    if settings.oidc_issuer and settings.oidc_audience and settings.oidc_jwks_url:
        keys = RemoteKeys(settings.oidc_jwks_url)
        trusted.append(TrustedIssuer(settings.oidc_issuer, settings.oidc_audience, keys))
    if dev_issuer is not None:
        trusted.append(dev_issuer.trusted)
    return TokenVerifier(trusted)


def create_app(
    settings: Settings, *, run_mail_worker: bool = True, tracer_provider: Any | None = None
) -> Starlette:
    """`tracer_provider`: OpenTelemetry's, when tracing is on (by default from the OTEL_*
    variables, see `web.tracing`)."""
    dev_issuer = DevIssuer() if settings.dev_login else None
    sink = DevMailSink() if settings.smtp is None and run_mail_worker else None
    letterhead.configure(settings)
    documents = PersistedQueries.configured(settings.http)
    cache = PublicResponseCache()
    endpoint = GraphQLEndpoint(
        schema if settings.http.planned_executor else build_schema(planned=False),
        settings=settings,
        verifier=build_verifier(settings, dev_issuer),
        documents=documents,
        cache=cache,
    )
    routes = [
        Route(GRAPHQL_PATH, RequestGuard(endpoint, settings.http), methods=["GET", "POST"]),
        *health.routes(),
        *graphiql.routes(),
    ]
    if dev_issuer is not None:
        routes += dev_routes.routes(dev_issuer, sink)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        config = settings.tortoise_config()
        await apply_migrations(config=config)
        async with RegisterTortoise(app, config=config), contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(cache.listening_to(settings.database_url))
            if run_mail_worker:
                smtp = settings.smtp
                if smtp is None and sink is not None:
                    smtp = await stack.enter_async_context(sink)
                assert smtp is not None
                worker = MailWorker(settings, smtp=smtp, chores=(reminders.remind_due,))
                await stack.enter_async_context(worker.running())
                await stack.enter_async_context(housekeeping.running(settings.retention))
            # Everything allocated so far lives as long as the process: keep it out of the
            # collector's generations, so collections during requests scan only request garbage.
            gc.freeze()
            # A page of 50 allocates tens of thousands of objects, nearly none in cycles: with
            # the default threshold (700) the collector ran ~30 times a request, often over the
            # objects of every request in flight. Measured: GC time per request down from
            # 0.15 ms to 0.06 ms (docs/performance.md).
            gc.set_threshold(GC_YOUNG_THRESHOLD, 20, 20)
            yield

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.public_cache = cache
    # Inside the perimeter: a kept answer, too, has its own id, headers, line and count.
    app.add_middleware(KeptAnswers, cache=cache, settings=settings.http, path=GRAPHQL_PATH)
    tracer_provider = tracer_provider or tracing.provider_from(os.environ)
    app.add_middleware(
        Perimeter, settings=settings.http, routes=routes, traced=tracer_provider is not None
    )
    if tracer_provider is not None:
        tracing.instrument(app, tracer_provider)  # outside the perimeter, which reads its span
    return app
