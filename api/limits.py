"""Request limits checked before any route reads the body: its size and its media type."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem

MAX_BODY_BYTES = 1024 * 1024
WITH_BODY = ("POST", "PUT", "PATCH")


def is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that hands on the body already read, in one message, then `receive`'s."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class RequestLimitsMiddleware:
    """413 for a body over `max_body` bytes; 415 for a non-JSON body sent to the JSON API (/v1).

    The body is read here (at most `max_body` bytes are held) and handed on unchanged, so a
    chunked upload without Content-Length is bounded too.
    """

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WITH_BODY:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or len(declared) > 18):
            await self.refuse(scope, receive, send, 400, "bad_request", "Bad Content-Length")
            return
        if declared is not None and int(declared) > self.max_body:
            await self.too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await self.too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if body and scope["path"].startswith("/v1/") and not is_json(headers.get("content-type")):
            await self.refuse(
                scope,
                receive,
                send,
                415,
                "unsupported_media_type",
                "Unsupported media type",
                "send the body as JSON with Content-Type: application/json",
            )
            return
        await self.app(scope, replaying(body, receive), send)

    async def too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.refuse(
            scope,
            receive,
            send,
            413,
            "payload_too_large",
            "Request body too large",
            f"a request body has at most {self.max_body} bytes",
        )

    @staticmethod
    async def refuse(
        scope: Scope,
        receive: Receive,
        send: Send,
        status: int,
        code: str,
        title: str,
        detail: str | None = None,
    ) -> None:
        response = problem(status, code, title, detail or title, headers={"Connection": "close"})
        await response(scope, receive, send)
