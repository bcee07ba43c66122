"""The Starlette application: its routes, middleware and lifespan (migrations, the database,
the public-response cache's listener, the mail worker)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.routing import Route
from tortoise.contrib.starlette import RegisterTortoise
from tortoise.migrations.api import migrate as apply_migrations

from mailer import letterhead
from mailer.sink import DevMailSink
from mailer.worker import MailWorker
from models import reminders
from schema.root import schema
from settings import Settings
from web import dev_routes, health
from web.endpoint import GraphQLEndpoint, RequestId
from web.graphiql import page as graphiql
from web.guard import RequestGuard
from web.identity import DevIssuer, RemoteKeys, TokenVerifier, TrustedIssuer
from web.language import ReadersLanguage
from web.metrics import HttpMetrics
from web.perimeter import protect
from web.response_cache import CachedPublicResponses, PublicResponseCache

GC_YOUNG_THRESHOLD = 20_000


def build_verifier(settings: Settings, dev_issuer: DevIssuer | None) -> TokenVerifier:
    trusted = []
    if settings.oidc_issuer and settings.oidc_audience and settings.oidc_jwks_url:
        keys = RemoteKeys(settings.oidc_jwks_url)
        trusted.append(TrustedIssuer(settings.oidc_issuer, settings.oidc_audience, keys))
    if dev_issuer is not None:
        trusted.append(dev_issuer.trusted)
    return TokenVerifier(trusted)


def create_app(settings: Settings, *, run_mail_worker: bool = True) -> Starlette:
    letterhead.configure(settings)
    dev_issuer = DevIssuer() if settings.dev_login else None
    sink = DevMailSink() if settings.smtp is None and run_mail_worker else None
    endpoint = GraphQLEndpoint(
        schema, settings=settings, verifier=build_verifier(settings, dev_issuer)
    )
    cache = PublicResponseCache()
    routes = [
        Route("/graphql", RequestGuard(endpoint, settings.http), methods=["GET", "POST"]),
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
    app.add_middleware(RequestId)
    app.add_middleware(CachedPublicResponses, cache=cache)  # outside routing: hits stay cheap
    app.add_middleware(ReadersLanguage)  # outside the cache: its hits say their language too
    app.add_middleware(HttpMetrics, routes=routes)
    protect(app, settings.http)
    return app
