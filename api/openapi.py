"""The OpenAPI document says what the middleware and the error table do, too."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.errors import PROBLEM
from api.limits import MAX_BODY_BYTES
from api.models import Problem

PUBLIC_PATHS = {"/v1/health"}
IF_MATCH_PATTERN = r'^(W/)?"?[0-9]{1,9}"?$'


def problem_responses() -> dict[int | str, dict[str, Any]]:
    """problem+json for every error status a route may answer with."""
    described = {
        400: "Bad request (a malformed header or cursor)",
        401: "No token, or an unknown or revoked one",
        403: "The role or scope may not do this",
        404: "No such resource (or not visible to this principal)",
        409: "A conflict or a rule of the policy (`code` says which)",
        422: "The input is not valid (`errors` lists where)",
        503: "The database is locked, full, too slow or out of reach: retry after `Retry-After`",
    }
    return {
        status: {
            "model": Problem,
            "description": text,
            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status, text in described.items()
    }


def describe_body_limits(operation: dict[str, Any]) -> None:
    """413 and 415 from the request limits; If-Match as the version ETag it must be."""
    limits = {
        413: f"The body is larger than {MAX_BODY_BYTES} bytes",
        415: "The body is not JSON (send Content-Type: application/json)",
    }
    for status, text in limits.items():
        operation.setdefault("responses", {})[str(status)] = {
            "description": text,
            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "header" and parameter["name"].lower() == "if-match":
            parameter["schema"] = {"type": "string", "pattern": IF_MATCH_PATTERN}


def install(app: FastAPI) -> None:
    """Bearer authentication and Idempotency-Key, which routes do not declare themselves."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        schema.setdefault("components", {})["securitySchemes"] = {
            "bearerAuth": {"type": "http", "scheme": "bearer", "description": "baobao token create"}
        }
        schema["security"] = [{"bearerAuth": []}]
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                if path in PUBLIC_PATHS:
                    operation["security"] = []
                    for status in ("401", "403", "404", "409", "400"):
                        operation.get("responses", {}).pop(status, None)
                if method in ("post", "put"):
                    describe_body_limits(operation)
                    operation.setdefault("parameters", []).append(
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "description": "A repeat with the same key and body returns the first "
                            "response and records nothing; the same key with another body is 409 "
                            "idempotency_key_reused",
                            "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                        }
                    )
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
