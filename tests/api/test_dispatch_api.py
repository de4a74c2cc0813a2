"""The leading group, dispatches and dispatch compliance over HTTP (SPEC §6, §12 A1)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.api.conftest import Api, problem, sh

HELD = sh(2026, 3, 2, 9, 0)


def appoint(
    api: Api, person_id: str, role: str = "group_leader", effective_from: str = "2026-03-01"
) -> dict[str, Any]:
    response = api.admin.post(
        "/v1/leading-group/members",
        {"person_id": person_id, "role": role, "effective_from": effective_from},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def dispatch_body(convener_id: str, held_at: datetime, **fields: Any) -> dict[str, Any]:
    return {
        "convener_id": convener_id,
        "kind": "scheduled",
        "held_at": held_at.isoformat(),
        "enterprise_ids": [],
        "matter_ids": [],
        "directives": [],
        **fields,
    }


@pytest.fixture
def setting(api: Api) -> dict[str, Any]:
    """A person who is group leader from March 1st, a key enterprise and a unit."""
    person = api.guarantor(name="张伟")
    return {
        "person": person,
        "member": appoint(api, person["id"]),
        "enterprise": api.enterprise(),
        "unit": api.unit(),
    }


# -- members -------------------------------------------------------------------------------


def test_an_admin_appoints_a_person_and_readers_list_the_group(
    api: Api, setting: dict[str, Any]
) -> None:
    member, person = setting["member"], setting["person"]
    assert member["person_id"] == person["id"]
    assert (member["name"], member["role"], member["effective_from"]) == (
        "张伟",
        "group_leader",
        "2026-03-01",
    )
    assert member["effective_to"] is None
    for role in ("leader", "supervisor", "hr", "admin"):
        listed = api.as_(role).get("/v1/leading-group/members")
        assert listed.status_code == 200, listed.text
        assert [m["id"] for m in listed.json()["items"]] == [member["id"]]
    one = api.as_("hr").get(f"/v1/leading-group/members/{member['id']}")
    assert one.status_code == 200
    assert one.headers["ETag"] == '"1"'


def test_the_appointment_response_carries_location_and_version(sqlite_api: Api) -> None:
    api = sqlite_api
    person = api.guarantor()
    response = api.admin.post(
        "/v1/leading-group/members",
        {"person_id": person["id"], "role": "deputy_group_leader", "effective_from": "2026-03-10"},
    )
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == f"/v1/leading-group/members/{response.json()['id']}"


def test_members_are_filtered_by_day_and_role(sqlite_api: Api) -> None:
    api = sqlite_api
    leader = appoint(api, api.guarantor(name="张伟")["id"], "group_leader", "2026-03-01")
    deputy = appoint(api, api.guarantor(name="李娜")["id"], "deputy_group_leader", "2026-04-01")

    def ids(params: dict[str, Any]) -> list[str]:
        response = api.leader.get("/v1/leading-group/members", params)
        assert response.status_code == 200, response.text
        return [m["id"] for m in response.json()["items"]]

    assert ids({"on": "2026-03-15"}) == [leader["id"]]
    assert ids({"on": "2026-04-01"}) == [leader["id"], deputy["id"]]
    assert ids({"role": "deputy_group_leader"}) == [deputy["id"]]


@pytest.mark.parametrize("role", ["clerk", "unit", "auditor"])
def test_others_may_not_read_the_group(sqlite_api: Api, role: str) -> None:
    session = sqlite_api.as_(role, "x" if role == "unit" else None)
    problem(session.get("/v1/leading-group/members"), 403, "forbidden")


@pytest.mark.parametrize("role", ["leader", "clerk", "supervisor"])
def test_only_an_admin_appoints(sqlite_api: Api, role: str) -> None:
    person = sqlite_api.guarantor()
    body = {"person_id": person["id"], "role": "group_leader", "effective_from": "2026-03-01"}
    with sqlite_api.records_nothing():
        problem(sqlite_api.as_(role).post("/v1/leading-group/members", body), 403, "forbidden")


def test_a_department_cannot_be_appointed(sqlite_api: Api) -> None:
    department = sqlite_api.guarantor(kind="department", name="经济发展局")
    body = {"person_id": department["id"], "role": "group_leader", "effective_from": "2026-03-01"}
    with sqlite_api.records_nothing():
        problem(sqlite_api.admin.post("/v1/leading-group/members", body), 422, "not_a_person")


def test_an_unknown_person_is_not_found(sqlite_api: Api) -> None:
    body = {
        "person_id": "00000000-0000-4000-8000-000000000000",
        "role": "group_leader",
        "effective_from": "2026-03-01",
    }
    problem(sqlite_api.admin.post("/v1/leading-group/members", body), 404, "not_found")


@pytest.mark.parametrize(
    "change",
    [
        {"role": "chain_leader"},
        {"effective_from": "2026-02-30"},
        {"person_id": "zhang"},
        {"surprise": True},
    ],
)
def test_a_bad_appointment_is_invalid_input(sqlite_api: Api, change: dict[str, Any]) -> None:
    person = sqlite_api.guarantor()
    body = {
        "person_id": person["id"],
        "role": "group_leader",
        "effective_from": "2026-03-01",
        **change,
    }
    with sqlite_api.records_nothing():
        problem(sqlite_api.admin.post("/v1/leading-group/members", body), 422, "invalid_input")


def test_an_overlapping_second_appointment_conflicts(api: Api, setting: dict[str, Any]) -> None:
    body = {
        "person_id": setting["person"]["id"],
        "role": "deputy_group_leader",
        "effective_from": "2026-06-01",
    }
    with api.records_nothing():
        problem(api.admin.post("/v1/leading-group/members", body), 409, "already_member")


def test_a_tenure_ends_once(api: Api, setting: dict[str, Any]) -> None:
    path = f"/v1/leading-group/members/{setting['member']['id']}/end"
    body = {"effective_to": "2026-06-30", "reason": "换届"}
    problem(api.admin.post(path, body, headers={"If-Match": '"7"'}), 409, "version_conflict")
    ended = api.admin.post(path, body, headers={"If-Match": '"1"'})
    assert ended.status_code == 200, ended.text
    assert ended.headers["ETag"] == '"2"'
    assert (ended.json()["effective_to"], ended.json()["end_reason"]) == ("2026-06-30", "换届")
    problem(api.admin.post(path, body), 409, "tenure_ended")
    problem(api.leader.post(path, body), 403, "forbidden")
    missing = "/v1/leading-group/members/00000000-0000-4000-8000-000000000000/end"
    problem(api.admin.post(missing, body), 404, "not_found")


# -- dispatches ----------------------------------------------------------------------------


def test_a_leader_records_a_dispatch_whose_directive_becomes_an_assigned_matter(
    api: Api, setting: dict[str, Any]
) -> None:
    enterprise, unit, person = setting["enterprise"], setting["unit"], setting["person"]
    directive = {
        "enterprise_id": enterprise["id"],
        "summary": "协调解决用地指标",
        "unit_id": unit["id"],
    }
    api.clock.set(HELD)
    response = api.leader.post(
        "/v1/dispatches",
        dispatch_body(
            person["id"], HELD, enterprise_ids=[enterprise["id"]], directives=[directive]
        ),
    )
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == f"/v1/dispatches/{response.json()['id']}"
    dispatch = response.json()
    assert (dispatch["convener_id"], dispatch["convener_name"]) == (person["id"], "张伟")
    assert dispatch["member_id"] == setting["member"]["id"]
    assert dispatch["held_at"] == "2026-03-02T09:00:00+08:00"
    assert dispatch["backdated"] is False
    (issued,) = dispatch["directives"]
    assert issued["unit_id"] == unit["id"]

    matter = api.clerk.get(f"/v1/matters/{issued['matter_id']}")
    assert matter.status_code == 200, matter.text
    body = matter.json()
    assert (body["channel"], body["status"], body["unit_id"]) == (
        "dispatch",
        "assigned",
        unit["id"],
    )
    assert body["summary"] == "协调解决用地指标"
    assert body["deadlines"][-1]["step"] == "handle"
    assert body["deadlines"][-1]["due_at"] == "2026-03-05T17:30:00+08:00"

    shown = api.as_("supervisor").get(f"/v1/dispatches/{dispatch['id']}")
    assert shown.status_code == 200
    assert shown.json() == dispatch


def test_a_convener_outside_the_group_is_refused(api: Api, setting: dict[str, Any]) -> None:
    outsider = api.guarantor(name="王强")
    body = dispatch_body(outsider["id"], HELD, enterprise_ids=[setting["enterprise"]["id"]])
    with api.records_nothing():
        problem(api.leader.post("/v1/dispatches", body), 409, "not_group_member")


def test_a_directive_to_an_unknown_unit_records_nothing(
    sqlite_api: Api,
) -> None:
    api = sqlite_api
    person, enterprise = api.guarantor(), api.enterprise()
    appoint(api, person["id"])
    directive = {
        "enterprise_id": enterprise["id"],
        "summary": "协调用电",
        "unit_id": "00000000-0000-4000-8000-000000000000",
    }
    with api.records_nothing():
        response = api.leader.post(
            "/v1/dispatches", dispatch_body(person["id"], HELD, directives=[directive])
        )
        problem(response, 404, "not_found")


def test_a_leader_may_record_a_meeting_up_to_24_hours_later(sqlite_api: Api) -> None:
    api = sqlite_api
    person, enterprise = api.guarantor(), api.enterprise()
    appoint(api, person["id"])
    covering = {"enterprise_ids": [enterprise["id"]]}

    api.clock.set(HELD + timedelta(hours=23, minutes=59))
    recent = api.leader.post("/v1/dispatches", dispatch_body(person["id"], HELD, **covering))
    assert recent.status_code == 201, recent.text
    assert recent.json()["backdated"] is True
    assert recent.json()["recorded_at"] == "2026-03-03T08:59:00+08:00"

    api.clock.set(HELD + timedelta(hours=24, minutes=1))
    with api.records_nothing():
        stale = api.leader.post("/v1/dispatches", dispatch_body(person["id"], HELD, **covering))
        problem(stale, 403, "backdating_not_allowed")

    late = api.admin.post("/v1/dispatches", dispatch_body(person["id"], HELD, **covering))
    assert late.status_code == 201, late.text
    assert late.json()["backdated"] is True


def test_occurred_at_on_a_dispatch_is_admin_only_and_must_be_held_at(sqlite_api: Api) -> None:
    api = sqlite_api
    person, enterprise = api.guarantor(), api.enterprise()
    appoint(api, person["id"])
    api.clock.set(sh(2026, 3, 2, 10))
    covering = {"enterprise_ids": [enterprise["id"]]}
    with api.records_nothing():
        body = dispatch_body(person["id"], HELD, occurred_at=HELD.isoformat(), **covering)
        problem(api.leader.post("/v1/dispatches", body), 403, "backdating_not_allowed")
        other = dispatch_body(
            person["id"], HELD, occurred_at=sh(2026, 3, 2, 8).isoformat(), **covering
        )
        problem(api.admin.post("/v1/dispatches", other), 422, "invalid_input")
    accepted = api.admin.post("/v1/dispatches", body)
    assert accepted.status_code == 201, accepted.text


@pytest.mark.parametrize(
    ("held_at", "code"),
    [
        ("2026-03-02T09:00:01+08:00", "time_in_future"),
        ("2026-03-02T09:00:00", "invalid_input"),
        ("yesterday", "invalid_input"),
    ],
)
def test_a_meeting_time_in_the_future_or_without_offset_is_refused(
    sqlite_api: Api, held_at: str, code: str
) -> None:
    api = sqlite_api
    person, enterprise = api.guarantor(), api.enterprise()
    appoint(api, person["id"])
    api.clock.set(HELD)
    body = {**dispatch_body(person["id"], HELD, enterprise_ids=[enterprise["id"]])}
    body["held_at"] = held_at
    with api.records_nothing():
        problem(api.leader.post("/v1/dispatches", body), 422, code)


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "monthly"},
        {"directives": [{"enterprise_id": "x", "summary": "s", "unit_id": "y"}]},
        {"directives": [{"summary": "缺少企业和单位"}]},
        {"enterprise_ids": None},
        {"agenda": "extra"},
    ],
)
def test_a_bad_dispatch_is_invalid_input(sqlite_api: Api, change: dict[str, Any]) -> None:
    api = sqlite_api
    person, enterprise = api.guarantor(), api.enterprise()
    appoint(api, person["id"])
    body = {**dispatch_body(person["id"], HELD, enterprise_ids=[enterprise["id"]]), **change}
    with api.records_nothing():
        problem(api.leader.post("/v1/dispatches", body), 422, "invalid_input")


@pytest.mark.parametrize("role", ["clerk", "supervisor", "hr"])
def test_only_leaders_and_admins_record_dispatches(sqlite_api: Api, role: str) -> None:
    body = dispatch_body("00000000-0000-4000-8000-000000000000", HELD)
    problem(sqlite_api.as_(role).post("/v1/dispatches", body), 403, "forbidden")


def test_a_repeated_dispatch_with_the_same_key_is_recorded_once(sqlite_api: Api) -> None:
    api = sqlite_api
    person, enterprise = api.guarantor(), api.enterprise()
    appoint(api, person["id"])
    body = dispatch_body(person["id"], HELD, enterprise_ids=[enterprise["id"]])
    key = {"Idempotency-Key": "dispatch-2026-03-02"}
    first = api.leader.post("/v1/dispatches", body, headers=key)
    assert first.status_code == 201, first.text
    with api.records_nothing():
        again = api.leader.post("/v1/dispatches", body, headers=key)
    assert (again.status_code, again.json()) == (201, first.json())


def test_dispatches_are_listed_by_shanghai_month(api: Api, setting: dict[str, Any]) -> None:
    person, enterprise = setting["person"], setting["enterprise"]
    covering = {"enterprise_ids": [enterprise["id"]]}
    api.clock.set(sh(2026, 4, 1, 9))
    march_31 = datetime.fromisoformat("2026-03-31T15:30:00+00:00")  # 23:30 in Shanghai
    april_1 = datetime.fromisoformat("2026-03-31T16:00:00+00:00")  # 00:00 in Shanghai
    made = [
        api.admin.post("/v1/dispatches", dispatch_body(person["id"], at, **covering)).json()["id"]
        for at in (march_31, april_1)
    ]

    def listed(period: str) -> list[str]:
        response = api.as_("supervisor").get("/v1/dispatches", {"period": period})
        assert response.status_code == 200, response.text
        return [d["id"] for d in response.json()["items"]]

    assert listed("2026-03") == [made[0]]
    assert listed("2026-04") == [made[1]]
    assert listed("2026-05") == []
    everything = api.leader.get("/v1/dispatches", {"convener_id": person["id"], "limit": 1})
    assert [d["id"] for d in everything.json()["items"]] == [made[0]]
    assert everything.json()["next_cursor"] is not None


@pytest.mark.parametrize("period", ["2026-13", "2026-3", "march", "2026-03-01"])
def test_a_bad_period_is_invalid_input(sqlite_api: Api, period: str) -> None:
    problem(sqlite_api.leader.get("/v1/dispatches", {"period": period}), 422, "invalid_input")
    problem(
        sqlite_api.as_("hr").get("/v1/dispatch-compliance", {"period": period}),
        422,
        "invalid_input",
    )


def test_a_garbage_cursor_is_bad_input(sqlite_api: Api) -> None:
    for path in ("/v1/dispatches", "/v1/leading-group/members"):
        problem(sqlite_api.leader.get(path, {"cursor": "garbage"}), 400, "bad_cursor")


def test_unknown_dispatch_is_not_found(sqlite_api: Api) -> None:
    missing = "/v1/dispatches/00000000-0000-4000-8000-000000000000"
    problem(sqlite_api.leader.get(missing), 404, "not_found")
    problem(sqlite_api.as_("hr").get("/v1/dispatches"), 403, "forbidden")


# -- compliance ----------------------------------------------------------------------------


def test_compliance_lists_held_missed_and_not_required_slots(api: Api) -> None:
    leader = api.guarantor(name="张伟")
    deputy = api.guarantor(name="李娜")
    late_deputy = api.guarantor(name="王强")
    enterprise = api.enterprise()
    members = {
        "leader": appoint(api, leader["id"], "group_leader", "2026-03-01"),
        "deputy": appoint(api, deputy["id"], "deputy_group_leader", "2026-03-01"),
        "late": appoint(api, late_deputy["id"], "deputy_group_leader", "2026-03-10"),
    }
    covering = {"enterprise_ids": [enterprise["id"]]}
    api.clock.set(sh(2026, 3, 15, 23, 59))
    on_15th = api.leader.post(
        "/v1/dispatches", dispatch_body(deputy["id"], api.clock(), **covering)
    )
    assert on_15th.status_code == 201, on_15th.text

    mid_march = api.as_("hr").get("/v1/dispatch-compliance", {"period": "2026-03"})
    assert mid_march.status_code == 200, mid_march.text
    by_member = {i["member_id"]: i for i in mid_march.json()["items"]}
    assert [s["status"] for s in by_member[members["deputy"]["id"]]["slots"]] == ["held", "open"]
    assert [s["status"] for s in by_member[members["leader"]["id"]]["slots"]] == ["open"]

    api.clock.set(sh(2026, 4, 1, 9))
    report = api.as_("supervisor").get("/v1/dispatch-compliance", {"period": "2026-03"})
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["period"] == "2026-03"
    assert body["as_of"] == "2026-04-01T09:00:00+08:00"
    by_member = {i["member_id"]: i for i in body["items"]}
    assert len(by_member) == 3

    group_leader = by_member[members["leader"]["id"]]
    assert (group_leader["name"], group_leader["role"]) == ("张伟", "group_leader")
    assert group_leader["slots"] == [
        {
            "start": "2026-03-01",
            "end": "2026-03-31",
            "required": True,
            "status": "missed",
            "dispatch_ids": [],
        }
    ]
    assert (group_leader["held"], group_leader["missed"]) == (0, 1)

    held_deputy = by_member[members["deputy"]["id"]]
    assert [(s["start"], s["end"], s["status"]) for s in held_deputy["slots"]] == [
        ("2026-03-01", "2026-03-15", "held"),
        ("2026-03-16", "2026-03-31", "missed"),
    ]
    assert held_deputy["slots"][0]["dispatch_ids"] == [on_15th.json()["id"]]
    assert (held_deputy["held"], held_deputy["missed"]) == (1, 1)

    appointed_10th = by_member[members["late"]["id"]]
    assert [(s["required"], s["status"]) for s in appointed_10th["slots"]] == [
        (False, "not_required"),
        (True, "missed"),
    ]


def test_compliance_leaves_out_members_not_in_office_that_month(sqlite_api: Api) -> None:
    api = sqlite_api
    appoint(api, api.guarantor()["id"], "group_leader", "2026-04-01")
    api.clock.set(sh(2026, 4, 2, 9))
    report = api.leader.get("/v1/dispatch-compliance", {"period": "2026-03"})
    assert report.status_code == 200, report.text
    assert report.json()["items"] == []


@pytest.mark.parametrize("role", ["clerk", "admin", "auditor"])
def test_compliance_is_for_leaders_supervisors_and_hr(sqlite_api: Api, role: str) -> None:
    response = sqlite_api.as_(role).get("/v1/dispatch-compliance", {"period": "2026-03"})
    problem(response, 403, "forbidden")


def test_compliance_needs_a_period(sqlite_api: Api) -> None:
    problem(sqlite_api.leader.get("/v1/dispatch-compliance"), 422, "invalid_input")


def test_the_openapi_document_describes_the_dispatch_endpoints(sqlite_api: Api) -> None:
    paths = sqlite_api.client.get("/openapi.json").json()["paths"]
    for path in (
        "/v1/leading-group/members",
        "/v1/leading-group/members/{member_id}/end",
        "/v1/dispatches",
        "/v1/dispatch-compliance",
    ):
        assert path in paths
