"""Lists: pages, limits, cursors and filters."""

from __future__ import annotations

import base64
from typing import Any

from tests.api.conftest import Api, problem, sh


def walk(api: Api, path: str, params: dict[str, Any]) -> list[list[str]]:
    """Every page of a list, following next_cursor; the ids of each page."""
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = api.clerk.get(path, query)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append([item["id"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 20, "the cursor does not advance"


def test_pages_walk_every_matter_exactly_once(api: Api) -> None:
    enterprise = api.enterprise()
    made = [api.matter(enterprise["id"])["id"] for _ in range(5)]
    pages = walk(api, "/v1/matters", {"limit": 2})
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [i for page in pages for i in page] == made
    assert walk(api, "/v1/matters", {"limit": 5}) == [made]
    assert walk(api, "/v1/matters", {"limit": 500}) == [made]


def test_enterprise_pages_walk_every_enterprise_exactly_once(api: Api) -> None:
    made = [api.enterprise(f"企业{i}")["id"] for i in range(3)]
    pages = walk(api, "/v1/enterprises", {"limit": 1})
    assert [i for page in pages for i in page] == made
    assert len(pages) == 3


def test_limit_out_of_range_is_refused(shared_api: Api) -> None:
    for limit in ("501", "0", "-1", "ten"):
        response = shared_api.clerk.get("/v1/matters", {"limit": limit})
        body = problem(response, 422, "invalid_input")
        assert any("limit" in e["loc"] for e in body["errors"]), body


def test_garbage_cursor_is_bad_input(api: Api) -> None:
    enterprise = api.enterprise()
    api.matter(enterprise["id"])
    for cursor in ("garbage", "czpub3Q", "!!!", "eDox"):
        response = api.clerk.get("/v1/matters", {"cursor": cursor})
        assert 400 <= response.status_code < 500, (cursor, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] in ("invalid_input", "bad_cursor", "bad_request")


def test_garbage_cursor_on_gaps_is_bad_input(shared_api: Api) -> None:
    response = shared_api.admin.get("/v1/enterprises/gaps", {"cursor": "garbage"})
    assert 400 <= response.status_code < 500, response.text


def test_cursor_with_out_of_range_position_is_bad_input(api: Api) -> None:
    cursor = base64.urlsafe_b64encode(b"s:99999999999999999999999").decode().rstrip("=")
    response = api.clerk.get("/v1/matters", {"cursor": cursor})
    assert 400 <= response.status_code < 500, response.text


def test_overdue_filter_splits_matters_by_open_steps_past_due(api: Api) -> None:
    enterprise, unit = api.enterprise(), api.unit()
    api.clock.set(sh(2026, 3, 2, 9, 0))
    late_intake = api.matter(enterprise["id"])["id"]  # assign due 14:30, never assigned
    handled = api.assign(api.matter(enterprise["id"])["id"], unit["id"])["id"]  # due 03-05
    done = api.assign(api.matter(enterprise["id"])["id"], unit["id"])["id"]
    api.resolve(done, unit["id"])
    api.clock.set(sh(2026, 3, 2, 14, 50))
    fresh = api.matter(enterprise["id"])["id"]  # assign due 03-03 10:20

    api.clock.set(sh(2026, 3, 2, 15, 0))
    overdue = api.clerk.get("/v1/matters", {"overdue": "true"}).json()["items"]
    assert [m["id"] for m in overdue] == [late_intake]
    assert all(m["overdue"] for m in overdue)
    rest = api.clerk.get("/v1/matters", {"overdue": "false"}).json()["items"]
    assert [m["id"] for m in rest] == [handled, done, fresh]
    assert not any(m["overdue"] for m in rest)

    api.clock.set(sh(2026, 3, 6, 9, 0))
    overdue = api.clerk.get("/v1/matters", {"overdue": "true"}).json()["items"]
    assert [m["id"] for m in overdue] == [late_intake, handled, fresh]
    rest = api.clerk.get("/v1/matters", {"overdue": "false"}).json()["items"]
    assert [m["id"] for m in rest] == [done]


def test_filters_by_status_unit_and_enterprise(api: Api) -> None:
    a, b = api.enterprise("企业甲"), api.enterprise("企业乙")
    one, two = api.unit("经济发展局"), api.unit("应急管理局")
    a_received = api.matter(a["id"])["id"]
    a_one = api.assign(api.matter(a["id"])["id"], one["id"])["id"]
    b_one = api.assign(api.matter(b["id"])["id"], one["id"])["id"]
    b_two = api.assign(api.matter(b["id"])["id"], two["id"])["id"]
    api.resolve(b_two, two["id"])

    def listed(**params: str) -> list[str]:
        response = api.clerk.get("/v1/matters", params)
        assert response.status_code == 200, response.text
        return [m["id"] for m in response.json()["items"]]

    assert listed(status="received") == [a_received]
    assert listed(status="assigned") == [a_one, b_one]
    assert listed(status="resolved") == [b_two]
    assert listed(status="closed") == []
    assert listed(unit_id=one["id"]) == [a_one, b_one]
    assert listed(unit_id=two["id"]) == [b_two]
    assert listed(enterprise_id=a["id"]) == [a_received, a_one]
    assert listed(enterprise_id=b["id"], unit_id=one["id"]) == [b_one]
    assert listed(enterprise_id=b["id"], status="assigned") == [b_one]


def test_malformed_filter_values_are_bad_input(shared_api: Api) -> None:
    clerk = shared_api.clerk
    problem(clerk.get("/v1/matters", {"unit_id": "unit-1"}), 422, "invalid_input")
    problem(clerk.get("/v1/matters", {"overdue": "maybe"}), 422, "invalid_input")
