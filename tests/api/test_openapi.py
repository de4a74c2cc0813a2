"""The OpenAPI document describes the contract's endpoints (API.md) as implemented so far."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.api.conftest import Api

# (method, path) of API.md that the application implements so far; ids as `{}`.
CONTRACT = [
    ("post", "/v1/enterprises"),
    ("get", "/v1/enterprises"),
    ("post", "/v1/enterprises/{}/delist"),
    ("get", "/v1/enterprises/{}"),
    ("get", "/v1/enterprises/{}/guarantors"),
    ("get", "/v1/enterprises/gaps"),
    ("post", "/v1/guarantors"),
    ("post", "/v1/enterprises/{}/assignments"),
    ("post", "/v1/assignments/{}/release"),
    ("post", "/v1/enterprises/{}/assignments/reassign"),
    ("post", "/v1/units"),
    ("post", "/v1/matters"),
    ("get", "/v1/matters"),
    ("get", "/v1/matters/{}"),
    ("get", "/v1/matters/{}/timeline"),
    ("post", "/v1/matters/{}/assign"),
    ("post", "/v1/matters/{}/transfer"),
    ("post", "/v1/matters/{}/extension-requests"),
    ("post", "/v1/matters/{}/extension-requests/{}/approve"),
    ("post", "/v1/matters/{}/extension-requests/{}/reject"),
    ("post", "/v1/matters/{}/resolve"),
    ("post", "/v1/matters/{}/ratings"),
    ("post", "/v1/matters/{}/withdraw"),
    ("post", "/v1/calendars/{}"),
    ("post", "/v1/policies"),
    ("get", "/v1/health"),
]


@pytest.fixture(scope="module")
def openapi(shared_api: Api) -> dict[str, Any]:
    response = shared_api.client.get("/openapi.json")
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, re.sub(r"\{[^}]+\}", "{}", path)): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


def header_names(operation: dict[str, Any]) -> set[str]:
    return {p["name"].lower() for p in operation.get("parameters", []) if p["in"] == "header"}


def test_openapi_lists_every_contract_path_implemented(openapi: dict[str, Any]) -> None:
    missing = [op for op in CONTRACT if op not in operations(openapi)]
    assert missing == []


def test_every_post_documents_a_success_response_schema(openapi: dict[str, Any]) -> None:
    posts = {key: op for key, op in operations(openapi).items() if key[0] == "post"}
    assert posts
    for (_, path), operation in posts.items():
        success = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
        assert success, f"POST {path} documents no 2xx response"
        for response in success.values():
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            assert schema, f"POST {path} documents no 2xx response schema"


def test_commands_documented_with_their_status_codes(openapi: dict[str, Any]) -> None:
    ops = operations(openapi)
    assert "201" in ops[("post", "/v1/matters")]["responses"]
    assert "201" in ops[("post", "/v1/matters/{}/ratings")]["responses"]
    assert "201" in ops[("post", "/v1/matters/{}/extension-requests")]["responses"]
    assert "200" in ops[("post", "/v1/matters/{}/assign")]["responses"]
    assert "201" in ops[("post", "/v1/calendars/{}")]["responses"]


def test_commands_on_existing_aggregates_document_if_match(openapi: dict[str, Any]) -> None:
    for key, operation in operations(openapi).items():
        method, path = key
        if method != "post" or key not in CONTRACT or "{}" not in path:
            continue
        if path.startswith("/v1/calendars/"):
            continue
        headers = {
            p["name"].lower() for p in operation.get("parameters", []) if p["in"] == "header"
        }
        assert "if-match" in headers, f"POST {path} does not document If-Match"


def test_openapi_documents_errors_as_problem_json(openapi: dict[str, Any]) -> None:
    operation = operations(openapi)[("post", "/v1/matters")]
    invalid = operation["responses"]["422"]
    assert "application/problem+json" in invalid["content"]
    assert {"401", "403", "404"} <= operation["responses"].keys()


def test_openapi_documents_idempotency_key_on_commands(openapi: dict[str, Any]) -> None:
    operation = operations(openapi)[("post", "/v1/matters")]
    assert "idempotency-key" in header_names(operation)


def test_openapi_declares_bearer_authentication(openapi: dict[str, Any]) -> None:
    schemes = openapi.get("components", {}).get("securitySchemes", {})
    assert any(s.get("scheme", "").lower() == "bearer" for s in schemes.values())
