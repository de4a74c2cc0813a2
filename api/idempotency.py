"""Idempotency-Key: a repeat with the same key and body gets the first response, nothing new."""

from __future__ import annotations

import hashlib
import json
import logging

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import DATABASE_FAULTS, problem, unavailable
from projections.sql import ViewDatabase

DDL = (
    "CREATE TABLE IF NOT EXISTS api_idempotency (owner TEXT NOT NULL, key TEXT NOT NULL, "
    "fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body TEXT, headers TEXT, "
    "PRIMARY KEY (owner, key))"
)
PENDING = 0
MAX_KEY_LENGTH = 200

log = logging.getLogger("baobao.api")


class IdempotencyStore:
    """Keys per caller (the token's hash), with the request's fingerprint and the first response."""

    def __init__(self, views: ViewDatabase) -> None:
        self.views = views
        with views.transaction() as tx:
            tx.lock_schema()
            tx.execute(DDL)

    def claim(
        self, owner: str, key: str, fingerprint: str
    ) -> tuple[int, str, str | None, str | None] | None:
        """None if the key is new (now claimed), else the first request's status and response."""
        with self.views.transaction() as tx:
            inserted = tx.execute(
                "INSERT INTO api_idempotency (owner, key, fingerprint, status) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (owner, key) DO NOTHING",
                [owner, key, fingerprint, PENDING],
            )
            if inserted == 1:
                return None
            row = tx.one(
                "SELECT status, fingerprint, body, headers FROM api_idempotency "
                "WHERE owner=? AND key=?",
                [owner, key],
            )
        assert row is not None
        return int(row[0]), str(row[1]), row[2], row[3]

    def complete(self, owner: str, key: str, status: int, body: str, headers: str) -> None:
        with self.views.transaction() as tx:
            tx.execute(
                "UPDATE api_idempotency SET status=?, body=?, headers=? WHERE owner=? AND key=?",
                [status, body, headers, owner, key],
            )

    def release(self, owner: str, key: str) -> None:
        with self.views.transaction() as tx:
            tx.execute(
                "DELETE FROM api_idempotency WHERE owner=? AND key=? AND status=?",
                [owner, key, PENDING],
            )


class IdempotencyMiddleware:
    """Applies to POST and PUT requests that carry an Idempotency-Key header; every other
    request goes straight on (a BaseHTTPMiddleware costs a task and two streams a request)."""

    def __init__(self, app: ASGIApp, store: IdempotencyStore) -> None:
        self.app = app
        self.keyed = KeyedRequests(app, store)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in ("POST", "PUT")
            and "idempotency-key" in Headers(scope=scope)
        ):
            await self.keyed(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class KeyedRequests(BaseHTTPMiddleware):
    """The first response to a key is kept; a repeat gets it, a different request a 409."""

    def __init__(self, app: ASGIApp, store: IdempotencyStore) -> None:
        super().__init__(app)
        self.store = store

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        key = request.headers["idempotency-key"]
        if not key or len(key) > MAX_KEY_LENGTH:
            return problem(
                400,
                "bad_idempotency_key",
                "Bad Idempotency-Key",
                f"an Idempotency-Key has 1 to {MAX_KEY_LENGTH} characters",
            )
        body = await request.body()
        owner = hashlib.sha256(request.headers.get("authorization", "").encode()).hexdigest()
        fingerprint = hashlib.sha256(
            b"\n".join([request.method.encode(), request.url.path.encode(), body])
        ).hexdigest()
        # The store's calls wait on the database: off the event loop, so a locked database
        # holds up this request only.
        try:
            first = await run_in_threadpool(self.store.claim, owner, key, fingerprint)
        except DATABASE_FAULTS as error:
            return unavailable(error)
        if first is not None:
            status, first_fingerprint, first_body, first_headers = first
            if first_fingerprint != fingerprint:
                return problem(
                    409,
                    "idempotency_key_reused",
                    "Idempotency-Key reused",
                    "this Idempotency-Key was used with a different request",
                )
            if status == PENDING:
                return problem(
                    409,
                    "idempotency_in_progress",
                    "Request in progress",
                    "the first request with this Idempotency-Key has not finished",
                    headers={"Retry-After": "1"},
                )
            headers = json.loads(first_headers or "{}")
            headers["Idempotent-Replayed"] = "true"
            return Response(first_body or "", status_code=status, headers=headers)
        try:
            response = await call_next(request)
        except BaseException:
            await self.release(owner, key)
            raise
        if response.status_code >= 500:
            await self.release(owner, key)
            return response
        chunks = [chunk async for chunk in response.body_iterator]  # type: ignore[attr-defined]
        content = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks)
        kept = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length",)}
        try:
            await run_in_threadpool(
                self.store.complete,
                owner,
                key,
                response.status_code,
                content.decode(),
                json.dumps(kept),
            )
        except DATABASE_FAULTS:
            # The command took effect: its answer goes out. The key stays pending, so a retry
            # is told so rather than run twice.
            log.warning("Idempotency-Key %r: could not keep the response", key, exc_info=True)
        return Response(content, status_code=response.status_code, headers=kept)

    async def release(self, owner: str, key: str) -> None:
        """Free the key of a request that failed (a retry runs it again)."""
        try:
            await run_in_threadpool(self.store.release, owner, key)
        except DATABASE_FAULTS:
            log.warning("Idempotency-Key %r: could not release it", key, exc_info=True)
