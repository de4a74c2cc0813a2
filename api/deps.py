"""Request dependencies: the services, the caller and their role, acts, versions.

Those that only read the request are `async`: FastAPI runs a plain `def` dependency in the
thread pool, one hand-off to a worker thread and back for each of them on every request."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError, forbidden, unauthorized
from api.services import Caller, Services
from domain.base import Act, Actor
from domain.park import Park

STAFF = ("admin", "clerk", "leader", "supervisor")


async def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]


async def park(svc: ServicesDep) -> Park:
    return svc.park


AppDep = Annotated[Park, Depends(park)]


async def request_id(request: Request, response: Response) -> str:
    return tag(request, response)


def tag(request: Request, response: Response) -> str:
    """The request's X-Request-Id (a new one if it sent none or a malformed one), answered."""
    given = request.headers.get("x-request-id", "")
    value = given if re.fullmatch(r"[A-Za-z0-9._:-]{1,100}", given) else str(uuid.uuid4())
    response.headers["X-Request-Id"] = value
    return value


RequestId = Annotated[str, Depends(request_id)]


def bearer_token(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None if it is not one."""
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


async def current_caller(
    svc: ServicesDep, authorization: Annotated[str | None, Header(include_in_schema=False)] = None
) -> Caller:
    return await authenticate(svc, authorization)


async def authenticate(svc: Services, authorization: str | None) -> Caller:
    """The caller an Authorization header names; 401 if it names none."""
    if not authorization:
        raise unauthorized(
            "send Authorization: Bearer <token> (tokens come from `baobao token create`)"
        )
    token = bearer_token(authorization)
    if token is None:
        raise unauthorized("the Authorization header must be `Bearer <token>`")
    known, caller = svc.principals.get(token)
    if not known:
        # Looking the token up reads the log: in a worker thread, off the event loop.
        caller = await run_in_threadpool(svc.caller_for, token)
    if caller is None:
        raise unauthorized("the token is not known or has been revoked")
    return caller


CurrentPrincipal = Annotated[Caller, Depends(current_caller)]


def allow(*roles: str) -> Callable[[Caller], Coroutine[Any, Any, Caller]]:
    """A dependency that admits only the given roles."""

    async def check(caller: CurrentPrincipal) -> Caller:
        return admitted(caller, roles)

    return check


def admitted(caller: Caller, roles: tuple[str, ...]) -> Caller:
    """The caller, if its role is one of `roles`; 403 otherwise."""
    if caller.role not in roles:
        raise forbidden(f"role {caller.role!r} may not do this; allowed: {', '.join(roles)}")
    return caller


async def expected_version(
    if_match: Annotated[
        str | None, Header(description='The version you read, as an ETag: "3"')
    ] = None,
) -> int | None:
    if if_match is None:
        return None
    match = re.fullmatch(r'\s*(?:W/)?"?(\d{1,9})"?\s*', if_match)
    if match is None:
        raise ApiError(
            400, "bad_if_match", "Bad If-Match", 'If-Match must be a version ETag such as "3"'
        )
    return int(match.group(1))


IfMatch = Annotated[int | None, Depends(expected_version)]


@dataclass(frozen=True, slots=True)
class Acting:
    """A command's caller, checked, with the services and the request's id: what a command
    route needs of its request, solved as one dependency (each dependency FastAPI solves costs
    the event loop as much as a small command)."""

    svc: Services
    caller: Caller
    request_id: str

    @property
    def park(self) -> Park:
        return self.svc.park

    def act(
        self, occurred_at: datetime | None, late_roles: frozenset[str] = frozenset({"admin"})
    ) -> Act:
        """The act of this request; a past business time only for roles allowed late entry."""
        return make_act(self.svc, self.caller, self.request_id, occurred_at, late_roles)


@dataclass(frozen=True)
class ActingCheck:
    """The dependency of a command route that `roles` may call (see `acting`)."""

    roles: tuple[str, ...]

    async def __call__(self, request: Request, response: Response) -> Acting:
        svc: Services = request.app.state.services
        caller = await authenticate(svc, request.headers.get("authorization"))
        return Acting(svc, admitted(caller, self.roles), tag(request, response))


def acting(*roles: str) -> ActingCheck:
    """The dependency of a command route that the given roles may call."""
    return ActingCheck(roles)


def make_act(
    svc: Services,
    caller: Caller,
    req_id: str,
    occurred_at: datetime | None,
    late_roles: frozenset[str] = frozenset({"admin"}),
) -> Act:
    """The act of this request; a past business time only for roles allowed late entry."""
    actor = Actor(principal_id=caller.id, role=caller.role, request_id=req_id, scope=caller.scope)
    return Act.late_entry(actor, svc.clock, occurred_at, allowed_roles=set(late_roles))


MAX_POSITION = 2**62  # log positions and cursors stay well inside a signed 64-bit integer


async def min_position(
    svc: ServicesDep,
    min_position: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_POSITION,
            description="Wait until the views include this log position (read your writes)",
        ),
    ] = None,
) -> int | None:
    # A position beyond the log head was never handed out: waiting for it would only hold a
    # worker for the whole read timeout, so wait for the head instead.
    if min_position is None:
        return None
    return min(min_position, await run_in_threadpool(svc.log_head))


MinPosition = Annotated[int | None, Depends(min_position)]

Limit = Annotated[int, Query(ge=1, le=500, description="Page size (at most 500)")]
Cursor = Annotated[
    str | None, Query(max_length=200, description="next_cursor of the previous page")
]


def versioned(response: Response, version: int, position: int | None = None) -> None:
    response.headers["ETag"] = f'"{version}"'
    if position is not None:
        response.headers["X-Log-Position"] = str(position)


def answer(model: BaseModel, response: Response, status: int = 200) -> Response:
    """A command's answer as JSON bytes, made in the command's own thread, with the headers
    its route and dependencies set on `response`. (Returned as a model, FastAPI would check it
    again in another hop to the thread pool before sending it.)"""
    sent = Response(
        model.__pydantic_serializer__.to_json(model, by_alias=True),
        status_code=status,
        media_type="application/json",
    )
    sent.headers.raw.extend(response.headers.raw)
    return sent
