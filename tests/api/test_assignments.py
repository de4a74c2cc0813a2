"""Guarantors answerable for enterprises: assignments, releases, reassignments, gaps."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Api, problem, sh


@pytest.fixture
def cast(api: Api) -> dict[str, Any]:
    """An enterprise listed on Mon 2026-03-02, two leaders and two departments."""
    api.clock.set(sh(2026, 3, 2, 9, 0))
    return {
        "enterprise": api.enterprise(),
        "zhang": api.guarantor("person", "张伟"),
        "li": api.guarantor("person", "李娜"),
        "economy": api.guarantor("department", "经济发展局"),
        "planning": api.guarantor("department", "自然资源和规划局"),
    }


def assignment(guarantor: dict[str, Any], role: str, effective_from: str) -> dict[str, str]:
    return {"guarantor_id": guarantor["id"], "role": role, "effective_from": effective_from}


def on(api: Api, enterprise_id: str, day: str) -> list[tuple[str, str]]:
    """(role, guarantor name) of the guarantors in effect on a day."""
    response = api.admin.get(f"/v1/enterprises/{enterprise_id}/guarantors", {"on": day})
    assert response.status_code == 200, response.text
    return [(a["role"], a["guarantor_name"]) for a in response.json()]


def gaps(api: Api, day: str) -> dict[str, list[str]]:
    response = api.as_("supervisor").get("/v1/enterprises/gaps", {"on": day})
    assert response.status_code == 200, response.text
    return {g["enterprise_id"]: g["missing"] for g in response.json()["items"]}


def test_guarantors_are_answerable_on_the_days_they_were_in_effect(
    api: Api, cast: dict[str, Any]
) -> None:
    enterprise_id = cast["enterprise"]["id"]
    assignments = f"/v1/enterprises/{enterprise_id}/assignments"

    lead = api.admin.post(
        assignments,
        assignment(cast["zhang"], "lead_leader", "2026-03-02"),
    )
    assert lead.status_code == 201, lead.text
    body = lead.json()
    assert body["role"] == "lead_leader"
    assert body["guarantor_id"] == cast["zhang"]["id"]
    assert body["enterprise_id"] == enterprise_id
    assert (body["effective_from"], body["effective_to"]) == ("2026-03-02", None)
    assert lead.headers["ETag"] == f'"{body["version"]}"'
    assert gaps(api, "2026-03-02") == {enterprise_id: ["department"]}

    department = api.admin.post(
        assignments,
        assignment(cast["economy"], "department", "2026-03-10"),
    )
    assert department.status_code == 201, department.text
    assert gaps(api, "2026-03-09") == {enterprise_id: ["department"]}
    assert gaps(api, "2026-03-10") == {}
    current = api.admin.get(f"/v1/enterprises/{enterprise_id}").json()["guarantors"]
    assert [a["guarantor_name"] for a in current] == ["张伟"]  # today is still 2026-03-02

    api.clock.set(sh(2026, 3, 25, 9, 0))
    released = api.admin.post(
        f"/v1/assignments/{lead.json()['id']}/release",
        {"effective_to": "2026-03-20", "reason": "工作调整"},
    )
    assert released.status_code == 200, released.text
    assert released.json()["effective_to"] == "2026-03-20"
    assert released.json()["release_reason"] == "工作调整"
    assert sorted(on(api, enterprise_id, "2026-03-15")) == [
        ("department", "经济发展局"),
        ("lead_leader", "张伟"),
    ]
    assert on(api, enterprise_id, "2026-03-21") == [("department", "经济发展局")]
    assert gaps(api, "2026-03-21") == {enterprise_id: ["lead_leader"]}

    again = api.admin.post(
        assignments,
        assignment(cast["li"], "lead_leader", "2026-03-21"),
    )
    assert again.status_code == 201, again.text

    api.clock.set(sh(2026, 4, 1, 9, 0))
    reassigned = api.admin.post(
        f"{assignments}/reassign",
        {
            "role": "department",
            "guarantor_id": cast["planning"]["id"],
            "effective_from": "2026-04-01",
            "reason": "职能划转",
        },
    )
    assert reassigned.status_code == 201, reassigned.text
    assert reassigned.json()["guarantor_id"] == cast["planning"]["id"]
    assert reassigned.json()["effective_from"] == "2026-04-01"
    assert sorted(on(api, enterprise_id, "2026-03-31")) == [
        ("department", "经济发展局"),
        ("lead_leader", "李娜"),
    ]
    assert sorted(on(api, enterprise_id, "2026-04-01")) == [
        ("department", "自然资源和规划局"),
        ("lead_leader", "李娜"),
    ]
    assert on(api, enterprise_id, "2026-03-01") == []
    assert gaps(api, "2026-04-01") == {}
    current = api.as_("leader").get(f"/v1/enterprises/{enterprise_id}").json()["guarantors"]
    assert sorted(a["guarantor_name"] for a in current) == ["李娜", "自然资源和规划局"]


def test_assignment_response_names_the_guarantor_just_registered(
    api: Api, cast: dict[str, Any]
) -> None:
    response = api.admin.post(
        f"/v1/enterprises/{cast['enterprise']['id']}/assignments",
        assignment(cast["zhang"], "lead_leader", "2026-03-02"),
    )
    assert response.status_code == 201, response.text
    assert response.json()["guarantor_name"] == "张伟"
    assert response.json()["guarantor_kind"] == "person"


def test_gap_list_names_enterprises_lacking_a_department(api: Api, cast: dict[str, Any]) -> None:
    covered, lacking = cast["enterprise"], api.enterprise("亳州华信药业有限公司")
    for enterprise, leader in ((covered, "zhang"), (lacking, "li")):
        response = api.admin.post(
            f"/v1/enterprises/{enterprise['id']}/assignments",
            assignment(cast[leader], "lead_leader", "2026-03-02"),
        )
        assert response.status_code == 201, response.text
    response = api.admin.post(
        f"/v1/enterprises/{covered['id']}/assignments",
        assignment(cast["economy"], "department", "2026-03-02"),
    )
    assert response.status_code == 201, response.text
    listed = api.admin.get("/v1/enterprises/gaps", {"on": "2026-03-02"})
    assert listed.status_code == 200, listed.text
    assert listed.json()["items"] == [
        {
            "enterprise_id": lacking["id"],
            "name": "亳州华信药业有限公司",
            "chain": "新能源汽车",
            "missing": ["department"],
        }
    ]
    problem(api.clerk.get("/v1/enterprises/gaps"), 403, "forbidden")


def test_reassign_takes_over_from_the_current_holder(api: Api, cast: dict[str, Any]) -> None:
    enterprise_id = cast["enterprise"]["id"]
    assignments = f"/v1/enterprises/{enterprise_id}/assignments"
    first = api.admin.post(
        assignments,
        assignment(cast["zhang"], "lead_leader", "2026-01-01"),
    )
    assert first.status_code == 201, first.text
    reassigned = api.admin.post(
        f"{assignments}/reassign",
        {
            "role": "lead_leader",
            "guarantor_id": cast["li"]["id"],
            "effective_from": "2026-03-02",
            "reason": "换届",
        },
    )
    assert reassigned.status_code == 201, reassigned.text
    assert on(api, enterprise_id, "2026-03-01") == [("lead_leader", "张伟")]
    assert on(api, enterprise_id, "2026-03-02") == [("lead_leader", "李娜")]
    path = f"/v1/enterprises/{enterprise_id}/guarantors"
    [ended] = api.admin.get(path, {"on": "2026-02-01"}).json()
    assert ended["guarantor_id"] == cast["zhang"]["id"]
    assert ended["effective_to"] == "2026-03-01"
    assert ended["release_reason"] == "换届"


def test_only_admin_assigns_guarantors(api: Api, cast: dict[str, Any]) -> None:
    with api.records_nothing():
        response = api.clerk.post(
            f"/v1/enterprises/{cast['enterprise']['id']}/assignments",
            assignment(cast["zhang"], "lead_leader", "2026-03-02"),
        )
        problem(response, 403, "forbidden")


def test_department_cannot_be_lead_leader(api: Api, cast: dict[str, Any]) -> None:
    with api.records_nothing():
        response = api.admin.post(
            f"/v1/enterprises/{cast['enterprise']['id']}/assignments",
            assignment(cast["economy"], "lead_leader", "2026-03-02"),
        )
        problem(response, 422, "invalid_input")


def test_releasing_twice_is_refused(api: Api, cast: dict[str, Any]) -> None:
    lead = api.admin.post(
        f"/v1/enterprises/{cast['enterprise']['id']}/assignments",
        assignment(cast["zhang"], "lead_leader", "2026-03-02"),
    ).json()
    release = {"effective_to": "2026-03-05", "reason": "工作调整"}
    assert api.admin.post(f"/v1/assignments/{lead['id']}/release", release).status_code == 200
    with api.records_nothing():
        response = api.admin.post(f"/v1/assignments/{lead['id']}/release", release)
        problem(response, 409, "assignment_ended")


def test_an_enterprise_leaves_and_rejoins_the_above_scale_class_with_a_reason(
    sqlite_api: Api,
) -> None:
    api = sqlite_api
    enterprise = api.enterprise()
    path = f"/v1/enterprises/{enterprise['id']}/scale"
    left = api.admin.post(path, {"above_scale": False, "reason": "年度统计口径调整，退出规上"})
    assert left.status_code == 200, left.text
    assert left.json()["above_scale"] is False
    with api.records_nothing():
        problem(
            api.admin.post(path, {"above_scale": False, "reason": "重复"}), 422, "invalid_input"
        )
        problem(api.clerk.post(path, {"above_scale": True, "reason": "恢复"}), 403, "forbidden")
    back = api.admin.post(path, {"above_scale": True, "reason": "重新纳入规上"})
    assert back.json()["above_scale"] is True
