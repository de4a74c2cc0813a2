"""The FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import errors, openapi
from api.admission import CommandAdmissionMiddleware
from api.audit import make_sealer
from api.board import router as board_router
from api.fast_commands import FastCommandsMiddleware
from api.fast_reads import FastReadsMiddleware
from api.idempotency import IdempotencyMiddleware
from api.limits import RequestLimitsMiddleware
from api.openapi import problem_responses
from api.routes import (
    admin,
    assessments,
    dispatch,
    enterprises,
    entitlements,
    matters,
    notices,
    notifications,
    registry,
    sales,
    visits,
)
from api.routes.audit import router as audit_router
from api.sender import SenderLoop
from api.services import Services
from api.watcher import Watcher

DESCRIPTION = """
baobao records the park's 包保 work as immutable events and holds guarantors to account.
Every endpoint but `/v1/health` needs `Authorization: Bearer <token>` (tokens come from
`baobao token create`). Errors are `application/problem+json` with a stable `code`.

Limits (each refused with a 4xx problem): a request body of at most 1 MiB (413), JSON only
(415); names and categories at most 200 characters and free text at most 4000, without control
characters (tab and line breaks are fine in free text; emoji are fine); lists as each schema
says; pages of at most 500; business dates and times, `as_of` and `on` from 2000-01-01 to
2100-12-31 (422).
"""


def create_app(
    services: Services, *, follow: bool = True, watch: bool = False, send: bool = False
) -> FastAPI:
    """The API over one process's services; `follow` runs the projection follower beside it,
    `watch` the deadline watcher too, `send` the notification sender."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if follow:
            services.start_follower()
            services.start_background("sealer", make_sealer(services).run)
        if watch:
            services.start_background("watcher", Watcher(services).run)
        if send:
            services.start_background("sender", SenderLoop(services).run)
        yield
        services.stop()

    app = FastAPI(title="baobao", version="1.0.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.services = services
    errors.install(app)
    routers = [
        module.router
        for module in (
            enterprises,
            registry,
            matters,
            admin,
            dispatch,
            sales,
            visits,
            notifications,
            assessments,
            notices,
            entitlements,
        )
    ]
    # Innermost: where the router would be reached (see api/fast_commands.py).
    app.add_middleware(
        FastCommandsMiddleware,
        routes=[route for router in routers for route in router.routes],
        handlers=app.exception_handlers,
    )
    app.add_middleware(IdempotencyMiddleware, store=services.idempotency)
    # Inside the limits, which read the body: a slow upload holds no command's slot.
    app.add_middleware(CommandAdmissionMiddleware, limit=services.settings.commands_in_flight)
    app.add_middleware(RequestLimitsMiddleware)  # before anything reads the body
    app.add_middleware(FastReadsMiddleware, services=services)  # outermost: repeated reads
    for router in routers:
        app.include_router(router, responses=problem_responses())
    app.include_router(audit_router, responses=problem_responses())
    app.include_router(board_router)
    openapi.install(app)
    return app
