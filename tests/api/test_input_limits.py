"""Input limits: each kind of hostile input gets a clear 4xx problem and a documented bound.

Bounds (README "Limits"): a body of at most 1 MiB (413), JSON only (415); names at most 200
characters and free text at most 4000, without control characters (422; tab and line breaks
allowed in free text, emoji everywhere); lists and numbers as their schema says; pages of at
most 500; dates and times from 2000-01-01 to 2100-12-31. Nothing refused is recorded.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.limits import MAX_BODY_BYTES
from tests.api.conftest import PROBLEM, Api, problem, running_api

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def park(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One API on SQLite with an enterprise, a unit, a guarantor and an assigned matter."""
    folder: Path = tmp_path_factory.mktemp("limits")
    with running_api(f"sqlite:///{folder}/api.db", folder) as api:
        enterprise, unit, guarantor = api.enterprise(), api.unit(), api.guarantor()
        matter = api.assign(api.matter(enterprise["id"])["id"], unit["id"])
        yield {
            "api": api,
            "enterprise": enterprise["id"],
            "unit": unit["id"],
            "guarantor": guarantor["id"],
            "matter": matter["id"],
        }


def send(
    api: Api,
    method: str,
    path: str,
    role: str = "admin",
    scope: str | None = None,
    **kwargs: Any,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {api.token(role, scope)}", **kwargs.pop("headers", {})}
    return api.client.request(method, path, headers=headers, **kwargs)


def refused(response: httpx.Response, status: int, code: str, *where: str) -> dict[str, Any]:
    """A problem with this status and code, naming each field in `where` among its errors."""
    body = problem(response, status, code)
    for name in where:
        assert any(name in e["loc"] for e in body.get("errors", [])), body
    return body


# -- request size and media type ---------------------------------------------------------------


def test_a_body_over_one_mebibyte_is_refused_with_413(park: dict[str, Any]) -> None:
    api: Api = park["api"]
    big = b'{"name": "' + b"x" * MAX_BODY_BYTES + b'"}'
    with api.records_nothing():
        response = send(api, "POST", "/v1/units", content=big, headers=json_type())
        body = problem(response, 413, "payload_too_large")
    assert str(MAX_BODY_BYTES) in body["detail"]


def test_a_chunked_body_over_the_limit_is_refused_too(park: dict[str, Any]) -> None:
    api: Api = park["api"]

    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}'

    with api.records_nothing():
        response = send(api, "POST", "/v1/units", content=chunks(), headers=json_type())
        problem(response, 413, "payload_too_large")


def test_a_body_just_under_the_limit_reaches_validation(park: dict[str, Any]) -> None:
    api: Api = park["api"]
    padded = b'{"name": "' + b"x" * (MAX_BODY_BYTES - 20) + b'"}'
    assert len(padded) <= MAX_BODY_BYTES
    with api.records_nothing():
        response = send(api, "POST", "/v1/units", content=padded, headers=json_type())
        refused(response, 422, "invalid_input", "name")


def json_type(value: str = "application/json") -> dict[str, str]:
    return {"Content-Type": value}


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data"],
)
def test_a_body_that_is_not_json_is_refused_with_415(
    park: dict[str, Any], content_type: str
) -> None:
    api: Api = park["api"]
    with api.records_nothing():
        response = send(
            api, "POST", "/v1/units", content=b'{"name": "x"}', headers=json_type(content_type)
        )
        problem(response, 415, "unsupported_media_type")


def test_a_body_without_content_type_is_refused_with_415(park: dict[str, Any]) -> None:
    api: Api = park["api"]
    with api.records_nothing():
        problem(
            send(api, "POST", "/v1/units", content=b'{"name": "x"}'), 415, "unsupported_media_type"
        )


def test_json_with_a_charset_or_a_json_suffix_is_json(park: dict[str, Any]) -> None:
    api: Api = park["api"]
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        body = f'{{"name": "招商局 {content_type[-5:]}"}}'.encode()
        response = send(api, "POST", "/v1/units", content=body, headers=json_type(content_type))
        assert response.status_code == 201, response.text


def test_a_command_without_a_body_needs_no_content_type(park: dict[str, Any]) -> None:
    api: Api = park["api"]
    path = f"/v1/matters/{park['matter']}/extension-requests/{UNKNOWN}/approve"
    with api.records_nothing():
        problem(send(api, "POST", path), 404, "not_found")


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b'{"name": ', 422, "invalid_input"),
        (b'{"name": "x",}', 422, "invalid_input"),
        (b"\xff\xfe{}", 422, "invalid_input"),
        (b'["name"]', 422, "invalid_input"),
        (b'"name"', 422, "invalid_input"),
        (b"null", 422, "invalid_input"),
        (b"", 422, "invalid_input"),
        (b'{"name": ' + b"[" * 5000 + b"]" * 5000 + b"}", 400, "bad_request"),
        (b'{"name": "x", "occurred_at": ' + b"9" * 5000 + b"}", 400, "bad_request"),
    ],
    ids=[
        "truncated",
        "trailing-comma",
        "not-utf8",
        "array",
        "string",
        "null",
        "empty",
        "deep",
        "huge-int",
    ],
)
def test_malformed_json_is_a_clear_problem(
    park: dict[str, Any], content: bytes, status: int, code: str
) -> None:
    api: Api = park["api"]
    with api.records_nothing():
        response = send(api, "POST", "/v1/units", content=content, headers=json_type())
        body = problem(response, status, code)
    assert body["detail"]


# -- every bound is in the schema --------------------------------------------------------------

UNBOUNDED_QUANTIFIER = re.compile(r"(?<!\\)[*+]|\{\d+,\}")


def bounded(schema: dict[str, Any]) -> bool:
    """A string with a maximum length, a fixed set of values, a format or an anchored pattern."""
    if {"maxLength", "enum", "const"} & schema.keys() or schema.get("format") in (
        "date",
        "date-time",
        "uuid",
    ):
        return True
    pattern = schema.get("pattern", "")
    return (
        pattern.startswith("^")
        and pattern.endswith("$")
        and not UNBOUNDED_QUANTIFIER.search(pattern)
    )


def unbounded(document: dict[str, Any]) -> list[str]:
    """Every request string, list, map and integer of the /v1 API without an upper bound."""
    components = document["components"]["schemas"]
    found: list[str] = []

    def walk(schema: dict[str, Any], where: str, seen: frozenset[str]) -> None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            if name not in seen:
                walk(components[name], f"{where}<{name}>", seen | {name})
            return
        for key in ("anyOf", "oneOf", "allOf"):
            for option in schema.get(key, []):
                walk(option, where, seen)
        kind = schema.get("type")
        if kind == "string" and not bounded(schema):
            found.append(f"{where}: string without maxLength")
        elif kind == "integer" and not {"maximum", "exclusiveMaximum"} & schema.keys():
            found.append(f"{where}: integer without maximum")
        elif kind == "array":
            if "maxItems" not in schema:
                found.append(f"{where}: list without maxItems")
            walk(schema.get("items", {}), f"{where}[]", seen)
        elif kind == "object":
            for name, value in schema.get("properties", {}).items():
                walk(value, f"{where}.{name}", seen)
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict):
                keys = schema.get("propertyNames", {})
                if "maxProperties" not in schema and "enum" not in keys:
                    found.append(f"{where}: map without maxProperties")
                walk(extra, f"{where}[*]", seen)

    for path, item in document["paths"].items():
        if not path.startswith("/v1/"):
            continue  # the HTML board reads its own forms (api/board)
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                walk(parameter["schema"], f"{method} {path} {parameter['name']}", frozenset())
            for content in operation.get("requestBody", {}).get("content", {}).values():
                walk(content["schema"], f"{method} {path} body", frozenset())
    return found


def test_every_request_field_has_a_documented_upper_bound(park: dict[str, Any]) -> None:
    document = park["api"].client.get("/openapi.json").json()
    assert unbounded(document) == []


# Amounts and periods are strings the domain parses whole (and refuses if they are not one).
PARSED = {"amount", "fee_paid", "cost", "province_subsidy", "city_subsidy", "period"}


def free_text_without_the_control_rule(document: dict[str, Any]) -> list[str]:
    """Request strings that take free text but lack CleanLine/CleanText (their `pattern`)."""
    components = document["components"]["schemas"]
    found: list[str] = []

    def walk(schema: dict[str, Any], where: str, name: str) -> None:
        if "$ref" in schema:
            walk(components[schema["$ref"].rsplit("/", 1)[1]], where, name)
            return
        for key in ("anyOf", "oneOf", "allOf"):
            for option in schema.get(key, []):
                walk(option, where, name)
        if schema.get("type") == "object":
            for field_name, value in schema.get("properties", {}).items():
                walk(value, f"{where}.{field_name}", field_name)
        elif schema.get("type") == "array":
            walk(schema.get("items", {}), f"{where}[]", name)
        elif schema.get("type") == "string" and name not in PARSED:
            found.extend([] if {"pattern", "enum", "const", "format"} & schema.keys() else [where])

    for path, item in document["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and parameter["name"] != "cursor":
                    name = parameter["name"]
                    walk(parameter["schema"], f"{method} {path} ?{name}", name)
            for content in operation.get("requestBody", {}).get("content", {}).values():
                walk(content["schema"], f"{method} {path} body", "")
    return found


def test_every_free_text_field_refuses_control_characters(park: dict[str, Any]) -> None:
    document = park["api"].client.get("/openapi.json").json()
    assert free_text_without_the_control_rule(document) == []


def test_request_limits_are_documented_on_every_command(park: dict[str, Any]) -> None:
    document = park["api"].client.get("/openapi.json").json()
    for path, item in document["paths"].items():
        for method in ("post", "put"):
            if method in item and path.startswith("/v1/"):
                responses = item[method]["responses"]
                assert {"413", "415", "422"} <= responses.keys(), f"{method} {path}"
                assert PROBLEM in responses["413"]["content"]
    assert "1 MiB" in document["info"]["description"]


# -- text --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/units", {"name": "局" * 201}, "name"),
        ("/v1/guarantors", {"kind": "person", "name": "张伟", "title": "长" * 201}, "title"),
        (
            "/v1/matters",
            {
                "enterprise_id": "{enterprise}",
                "summary": "积" * 4001,
                "category": "基础设施",
                "channel": "window",
            },
            "summary",
        ),
        (
            "/v1/matters",
            {
                "enterprise_id": "{enterprise}",
                "summary": "积水",
                "category": "类" * 201,
                "channel": "window",
            },
            "category",
        ),
        ("/v1/matters/{matter}/resolve", {"reply": "复" * 4001}, "reply"),
        ("/v1/calendars/2027", {"holidays": [], "workdays": [], "source": "号" * 501}, "source"),
    ],
    ids=["name", "title", "summary", "category", "reply", "source"],
)
def test_text_longer_than_its_bound_is_refused(
    park: dict[str, Any], path: str, body: dict[str, Any], field: str
) -> None:
    api: Api = park["api"]
    payload = {k: v.format(**park) if isinstance(v, str) else v for k, v in body.items()}
    with api.records_nothing():
        response = send(api, "POST", path.format(**park), json=payload)
        refused(response, 422, "invalid_input", field)


@pytest.mark.parametrize(
    "name",
    [
        "经济\x00发展局",
        "经济\x1b[31m局",
        "经济\x7f局",
        "经济\x85局",
        "经济\x9f局",
        "经济\n发展局",
        "经济\t局",
    ],
    ids=["NUL", "ESC", "DEL", "NEL", "C1", "LF", "TAB"],
)
def test_control_characters_in_a_name_are_refused(park: dict[str, Any], name: str) -> None:
    api: Api = park["api"]
    with api.records_nothing():
        body = refused(
            send(api, "POST", "/v1/units", json={"name": name}), 422, "invalid_input", "name"
        )
    assert "control character" in body["detail"]


def test_control_characters_in_free_text_are_refused_but_line_breaks_are_not(
    park: dict[str, Any],
) -> None:
    api: Api = park["api"]
    intake = {"enterprise_id": park["enterprise"], "category": "基础设施", "channel": "window"}
    with api.records_nothing():
        for bad in ("积水\x00", "积水\x07", "积水\x1b", "积水\u0080"):
            response = send(
                api, "POST", "/v1/matters", role="clerk", json={**intake, "summary": bad}
            )
            refused(response, 422, "invalid_input", "summary")
    multi_line = "厂区道路积水：\r\n\t1. 排水管网老化\n\t2. 需协调改造"
    response = send(
        api, "POST", "/v1/matters", role="clerk", json={**intake, "summary": multi_line}
    )
    assert response.status_code == 201, response.text
    assert response.json()["summary"] == multi_line


def test_nul_and_other_controls_are_refused_in_text_filters_and_bodies(api: Api) -> None:
    """PostgreSQL cannot store NUL: it must be refused before it reaches the database."""
    with api.records_nothing():
        for path, role, query in (
            ("/v1/enterprises", "admin", {"chain": "新能源\x00汽车"}),
            ("/v1/sales/growth", "admin", {"period": "2026-02", "chain": "新能源\x00"}),
            ("/v1/notifications", "supervisor", {"recipient": "window\x00"}),
        ):
            response = send(api, "GET", path, role=role, params=query)
            refused(response, 422, "invalid_input", next(iter(query.keys() - {"period"})))
        response = send(api, "POST", "/v1/guarantors", json={"kind": "person", "name": "张\x00伟"})
        refused(response, 422, "invalid_input", "name")


@pytest.mark.parametrize(
    "name", ["", " ", "\u3000\u3000", "  \t"], ids=["empty", "space", "ideographic", "tab"]
)
def test_a_blank_name_is_refused(park: dict[str, Any], name: str) -> None:
    api: Api = park["api"]
    with api.records_nothing():
        refused(send(api, "POST", "/v1/units", json={"name": name}), 422, "invalid_input", "name")


def test_a_lone_surrogate_is_refused(park: dict[str, Any]) -> None:
    api: Api = park["api"]
    with api.records_nothing():
        response = send(
            api, "POST", "/v1/units", content=b'{"name": "\\ud800\\u5c40"}', headers=json_type()
        )
        refused(response, 422, "invalid_input", "name")


@pytest.mark.parametrize(
    "name",
    ["🏭经济发展局", "👩‍💻 数据资源局", "🇨🇳 招商局", "亳州𠀀局", "Ünïcödé 局", "ꦗꦮ"],
    ids=["emoji", "zwj-sequence", "flag", "cjk-ext-b", "latin", "javanese"],
)
def test_emoji_and_other_scripts_are_kept_as_sent(park: dict[str, Any], name: str) -> None:
    api: Api = park["api"]
    response = send(api, "POST", "/v1/units", json={"name": name})
    assert response.status_code == 201, response.text
    listed = send(api, "GET", "/v1/units", params={"limit": 500}).json()["items"]
    assert name in [u["name"] for u in listed]


# -- lists, pages and numbers -----------------------------------------------------------------


def dispatch_body(park: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "convener_id": park["guarantor"],
        "kind": "ad_hoc",
        "held_at": "2026-03-02T08:30:00+08:00",
        "enterprise_ids": [park["enterprise"]],
        "matter_ids": [],
        "directives": [],
        **fields,
    }


@pytest.mark.parametrize(
    ("field", "items", "bound"),
    [
        ("enterprise_ids", UNKNOWN, 500),
        ("matter_ids", UNKNOWN, 500),
        ("directives", {"enterprise_id": UNKNOWN, "summary": "协调", "unit_id": UNKNOWN}, 100),
    ],
)
def test_dispatch_lists_longer_than_their_bound_are_refused(
    park: dict[str, Any], field: str, items: Any, bound: int
) -> None:
    api: Api = park["api"]
    body = dispatch_body(park, **{field: [items] * (bound + 1)})
    with api.records_nothing():
        refused(send(api, "POST", "/v1/dispatches", json=body), 422, "invalid_input", field)


def test_calendar_and_visit_lists_longer_than_their_bound_are_refused(park: dict[str, Any]) -> None:
    api: Api = park["api"]
    days = ["2027-01-01"] * 367
    problems = [{"summary": "用电", "category": "要素保障"}] * 51
    visit = {
        "guarantor_id": park["guarantor"],
        "enterprise_id": park["enterprise"],
        "kind": "visit",
        "visited_at": "2026-03-02T08:30:00+08:00",
        "problems": problems,
    }
    with api.records_nothing():
        calendar = {"holidays": days, "workdays": [], "source": "国办发明电"}
        refused(
            send(api, "POST", "/v1/calendars/2027", json=calendar), 422, "invalid_input", "holidays"
        )
        calendar = {"holidays": [], "workdays": days, "source": "国办发明电"}
        refused(
            send(api, "POST", "/v1/calendars/2027", json=calendar), 422, "invalid_input", "workdays"
        )
        refused(send(api, "POST", "/v1/visits", json=visit), 422, "invalid_input", "problems")


@pytest.mark.parametrize("limit", ["0", "-1", "501", str(10**30), "1e3", "abc"])
def test_a_page_size_outside_1_to_500_is_refused(park: dict[str, Any], limit: str) -> None:
    api: Api = park["api"]
    for path in ("/v1/matters", "/v1/enterprises", "/v1/audit/events"):
        role = "auditor" if "audit" in path else "admin"
        response = send(api, "GET", path, role=role, params={"limit": limit})
        refused(response, 422, "invalid_input", "limit")


def test_a_page_of_500_is_served(park: dict[str, Any]) -> None:
    api: Api = park["api"]
    response = send(api, "GET", "/v1/matters", params={"limit": "500"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("method", "path", "role", "kwargs", "field"),
    [
        ("POST", "/v1/matters/{matter}/ratings", "admin", {"json": {"level": 10**30}}, "level"),
        ("POST", "/v1/matters/{matter}/ratings", "admin", {"json": {"level": 1e308}}, "level"),
        ("GET", "/v1/audit/events", "auditor", {"params": {"after": str(10**30)}}, "after"),
        ("GET", "/v1/audit/events", "auditor", {"params": {"after": str(2**63)}}, "after"),
        ("GET", "/v1/units", "admin", {"params": {"min_position": str(10**30)}}, "min_position"),
        ("GET", "/v1/calendars/" + str(10**30), "admin", {}, "year"),
        (
            "GET",
            "/v1/assessments/what-if",
            "hr",
            {"params": {"period": "2026-03", "policy_version": str(10**30)}},
            "policy_version",
        ),
        (
            "GET",
            "/v1/enterprises/{enterprise}/sales",
            "admin",
            {"params": {"year": "99999"}},
            "year",
        ),
        (
            "PUT",
            "/v1/enterprises/{enterprise}/sales/2026-02",
            "admin",
            {"json": {"amount": 1e308, "source": "tax"}},
            "amount",
        ),
        (
            "PUT",
            "/v1/enterprises/{enterprise}/sales/2026-02",
            "admin",
            {"json": {"amount": "9" * 41, "source": "tax"}},
            "amount",
        ),
    ],
    ids=[
        "level-huge",
        "level-float",
        "after-huge",
        "after-2^63",
        "min-position-huge",
        "year-huge",
        "policy-version-huge",
        "sales-year",
        "amount-number",
        "amount-long",
    ],
)
def test_huge_numbers_are_refused(
    park: dict[str, Any], method: str, path: str, role: str, kwargs: dict[str, Any], field: str
) -> None:
    api: Api = park["api"]
    with api.records_nothing():
        response = send(api, method, path.format(**park), role=role, **kwargs)
        refused(response, 422, "invalid_input", field)


@pytest.mark.parametrize("amount", ["1e309", "1E3", "Infinity", "NaN", "1000000000000000.01", "-0"])
def test_amounts_beyond_a_plain_bounded_decimal_are_refused(
    park: dict[str, Any], amount: str
) -> None:
    api: Api = park["api"]
    path = f"/v1/enterprises/{park['enterprise']}/sales/2026-02"
    with api.records_nothing():
        response = send(api, "PUT", path, role="clerk", json={"amount": amount, "source": "tax"})
        problem(response, 422, "invalid_amount")


def test_an_if_match_beyond_nine_digits_is_a_bad_request(park: dict[str, Any]) -> None:
    api: Api = park["api"]
    path = f"/v1/matters/{park['matter']}/resolve"
    with api.records_nothing():
        response = send(
            api, "POST", path, json={"reply": "已办结"}, headers={"If-Match": '"9' * 10 + '"'}
        )
        problem(response, 400, "bad_if_match")


def test_a_min_position_beyond_the_log_head_does_not_hold_the_request(
    park: dict[str, Any],
) -> None:
    api: Api = park["api"]
    started = time.monotonic()
    response = send(api, "GET", "/v1/units", params={"min_position": str(api.log_head() + 10**6)})
    assert response.status_code == 200, response.text
    assert time.monotonic() - started < 1.0


# -- dates and times: 2000-01-01 to 2100-12-31 --------------------------------------------------

FAR = ["0001-01-01", "1900-01-01", "1999-12-31", "2101-01-01", "9999-12-31"]


def far_times(day: str) -> list[str]:
    return [f"{day}T00:00:00+14:00", f"{day}T23:59:59-12:00"]


def dated_commands(
    park: dict[str, Any], day: str, moment: str
) -> list[tuple[str, str, dict[str, Any], str]]:
    """(path, role, body, field) of every command with a business date or time."""
    enterprise, guarantor, matter = park["enterprise"], park["guarantor"], park["matter"]
    intake = {
        "enterprise_id": enterprise,
        "summary": "积水",
        "category": "基础设施",
        "channel": "window",
    }
    return [
        (
            f"/v1/enterprises/{enterprise}/assignments",
            "admin",
            {"guarantor_id": guarantor, "role": "lead_leader", "effective_from": day},
            "effective_from",
        ),
        (
            f"/v1/assignments/{UNKNOWN}/release",
            "admin",
            {"effective_to": day, "reason": "调整"},
            "effective_to",
        ),
        (
            f"/v1/enterprises/{enterprise}/assignments/reassign",
            "admin",
            {
                "guarantor_id": guarantor,
                "role": "lead_leader",
                "effective_from": day,
                "reason": "调整",
            },
            "effective_from",
        ),
        (
            "/v1/leading-group/members",
            "admin",
            {"person_id": guarantor, "role": "group_leader", "effective_from": day},
            "effective_from",
        ),
        (
            f"/v1/leading-group/members/{UNKNOWN}/end",
            "admin",
            {"effective_to": day, "reason": "调整"},
            "effective_to",
        ),
        ("/v1/matters", "clerk", {**intake, "received_at": moment}, "received_at"),
        ("/v1/matters", "admin", {**intake, "occurred_at": moment}, "occurred_at"),
        (
            f"/v1/matters/{matter}/extension-requests",
            "admin",
            {"requested_deadline": moment, "reason": "需审批"},
            "requested_deadline",
        ),
        ("/v1/dispatches", "admin", dispatch_body(park, held_at=moment), "held_at"),
        (
            "/v1/visits",
            "admin",
            {
                "guarantor_id": guarantor,
                "enterprise_id": enterprise,
                "kind": "visit",
                "visited_at": moment,
            },
            "visited_at",
        ),
        (
            "/v1/calendars/2027",
            "admin",
            {"holidays": [day], "workdays": [], "source": "国办发明电"},
            "holidays",
        ),
    ]


@pytest.mark.parametrize("day", FAR)
def test_business_dates_and_times_far_away_are_refused(park: dict[str, Any], day: str) -> None:
    api: Api = park["api"]
    with api.records_nothing():
        for moment in far_times(day):
            for path, role, body, field in dated_commands(park, day, moment):
                found = refused(
                    send(api, "POST", path, role=role, json=body), 422, "invalid_input", field
                )
                assert "2000-01-01 to 2100-12-31" in found["detail"], (path, found)


def dated_reads(
    park: dict[str, Any], day: str, moment: str
) -> list[tuple[str, str, dict[str, str], str]]:
    """(path, role, query, field) of every read with a date or a recorded time."""
    enterprise, matter = park["enterprise"], park["matter"]
    return [
        (f"/v1/enterprises/{enterprise}", "admin", {"as_of": moment}, "as_of"),
        (f"/v1/enterprises/{enterprise}/guarantors", "admin", {"on": day}, "on"),
        (f"/v1/enterprises/{enterprise}/guarantors", "admin", {"as_of": moment}, "as_of"),
        ("/v1/enterprises/gaps", "admin", {"on": day}, "on"),
        (f"/v1/matters/{matter}", "admin", {"as_of": moment}, "as_of"),
        ("/v1/leading-group/members", "admin", {"on": day}, "on"),
        (f"/v1/leading-group/members/{UNKNOWN}", "admin", {"as_of": moment}, "as_of"),
        (f"/v1/dispatches/{UNKNOWN}", "admin", {"as_of": moment}, "as_of"),
        (f"/v1/enterprises/{enterprise}/sales", "admin", {"as_of": moment}, "as_of"),
        ("/v1/visits", "admin", {"as_of": moment}, "as_of"),
        ("/v1/notices/supervision", "supervisor", {"as_of": moment}, "as_of"),
        ("/v1/notices", "hr", {"period": "2026-03", "as_of": moment}, "as_of"),
        ("/v1/assessments", "hr", {"period": "2026-03", "as_of": moment}, "as_of"),
        ("/v1/entitlements", "admin", {"enterprise_id": enterprise, "as_of": moment}, "as_of"),
    ]


@pytest.mark.parametrize("day", FAR)
def test_dates_and_recorded_times_far_away_are_refused_on_reads(
    park: dict[str, Any], day: str
) -> None:
    api: Api = park["api"]
    for moment in far_times(day):
        for path, role, query, field in dated_reads(park, day, moment):
            response = send(api, "GET", path, role=role, params=query)
            refused(response, 422, "invalid_input", field)


def test_dates_at_the_bounds_are_accepted(park: dict[str, Any]) -> None:
    api: Api = park["api"]
    enterprise = park["enterprise"]
    for day in ("2000-01-01", "2100-12-31"):
        response = send(api, "GET", f"/v1/enterprises/{enterprise}/guarantors", params={"on": day})
        assert response.status_code == 200, response.text
    moment = "2000-01-01T00:00:00+08:00"
    response = send(api, "GET", f"/v1/matters/{park['matter']}", params={"as_of": moment})
    problem(response, 404, "not_found")  # it did not exist yet


@pytest.mark.parametrize(
    "document",
    [
        {"handle_working_days": "abc"},
        {"handle_working_days": {"a": [1]}},
        {"handle_working_days": 10**20},
        {"handle_working_days": 0},
        {"cap_working_days": 251},
        {"sales_target": "1e308"},
        {"sales_target": "NaN"},
        {"sales_target": 0.05},
        {"weights": {"sales": 100}},
        {"weights": {"sales": 10, "timeliness": 30, "satisfaction": 20, "service": 40, "x": 1}},
        {"weights": {"sales": 10**9, "timeliness": 30, "satisfaction": 20, "service": 40}},
        {"grade_thresholds": {"卓越": "95"}},
        {"grade_thresholds": {"优秀": "Infinity"}},
        {"office_sessions": [["08:30"]]},
        {"office_sessions": [["08:30", "25:00"]]},
        {"office_sessions": [["08:30", "12:00"]] * 7},
        {"deduction_per_overdue_step": "-2"},
        {"unknown": 1},
    ],
    ids=lambda d: next(iter(d)) + "=" + str(next(iter(d.values())))[:12],
)
def test_a_policy_document_out_of_bounds_is_refused(
    park: dict[str, Any], document: dict[str, Any]
) -> None:
    api: Api = park["api"]
    with api.records_nothing():
        response = send(
            api, "POST", "/v1/policies", json={"document": document, "effective_from": "2026-07"}
        )
        refused(response, 422, "invalid_input", "document")


@pytest.mark.parametrize("month", ["1999-12", "2101-01", "9999-12", "2026-13", "2026-00"])
def test_a_policy_month_out_of_bounds_is_refused(park: dict[str, Any], month: str) -> None:
    api: Api = park["api"]
    with api.records_nothing():
        response = send(api, "POST", "/v1/policies", json={"document": {}, "effective_from": month})
        refused(response, 422, "invalid_input", "effective_from")


def test_a_policy_within_bounds_is_adopted(park: dict[str, Any]) -> None:
    api: Api = park["api"]
    document = {
        "weights": {"sales": 10, "timeliness": 30, "satisfaction": 20, "service": 40},
        "handle_working_days": 5,
        "sales_target": "0.06",
        "grade_thresholds": {"优秀": "92.5"},
    }
    response = send(
        api, "POST", "/v1/policies", json={"document": document, "effective_from": "2026-08"}
    )
    assert response.status_code == 201, response.text
    adopted = response.json()["document"]
    assert adopted["handle_working_days"] == 5
    assert adopted["cap_working_days"] == 30  # not given: kept from v1
    assert adopted["grade_thresholds"] == {"优秀": "92.5"}
