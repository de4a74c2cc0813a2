"""The busiest commands dispatched before FastAPI's router, with the routes' own functions.

Much of a command's time in the server was FastAPI's, not the command's: matching the path
against every route, then solving the route's dependencies one by one. Sampled in process, the
event loop took nearly as much CPU per matter command as the command's own thread; receive,
assign and resolve cost 3.2–3.4 × the bare Application calls through the router and 2.0–2.5 ×
dispatched here (the rest: the hand-off to a thread, the answer, the middleware). A route marked
`@fast_command` is also reached here: its path is matched against the marked routes only, the
caller and role are checked by the route's own `acting` dependency, the body is validated by
the route's own model, and the route's function runs in the thread pool as FastAPI would run
it. An error it raises is answered by the application's own exception handlers.

Anything this does not take as plainly valid goes on to FastAPI unchanged, which answers it as
before: a body or path that does not validate (its 422 lists the problems), a path that does
not match. So a request gets the same answer, status and headers either way.

A marked route has the shape this dispatch knows: path parameters that are UUIDs, a JSON
`body` model, `it: Annotated[Acting, Depends(acting(...))]`, optionally `if_match: IfMatch`,
and `response: Response`; it returns a `Response`. `fast_command` refuses any other shape when
the module is imported.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin, get_type_hints
from uuid import UUID

from fastapi import Response
from fastapi.params import Depends
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import Acting, ActingCheck, expected_version
from api.limits import replaying

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MARK = "__fast_command__"


@dataclass(frozen=True)
class Shape:
    """What a marked route takes: its body model, its caller check, its path parameters."""

    body: type[BaseModel]
    acting: ActingCheck
    path_params: tuple[str, ...]
    if_match: bool


def fast_command(endpoint: Callable[..., Response]) -> Callable[..., Response]:
    """Mark a command route for the dispatch before the router (see the module's note)."""
    hints = get_type_hints(endpoint, include_extras=True)
    names = list(inspect.signature(endpoint).parameters)
    body = hints.get("body")
    acting = _acting_of(hints.get("it"))
    path_params = tuple(n for n in names if n not in ("body", "it", "if_match", "response"))
    if (
        not (isinstance(body, type) and issubclass(body, BaseModel))
        or acting is None
        or "response" not in names
        or any(hints.get(n) is not UUID for n in path_params)
        or hints.get("return") is not Response
    ):
        raise TypeError(
            f"{endpoint.__name__} is not a fast command: it takes UUID path parameters, "
            "body: <model>, it: Annotated[Acting, Depends(acting(...))], [if_match: IfMatch], "
            "response: Response, and returns a Response"
        )
    setattr(endpoint, MARK, Shape(body, acting, path_params, "if_match" in names))
    return endpoint


def _acting_of(hint: Any) -> ActingCheck | None:
    if get_origin(hint) is not Annotated:
        return None
    kind, *extras = get_args(hint)
    if kind is not Acting:
        return None
    for extra in extras:
        if isinstance(extra, Depends) and isinstance(extra.dependency, ActingCheck):
            return extra.dependency
    return None


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    endpoint: Callable[..., Response]
    shape: Shape


class FastCommandsMiddleware:
    """Innermost: inside the request limits (the body has been read and checked), command
    admission and idempotency, exactly where FastAPI's router would be reached."""

    def __init__(
        self,
        app: ASGIApp,
        routes: Sequence[BaseRoute],
        handlers: Mapping[Any, Callable[..., Any]],
    ) -> None:
        """`routes`: the application's (those marked are taken); `handlers`: its exception
        handlers (complete when the application builds its middleware, at its first request)."""
        self.app = app
        self.handlers = handlers
        # What the application answers as problems; anything else goes out as from a route.
        self.answered = tuple(
            kind for kind in handlers if isinstance(kind, type) and issubclass(kind, Exception)
        )
        self.routes = [
            Route(route.path_regex, route.endpoint, getattr(route.endpoint, MARK))
            for route in routes
            if isinstance(route, APIRoute)
            and route.methods == {"POST"}
            and hasattr(route.endpoint, MARK)
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        for route in self.routes:
            match = route.pattern.match(scope["path"])
            if match is not None:
                await self.dispatch(route, match.groupdict(), scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def dispatch(
        self, route: Route, params: dict[str, str], scope: Scope, receive: Receive, send: Send
    ) -> None:
        body = await _read(receive)
        request = Request(scope, replaying(body, receive))
        shape = route.shape
        response = Response()
        del response.headers["content-length"]
        try:
            it = await shape.acting(request, response)
            version = (
                await expected_version(request.headers.get("if-match")) if shape.if_match else None
            )
        except self.answered as error:
            await self.answer_error(request, error, scope, send)
            return
        arguments: dict[str, Any] = {"it": it, "response": response}
        if shape.if_match:
            arguments["if_match"] = version
        try:
            for name in shape.path_params:
                if not UUID_TEXT.fullmatch(params[name]):
                    raise ValueError(name)
                arguments[name] = UUID(params[name])
            arguments["body"] = shape.body.model_validate(json.loads(body))
        except (ValueError, ValidationError):
            # FastAPI says what is wrong, in its own words (422 with each problem).
            await self.app(scope, replaying(body, receive), send)
            return
        try:
            answered: Response = await run_in_threadpool(route.endpoint, **arguments)
        except self.answered as error:
            await self.answer_error(request, error, scope, send)
            return
        await answered(scope, receive, send)

    async def answer_error(
        self, request: Request, error: Exception, scope: Scope, send: Send
    ) -> None:
        handler = _handler_for(self.handlers, error)
        if handler is None:
            raise error
        answered: Response = await handler(request, error)
        await answered(scope, request.receive, send)


def _handler_for(handlers: Mapping[Any, Callable[..., Any]], error: Exception) -> Any:
    for kind in type(error).__mro__:
        if kind in handlers:
            return handlers[kind]
    return None


async def _read(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)
