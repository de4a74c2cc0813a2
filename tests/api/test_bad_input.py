"""Bad input gets a documented 4xx problem with a stable code, and changes nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.api.conftest import Api, problem, sh


@pytest.fixture
def assigned(api: Api) -> dict[str, Any]:
    """An enterprise, a unit and a matter assigned to it."""
    enterprise = api.enterprise()
    unit = api.unit()
    matter = api.assign(api.matter(enterprise["id"])["id"], unit["id"])
    return {"enterprise": enterprise, "unit": unit, "matter": matter}


def test_wrong_credit_code_is_refused_as_invalid_uscc(api: Api) -> None:
    good = api.new_uscc()
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    payload = {
        "uscc": wrong_check,
        "name": "亳州华信药业有限公司",
        "industry": "医药",
        "chain": "现代中药",
        "above_scale": False,
    }
    with api.records_nothing():
        body = problem(api.clerk.post("/v1/enterprises", payload), 422, "invalid_uscc")
    assert "GB 32100-2015" in body["detail"]


def test_naive_timestamp_is_refused(api: Api) -> None:
    enterprise = api.enterprise()
    payload = {
        "enterprise_id": enterprise["id"],
        "summary": "用电增容",
        "category": "要素保障",
        "channel": "phone",
        "received_at": "2026-03-02T08:45:00",
    }
    with api.records_nothing():
        body = problem(api.clerk.post("/v1/matters", payload), 422, "invalid_input")
    assert any("received_at" in e["loc"] for e in body["errors"]), body


def test_naive_occurred_at_from_admin_is_refused(api: Api, assigned: dict[str, Any]) -> None:
    matter, unit = assigned["matter"], assigned["unit"]
    with api.records_nothing():
        response = api.admin.post(
            f"/v1/matters/{matter['id']}/resolve",
            {"reply": "已办结", "occurred_at": "2026-03-02T10:00:00"},
        )
        body = problem(response, 422, "invalid_input")
    assert any("occurred_at" in e["loc"] for e in body["errors"]), body
    assert api.unit_session(unit["id"]).get(f"/v1/matters/{matter['id']}").json()["status"] == (
        "assigned"
    )


def test_naive_as_of_is_refused(api: Api, assigned: dict[str, Any]) -> None:
    response = api.clerk.get(
        f"/v1/matters/{assigned['matter']['id']}", {"as_of": "2026-03-02T10:00:00"}
    )
    problem(response, 422, "invalid_input")


def test_unknown_ids_are_not_found(api: Api, assigned: dict[str, Any]) -> None:
    unknown = str(uuid.uuid4())
    matter, unit = assigned["matter"], assigned["unit"]
    with api.records_nothing():
        problem(api.clerk.get(f"/v1/matters/{unknown}"), 404, "not_found")
        problem(api.clerk.get(f"/v1/matters/{unknown}/timeline"), 404, "not_found")
        problem(api.clerk.get(f"/v1/enterprises/{unknown}"), 404, "not_found")
        problem(
            api.clerk.post(f"/v1/matters/{unknown}/assign", {"unit_id": unit["id"]}),
            404,
            "not_found",
        )
        problem(
            api.clerk.post(
                "/v1/matters",
                {
                    "enterprise_id": unknown,
                    "summary": "用地指标",
                    "category": "要素保障",
                    "channel": "window",
                },
            ),
            404,
            "not_found",
        )
        problem(
            api.clerk.post(
                f"/v1/matters/{matter['id']}/transfer", {"unit_id": unknown, "reason": "职能调整"}
            ),
            404,
            "not_found",
        )
        problem(
            api.admin.post(
                f"/v1/assignments/{unknown}/release",
                {"effective_to": "2026-03-02", "reason": "调整"},
            ),
            404,
            "not_found",
        )


def test_malformed_id_is_bad_input_not_a_server_error(shared_api: Api) -> None:
    problem(shared_api.clerk.get("/v1/matters/not-a-uuid"), 422, "invalid_input")


def test_rating_of_six_is_refused(api: Api, assigned: dict[str, Any]) -> None:
    matter, unit, enterprise = assigned["matter"], assigned["unit"], assigned["enterprise"]
    api.resolve(matter["id"], unit["id"])
    session = api.enterprise_session(enterprise["id"])
    with api.records_nothing():
        for level in (6, 0):
            response = session.post(f"/v1/matters/{matter['id']}/ratings", {"level": level})
            body = problem(response, 422, "invalid_input")
            assert any("level" in e["loc"] for e in body["errors"]), body
    assert session.get(f"/v1/matters/{matter['id']}").json()["ratings"] == []


def test_extension_beyond_cap_is_refused(api: Api, assigned: dict[str, Any]) -> None:
    matter, unit = assigned["matter"], assigned["unit"]
    assert matter["cap_at"] == "2026-04-14T17:30:00+08:00"
    session = api.unit_session(unit["id"])
    with api.records_nothing():
        response = session.post(
            f"/v1/matters/{matter['id']}/extension-requests",
            {"requested_deadline": "2026-04-15T17:30:00+08:00", "reason": "需省级部门审批"},
        )
        body = problem(response, 409, "beyond_cap")
    assert "2026-04-14" in body["detail"]


def test_second_lead_leader_is_refused(api: Api) -> None:
    enterprise = api.enterprise()
    first, second = api.guarantor(name="张伟"), api.guarantor(name="李娜")
    path = f"/v1/enterprises/{enterprise['id']}/assignments"
    lead = {"guarantor_id": first["id"], "role": "lead_leader", "effective_from": "2026-03-01"}
    assert api.admin.post(path, lead).status_code == 201
    with api.records_nothing():
        response = api.admin.post(path, {**lead, "guarantor_id": second["id"]})
        problem(response, 409, "lead_leader_in_effect")
    on = api.admin.get(f"/v1/enterprises/{enterprise['id']}/guarantors", {"on": "2026-03-02"})
    assert [g["guarantor_id"] for g in on.json()] == [first["id"]]


def test_stale_if_match_is_a_version_conflict(api: Api) -> None:
    enterprise, unit = api.enterprise(), api.unit()
    received = api.clerk.post(
        "/v1/matters",
        {
            "enterprise_id": enterprise["id"],
            "summary": "用工招聘",
            "category": "人才",
            "channel": "online",
        },
    )
    etag = received.headers["ETag"]
    assert etag == '"1"'
    matter_id = received.json()["id"]
    assigned = api.clerk.post(
        f"/v1/matters/{matter_id}/assign", {"unit_id": unit["id"]}, headers={"If-Match": etag}
    )
    assert assigned.status_code == 200, assigned.text
    assert assigned.headers["ETag"] == '"2"'
    holder = api.unit_session(unit["id"])
    with api.records_nothing():
        response = api.clerk.post(
            f"/v1/matters/{matter_id}/withdraw",
            {"reason": "企业撤回"},
            headers={"If-Match": etag},
        )
        problem(response, 409, "version_conflict")
        response = holder.post(
            f"/v1/matters/{matter_id}/resolve", {"reply": "已办结"}, headers={"If-Match": '"7"'}
        )
        problem(response, 409, "version_conflict")


def test_malformed_if_match_is_bad_request(api: Api, assigned: dict[str, Any]) -> None:
    matter, unit = assigned["matter"], assigned["unit"]
    holder = api.unit_session(unit["id"])
    with api.records_nothing():
        response = holder.post(
            f"/v1/matters/{matter['id']}/resolve", {"reply": "已办结"}, headers={"If-Match": "*x"}
        )
        problem(response, 400, "bad_if_match")


def test_idempotency_key_reused_with_another_body_is_refused(api: Api) -> None:
    key = {"Idempotency-Key": "unit-create-1"}
    first = api.admin.post("/v1/units", {"name": "经济发展局"}, headers=key)
    assert first.status_code == 201, first.text
    with api.records_nothing():
        response = api.admin.post("/v1/units", {"name": "自然资源和规划局"}, headers=key)
        problem(response, 409, "idempotency_key_reused")
    names = [u["name"] for u in api.admin.get("/v1/units").json()["items"]]
    assert names == ["经济发展局"]


def test_idempotency_key_repeated_with_same_body_returns_first_response(api: Api) -> None:
    enterprise = api.enterprise()
    key = {"Idempotency-Key": "8d1c0f8e-intake"}
    payload = {
        "enterprise_id": enterprise["id"],
        "summary": "天然气管道接入",
        "category": "要素保障",
        "channel": "window",
    }
    first = api.clerk.post("/v1/matters", payload, headers=key)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    with api.records_nothing():
        again = api.clerk.post("/v1/matters", payload, headers=key)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.json() == first.json()
    assert again.headers["ETag"] == first.headers["ETag"]
    listed = api.clerk.get("/v1/matters").json()["items"]
    assert [m["id"] for m in listed] == [first.json()["id"]]


def test_idempotency_key_belongs_to_its_caller(api: Api) -> None:
    """The same key from another principal is a new request, not a reuse."""
    key = {"Idempotency-Key": "intake-2026-03-02-001"}
    payload = {"name": "亳州华信药业有限公司", "industry": "医药", "chain": "现代中药"}
    by_clerk = api.clerk.post(
        "/v1/enterprises", {**payload, "uscc": api.new_uscc(), "above_scale": False}, headers=key
    )
    by_admin = api.admin.post(
        "/v1/enterprises", {**payload, "uscc": api.new_uscc(), "above_scale": True}, headers=key
    )
    assert (by_clerk.status_code, by_admin.status_code) == (201, 201), by_admin.text
    assert by_clerk.json()["id"] != by_admin.json()["id"]
    assert "Idempotent-Replayed" not in by_admin.headers


def test_extension_after_the_deadline_is_refused(api: Api, assigned: dict[str, Any]) -> None:
    matter, unit = assigned["matter"], assigned["unit"]
    session = api.unit_session(unit["id"])
    api.clock.set(sh(2026, 3, 6, 9, 0))  # the handle deadline was Thu 2026-03-05 17:30
    with api.records_nothing():
        response = session.post(
            f"/v1/matters/{matter['id']}/extension-requests",
            {"requested_deadline": "2026-03-10T17:30:00+08:00", "reason": "需补充材料"},
        )
        problem(response, 409, "deadline_passed")


def test_guarantor_cannot_take_in_a_matter_of_an_enterprise_it_does_not_guarantee(
    api: Api,
) -> None:
    enterprise, guarantor = api.enterprise(), api.guarantor()
    session = api.as_("guarantor", guarantor["id"])
    payload = {
        "enterprise_id": enterprise["id"],
        "summary": "走访发现用地问题",
        "category": "要素保障",
        "channel": "visit",
    }
    with api.records_nothing():
        problem(session.post("/v1/matters", payload), 409, "not_guarantor")
