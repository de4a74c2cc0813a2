"""A matter from intake to closure over HTTP, each step by the role that takes it."""

from __future__ import annotations

from datetime import datetime

import httpx

from tests.api.conftest import Api, sh


def if_match(response: httpx.Response) -> dict[str, str]:
    return {"If-Match": response.headers["ETag"]}


def test_matter_goes_from_intake_to_closure_through_rectification(api: Api) -> None:
    enterprise, unit = api.enterprise(), api.unit()
    holder = api.unit_session(unit["id"])
    owner = api.enterprise_session(enterprise["id"])

    api.clock.set(sh(2026, 3, 2, 9, 0))
    received = api.clerk.post(
        "/v1/matters",
        {
            "enterprise_id": enterprise["id"],
            "summary": "新建厂房消防验收进度慢",
            "category": "审批服务",
            "channel": "window",
        },
    )
    assert received.status_code == 201, received.text
    assert received.headers["ETag"] == '"1"'
    matter = received.json()
    assert received.headers["Location"] == f"/v1/matters/{matter['id']}"
    assert matter["status"] == "received"
    assert matter["received_at"] == "2026-03-02T09:00:00+08:00"
    [assign_step] = matter["deadlines"]
    assert assign_step["step"] == "assign"
    assert assign_step["due_at"] == "2026-03-02T14:30:00+08:00"
    assert assign_step["state"] == "pending"
    path = f"/v1/matters/{matter['id']}"

    api.clock.set(sh(2026, 3, 2, 9, 30))
    assigned = api.clerk.post(f"{path}/assign", {"unit_id": unit["id"]}, headers=if_match(received))
    assert assigned.status_code == 200, assigned.text
    assert assigned.headers["ETag"] == '"2"'
    body = assigned.json()
    assert body["status"] == "assigned"
    assert body["unit_id"] == unit["id"]
    assert body["assigned_at"] == "2026-03-02T09:30:00+08:00"
    assert [(d["step"], d["state"]) for d in body["deadlines"]] == [
        ("assign", "met"),
        ("handle", "pending"),
    ]
    assert body["deadlines"][1]["due_at"] == "2026-03-05T17:30:00+08:00"
    assert body["cap_at"] == "2026-04-14T17:30:00+08:00"

    api.clock.set(sh(2026, 3, 3, 10, 0))
    requested = holder.post(
        f"{path}/extension-requests",
        {"requested_deadline": "2026-03-12T17:30:00+08:00", "reason": "需等待消防部门现场复核"},
        headers=if_match(assigned),
    )
    assert requested.status_code == 201, requested.text
    request = requested.json()
    assert request["status"] == "pending"
    assert request["unit_id"] == unit["id"]
    assert request["requested_deadline"] == "2026-03-12T17:30:00+08:00"

    api.clock.set(sh(2026, 3, 3, 11, 0))
    approved = api.leader.post(
        f"{path}/extension-requests/{request['id']}/approve", headers=if_match(requested)
    )
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["major"] is True
    handle = body["deadlines"][-1]
    assert handle["step"] == "handle"
    assert handle["due_at"] == "2026-03-12T17:30:00+08:00"
    assert handle["extended_from"] == "2026-03-05T17:30:00+08:00"
    assert body["extension_requests"][0]["status"] == "approved"

    api.clock.set(sh(2026, 3, 10, 15, 0))
    resolved = holder.post(
        f"{path}/resolve", {"reply": "已完成消防验收"}, headers=if_match(approved)
    )
    assert resolved.status_code == 200, resolved.text
    body = resolved.json()
    assert body["status"] == "resolved"
    assert body["resolved_at"] == "2026-03-10T15:00:00+08:00"
    assert body["deadlines"][-1]["state"] == "met"
    assert body["deadlines"][-1]["late"] is False

    api.clock.set(sh(2026, 3, 11, 9, 0))
    rated = owner.post(
        f"{path}/ratings", {"level": 2, "comment": "验收意见未书面告知"}, headers=if_match(resolved)
    )
    assert rated.status_code == 201, rated.text
    assert rated.json()["level"] == 2
    assert rated.json()["resolution"] == 1
    reopened = owner.get(path)
    body = reopened.json()
    assert body["status"] == "rectifying"
    rectify = body["deadlines"][-1]
    assert rectify["step"] == "rectify"
    assert rectify["unit_id"] == unit["id"]
    assert rectify["due_at"] == "2026-03-18T17:30:00+08:00"
    assert rectify["state"] == "pending"

    api.clock.set(sh(2026, 3, 16, 10, 0))
    again = holder.post(
        f"{path}/resolve", {"reply": "已书面告知验收意见"}, headers=if_match(reopened)
    )
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "resolved"

    api.clock.set(sh(2026, 3, 16, 11, 0))
    rated = owner.post(f"{path}/ratings", {"level": 5}, headers=if_match(again))
    assert rated.status_code == 201, rated.text
    assert rated.json()["resolution"] == 2
    closed = owner.get(path).json()
    assert closed["status"] == "closed"
    assert [(r["level"], r["resolution"]) for r in closed["ratings"]] == [(2, 1), (5, 2)]
    assert closed["version"] == 8
    assert closed["overdue"] is False

    timeline = api.clerk.get(f"{path}/timeline")
    assert timeline.status_code == 200, timeline.text
    entries = timeline.json()
    assert [(e["type"], e["actor"]["role"]) for e in entries] == [
        ("Matter.Received", "clerk"),
        ("Matter.Assigned", "clerk"),
        ("Matter.ExtensionRequested", "unit"),
        ("Matter.ExtensionApproved", "leader"),
        ("Matter.Resolved", "unit"),
        ("Matter.Rated", "enterprise"),
        ("Matter.Resolved", "unit"),
        ("Matter.Rated", "enterprise"),
    ]
    assert [e["version"] for e in entries] == list(range(1, 9))
    for entry in entries:
        assert entry["recorded_at"].endswith("+08:00")
        assert datetime.fromisoformat(entry["occurred_at"]) == datetime.fromisoformat(
            entry["recorded_at"]
        )
        assert entry["backdated"] is False
    assert entries[0]["recorded_at"] == "2026-03-02T09:00:00+08:00"
    assert entries[-1]["recorded_at"] == "2026-03-16T11:00:00+08:00"
    assert entries[2]["actor"]["scope"] == unit["id"]
    assert entries[5]["data"]["level"] == 2
    assert entries[6]["data"]["reply"] == "已书面告知验收意见"


def test_intake_before_the_national_day_holiday_is_due_after_it(api: Api) -> None:
    """Worked example: received Wed 2026-09-30 16:00 → assign by 2026-10-08 10:30."""
    enterprise = api.enterprise()
    api.clock.set(sh(2026, 9, 30, 16, 0))
    matter = api.matter(enterprise["id"])
    assert matter["received_at"] == "2026-09-30T16:00:00+08:00"
    [step] = matter["deadlines"]
    assert (step["step"], step["due_at"], step["provisional"]) == (
        "assign",
        "2026-10-08T10:30:00+08:00",
        False,
    )


def test_assignment_before_the_holiday_is_due_on_the_adjusted_saturday(api: Api) -> None:
    """Worked example: assigned Wed 2026-09-30 10:00 → handle by Sat 2026-10-10 17:30 (调休)."""
    enterprise, unit = api.enterprise(), api.unit()
    api.clock.set(sh(2026, 9, 30, 9, 0))
    matter = api.matter(enterprise["id"])
    api.clock.set(sh(2026, 9, 30, 10, 0))
    assigned = api.assign(matter["id"], unit["id"])
    handle = assigned["deadlines"][-1]
    assert (handle["step"], handle["due_at"], handle["provisional"]) == (
        "handle",
        "2026-10-10T17:30:00+08:00",
        False,
    )
    assert handle["started_at"] == "2026-09-30T10:00:00+08:00"
    fetched = api.clerk.get(f"/v1/matters/{matter['id']}").json()
    assert fetched["deadlines"][-1]["due_at"] == "2026-10-10T17:30:00+08:00"


def test_late_resolution_is_marked_late(api: Api) -> None:
    enterprise, unit = api.enterprise(), api.unit()
    matter = api.assign(api.matter(enterprise["id"])["id"], unit["id"])
    api.clock.set(sh(2026, 3, 6, 9, 0))
    overdue = api.clerk.get(f"/v1/matters/{matter['id']}").json()
    assert overdue["overdue"] is True
    assert overdue["deadlines"][-1]["state"] == "missed"
    resolved = api.resolve(matter["id"], unit["id"])
    handle = resolved["deadlines"][-1]
    assert (handle["state"], handle["late"]) == ("met", True)
    assert resolved["overdue"] is False


def test_a_matter_read_as_of_a_past_moment_shows_what_the_system_showed_then(api: Api) -> None:
    enterprise, unit = api.enterprise(), api.unit()
    matter = api.matter(enterprise["id"])
    api.clock.set(sh(2026, 3, 2, 10, 0))
    api.assign(matter["id"], unit["id"])
    path = f"/v1/matters/{matter['id']}"
    then = api.clerk.get(path, {"as_of": "2026-03-02T09:30:00+08:00"})
    assert then.status_code == 200, then.text
    assert (then.json()["status"], then.json()["version"]) == ("received", 1)
    assert then.headers["ETag"] == '"1"'
    assert api.clerk.get(path).json()["status"] == "assigned"
    before = api.clerk.get(path, {"as_of": "2026-03-02T08:00:00+08:00"})
    assert before.status_code == 404
