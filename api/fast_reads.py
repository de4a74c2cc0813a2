"""Repeated reads answered before routing: the bytes a route last sent the same caller for the
same request, while the log has not moved and the clock has not changed them.

A route keeps what it sent (`Services.fast.keep`) only for a plain JSON read of the views at the
log's head. A later GET with the same path and query, from a token the server already knows, is
answered from those bytes if the log's head is still where it was and the moment is still
before the one at which the route's answer would change; otherwise it goes through the routes
as usual (authentication, roles, validation, waiting for the views), which keep afresh.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import bearer_token
from api.errors import DATABASE_FAULTS
from api.log_head import BatchedHead
from api.read_cache import JSON_ACCEPTS
from api.services import Services


class FastReadsMiddleware:
    """Answers a GET from `Services.fast` when it can, else hands it on unchanged."""

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services
        # On SQLite the head is a call into this process; on PostgreSQL a round trip, which
        # concurrent requests share (`BatchedHead`).
        self.head: Callable[[], Awaitable[int]] = (
            self._head_inline
            if services.log_head_is_local()
            else BatchedHead(services.log_head).head
        )

    async def _head_inline(self) -> int:
        return self.services.log_head()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            body = await self.kept(scope)
            if body is not None:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-length", str(len(body)).encode()),
                            (b"content-type", b"application/json"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    async def kept(self, scope: Scope) -> bytes | None:
        svc = self.services
        path: str = scope["path"]
        if path not in svc.fast.paths:
            return None
        authorization = b""
        accept = b""
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
            elif name == b"accept":
                accept = value
        if accept not in JSON_ACCEPTS:
            return None
        token = bearer_token(authorization.decode("latin-1"))
        if token is None:
            return None
        known, caller = svc.principals.get(token)
        if not known or caller is None:
            return None
        try:
            head = await self.head()
        except DATABASE_FAULTS:
            return None  # the routes answer it, with the problem they give for a fault
        query = scope["query_string"].decode("latin-1")
        return svc.fast.answer(caller.id, path, query, head, svc.clock())
