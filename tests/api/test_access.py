"""Tokens, roles and scopes: who may call what, and what scoped callers see."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Api, problem, sh


@pytest.fixture
def park(api: Api) -> dict[str, Any]:
    """Two enterprises, two units; matter a1 (enterprise a → unit 1), b2 (b → unit 2), a0 (a)."""
    a = api.enterprise("亳州恒丰汽车零部件有限公司")
    b = api.enterprise("亳州华信药业有限公司", chain="现代中药")
    one, two = api.unit("经济发展局"), api.unit("自然资源和规划局")
    a1 = api.assign(api.matter(a["id"])["id"], one["id"])
    b2 = api.assign(api.matter(b["id"])["id"], two["id"])
    a0 = api.matter(a["id"])
    return {"a": a, "b": b, "one": one, "two": two, "a1": a1, "b2": b2, "a0": a0}


def ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def test_request_without_token_is_unauthorized(api: Api) -> None:
    response = api.client.get("/v1/matters")
    problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_bad_token_is_unauthorized(api: Api) -> None:
    for authorization in ("Bearer bb_not-a-token", "Basic YWRtaW46YWRtaW4=", "Bearer ", "bb_x"):
        response = api.client.get("/v1/matters", headers={"Authorization": authorization})
        problem(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_health_needs_no_token(api: Api) -> None:
    response = api.client.get("/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_hr_may_not_list_matters(api: Api) -> None:
    problem(api.as_("hr").get("/v1/matters"), 403, "forbidden")


def test_commands_refuse_roles_not_listed(api: Api) -> None:
    refused = [
        ("leader", "/v1/units", {"name": "应急管理局"}),
        ("clerk", "/v1/guarantors", {"kind": "department", "name": "经济发展局"}),
        ("hr", "/v1/enterprises", {}),
        ("auditor", "/v1/matters", {}),
    ]
    sessions = [(api.as_(role), path, body) for role, path, body in refused]
    with api.records_nothing():
        for session, path, body in sessions:
            problem(session.post(path, body), 403, "forbidden")


def test_unit_sees_only_its_own_matters(api: Api, park: dict[str, Any]) -> None:
    one = api.unit_session(park["one"]["id"])
    assert ids(one.get("/v1/matters")) == {park["a1"]["id"]}
    assert ids(one.get("/v1/matters", {"enterprise_id": park["b"]["id"]})) == set()
    assert one.get(f"/v1/matters/{park['a1']['id']}").status_code == 200
    problem(one.get(f"/v1/matters/{park['b2']['id']}"), 404, "not_found")
    problem(one.get(f"/v1/matters/{park['a0']['id']}"), 404, "not_found")
    problem(one.get(f"/v1/matters/{park['b2']['id']}/timeline"), 404, "not_found")


def test_enterprise_sees_only_its_own_matters(api: Api, park: dict[str, Any]) -> None:
    a = api.enterprise_session(park["a"]["id"])
    assert ids(a.get("/v1/matters")) == {park["a1"]["id"], park["a0"]["id"]}
    assert ids(a.get("/v1/matters", {"unit_id": park["two"]["id"]})) == set()
    problem(a.get(f"/v1/matters/{park['b2']['id']}"), 404, "not_found")
    problem(a.get(f"/v1/matters/{park['b2']['id']}/timeline"), 404, "not_found")
    assert a.get(f"/v1/enterprises/{park['a']['id']}").status_code == 200
    problem(a.get(f"/v1/enterprises/{park['b']['id']}"), 404, "not_found")


def test_park_wide_roles_see_every_matter(api: Api, park: dict[str, Any]) -> None:
    every = {park["a1"]["id"], park["b2"]["id"], park["a0"]["id"]}
    for role in ("admin", "clerk", "leader", "supervisor", "auditor"):
        assert ids(api.as_(role).get("/v1/matters")) == every, role


def test_unit_not_holding_the_matter_cannot_resolve_it(api: Api, park: dict[str, Any]) -> None:
    two = api.unit_session(park["two"]["id"])
    with api.records_nothing():
        response = two.post(f"/v1/matters/{park['a1']['id']}/resolve", {"reply": "已办结"})
        problem(response, 403, "not_holding_unit")
        response = two.post(
            f"/v1/matters/{park['a1']['id']}/extension-requests",
            {"requested_deadline": "2026-03-10T17:30:00+08:00", "reason": "需要更多时间"},
        )
        problem(response, 403, "not_holding_unit")


def test_other_enterprise_cannot_rate_the_matter(api: Api, park: dict[str, Any]) -> None:
    api.resolve(park["b2"]["id"], park["two"]["id"])
    a = api.enterprise_session(park["a"]["id"])
    with api.records_nothing():
        response = a.post(f"/v1/matters/{park['b2']['id']}/ratings", {"level": 1})
        problem(response, 403, "not_own_enterprise")


def test_clerk_may_not_back_date_with_occurred_at(api: Api, park: dict[str, Any]) -> None:
    with api.records_nothing():
        response = api.clerk.post(
            f"/v1/matters/{park['a0']['id']}/assign",
            {"unit_id": park["one"]["id"], "occurred_at": "2026-03-02T08:40:00+08:00"},
        )
        problem(response, 403, "backdating_not_allowed")
        response = api.clerk.post(
            "/v1/matters",
            {
                "enterprise_id": park["a"]["id"],
                "summary": "用电增容",
                "category": "要素保障",
                "channel": "phone",
                "occurred_at": "2026-03-02T08:40:00+08:00",
            },
        )
        problem(response, 403, "backdating_not_allowed")


def test_unit_cannot_back_date_its_own_resolution(api: Api, park: dict[str, Any]) -> None:
    one = api.unit_session(park["one"]["id"])
    api.clock.set(sh(2026, 3, 9, 9, 0))
    with api.records_nothing():
        response = one.post(
            f"/v1/matters/{park['a1']['id']}/resolve",
            {"reply": "已办结", "occurred_at": "2026-03-05T17:00:00+08:00"},
        )
        problem(response, 403, "backdating_not_allowed")


def test_clerk_may_record_a_past_receipt(api: Api, park: dict[str, Any]) -> None:
    api.clock.set(sh(2026, 3, 2, 15, 0))
    response = api.clerk.post(
        "/v1/matters",
        {
            "enterprise_id": park["a"]["id"],
            "summary": "电话反映用工缺口",
            "category": "人才",
            "channel": "phone",
            "received_at": "2026-03-02T08:45:00+08:00",
        },
    )
    assert response.status_code == 201, response.text
    matter = response.json()
    assert matter["received_at"] == "2026-03-02T08:45:00+08:00"
    assert matter["deadlines"][0]["due_at"] == "2026-03-02T14:15:00+08:00"
    [received] = api.clerk.get(f"/v1/matters/{matter['id']}/timeline").json()
    assert received["backdated"] is True
    assert received["occurred_at"] == "2026-03-02T08:45:00+08:00"
    assert received["recorded_at"] == "2026-03-02T15:00:00+08:00"
    assert received["actor"]["role"] == "clerk"


def test_clerk_may_not_record_a_receipt_in_the_future(api: Api, park: dict[str, Any]) -> None:
    with api.records_nothing():
        response = api.clerk.post(
            "/v1/matters",
            {
                "enterprise_id": park["a"]["id"],
                "summary": "预约走访",
                "category": "其他",
                "channel": "phone",
                "received_at": "2026-03-02T09:30:00+08:00",
            },
        )
        problem(response, 422, "time_in_future")


def test_admin_late_entry_is_visible_as_backdated(api: Api, park: dict[str, Any]) -> None:
    matter = park["a0"]
    api.clock.set(sh(2026, 3, 3, 10, 0))
    response = api.admin.post(
        f"/v1/matters/{matter['id']}/assign",
        {"unit_id": park["one"]["id"], "occurred_at": "2026-03-02T10:00:00+08:00"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["assigned_at"] == "2026-03-02T10:00:00+08:00"
    assert body["deadlines"][-1]["due_at"] == "2026-03-05T17:30:00+08:00"
    assert body["deadlines"][0]["late"] is False  # met at 10:00, due 14:30
    received, assigned = api.as_("auditor").get(f"/v1/matters/{matter['id']}/timeline").json()
    assert received["backdated"] is False
    assert assigned["type"] == "Matter.Assigned"
    assert assigned["backdated"] is True
    assert assigned["actor"]["role"] == "admin"
    assert assigned["occurred_at"] == "2026-03-02T10:00:00+08:00"
    assert assigned["recorded_at"] == "2026-03-03T10:00:00+08:00"
