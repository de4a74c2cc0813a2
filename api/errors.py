"""Every error as RFC 9457 problem+json with a stable code: one table, one place."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import psycopg
from eventsourcing import persistence
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import DomainError

log = logging.getLogger("baobao.api")

PROBLEM = "application/problem+json"


class ApiError(Exception):
    """An error raised by the HTTP layer itself (authentication, headers, idempotency)."""

    def __init__(
        self, status: int, code: str, title: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.headers = headers or {}


def unauthorized(detail: str) -> ApiError:
    return ApiError(
        401, "unauthorized", "Authentication required", detail, {"WWW-Authenticate": "Bearer"}
    )


def forbidden(detail: str, code: str = "forbidden") -> ApiError:
    return ApiError(403, code, "Not allowed for this principal", detail)


def not_found(detail: str) -> ApiError:
    return ApiError(404, "not_found", "No such resource", detail)


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://baobao.example/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
}


# The database is locked, full, slow or out of reach: worth retrying, not the request's fault.
DATABASE_FAULTS: tuple[type[Exception], ...] = (
    persistence.OperationalError,  # the library's wrapper (and its pool's timeout)
    persistence.InterfaceError,  # the library could not open a connection
    sqlite3.OperationalError,  # locked, disk full, I/O error (the views' connections)
    psycopg.OperationalError,  # refused, terminated, timed out, pool exhausted (the views')
)
FAULT_REASONS = (
    (("statement timeout",), "the database did not answer in time"),
    (("locked", "lock timeout", "busy"), "the database is busy: another connection holds a lock"),
    (("full", "no space", "i/o error"), "the database cannot write: its disk is full or failing"),
)


def unavailable(error: Exception) -> JSONResponse:
    """503 for a database fault, with what kind of fault it is (its text stays in the log)."""
    log.warning("database unavailable: %s: %s", type(error).__name__, error)
    text = str(error).lower()
    reason = next(
        (reason for words, reason in FAULT_REASONS if any(w in text for w in words)),
        "the database cannot be reached (or has no free connection)",
    )
    return problem(
        503,
        "service_unavailable",
        "Service temporarily unavailable",
        f"{reason}; try again in a moment",
        headers={"Retry-After": "1"},
    )


def install(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into problem+json."""

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, error: DomainError) -> JSONResponse:
        return problem(error.status, error.code, error.title, error.detail)

    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> JSONResponse:
        return problem(error.status, error.code, error.title, error.detail, headers=error.headers)

    async def database_fault(_: Request, error: Exception) -> JSONResponse:
        return unavailable(error)

    for fault in DATABASE_FAULTS:
        app.add_exception_handler(fault, database_fault)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in error.errors()
        ]
        detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors) or "invalid request"
        return problem(422, "invalid_input", "The input is not valid", detail, errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        code = STATUS_CODES.get(error.status_code, "error")
        return problem(
            error.status_code,
            code,
            str(error.detail),
            str(error.detail),
            headers=dict(error.headers) if error.headers else None,
        )
