"""Signing in to the board: the bearer token kept in an HttpOnly cookie, CSRF tokens from it."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import Request, Response

from api.deps import STAFF
from api.services import Caller, Services

COOKIE = "baobao_board"
COOKIE_PATH = "/board"
# API.md: GET /board is for the staff roles, who read park-wide.
BOARD_ROLES = STAFF
# As POST /v1/notices/{id}/publish: only the supervision office publishes.
PUBLISHERS = ("supervisor",)
MAX_FORM_BYTES = 8192
MAX_TOKEN_LENGTH = 512
ROLE_NAMES = {
    "admin": "系统管理员",
    "clerk": "窗口受理员",
    "leader": "分管领导",
    "supervisor": "督查室",
    "hr": "考核办",
    "auditor": "审计",
    "unit": "承办单位",
    "guarantor": "包保人",
    "enterprise": "企业",
}


def csrf_for(token: str) -> str:
    """The CSRF token of a session: keyed by the session's own secret, so only its pages know it."""
    return hmac.new(token.encode(), b"baobao-board-csrf-v1", hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class BoardSession:
    """A signed-in person: who they are and the secret their forms carry."""

    caller: Caller
    token: str

    @property
    def csrf(self) -> str:
        return csrf_for(self.token)

    @property
    def may_read(self) -> bool:
        return self.caller.role in BOARD_ROLES

    @property
    def may_publish(self) -> bool:
        return self.caller.role in PUBLISHERS

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.caller.role, self.caller.role)

    def csrf_matches(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(self.csrf, given)


def session_of(request: Request, svc: Services) -> tuple[BoardSession | None, bool]:
    """The session of the request's cookie, and whether a cookie was sent at all."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None, False
    caller = svc.caller_for(token) if len(token) <= MAX_TOKEN_LENGTH else None
    return (None if caller is None else BoardSession(caller, token)), True


def sign_in(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def sign_out(response: Response) -> None:
    response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")


async def form_fields(request: Request) -> dict[str, str]:
    """The fields of a url-encoded form (the first value of each); nothing if it is too large."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    parsed = parse_qs(body.decode("utf-8", "replace"), max_num_fields=20)
    return {key: values[0] for key, values in parsed.items() if values}
