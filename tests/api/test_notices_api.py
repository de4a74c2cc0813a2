"""Notices over HTTP: the month's commendations and criticisms, publishing them, and the
supervision notice as of a time (SPEC §10; API.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.api import test_assessments_api
from tests.api.conftest import Api, problem, sh
from tests.api.test_assessments_api import ParkMonth

march = test_assessments_api.march  # the same park month, written once for this module

READERS = ("supervisor", "hr", "auditor")


def notices(api: Api, role: str = "supervisor", **params: Any) -> list[dict[str, Any]]:
    response = api.as_(role).get("/v1/notices", {"period": "2026-03", **params})
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def summary(month: ParkMonth, items: list[dict[str, Any]]) -> set[tuple[str, str, str, str]]:
    """(kind, reason, whom or what, title) of each notice, with names for ids."""
    names = {v: k for k, v in month.ids.items()}

    def subject(text: str) -> str:
        head, colon, tail = text.partition(":")
        return names.get(head, head) + colon + tail

    return {(n["kind"], n["reason"], subject(n["subject"]), n["title"]) for n in items}


def the_notice(items: list[dict[str, Any]], reason: str, subject: str) -> dict[str, Any]:
    (found,) = [n for n in items if n["reason"] == reason and n["subject"] == subject]
    return found


# -- the month's notices -------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_readers_list_the_months_commendations_and_criticisms(march: ParkMonth, role: str) -> None:
    items = notices(march.api, role)
    handle = f"{march.ids['厂房审批']}:1"
    assert summary(march, items) == {
        ("commendation", "grade_excellent", "李娜", "关于2026年3月包保工作考核优秀等次的通报表扬"),
        ("criticism", "grade_failing", "王强", "关于2026年3月包保工作考核不合格的通报批评"),
        ("criticism", "overdue_step", "厂房审批:1", "关于企业诉求办理严重超期的通报批评"),
        ("criticism", "missed_dispatch", "王强:2026-03-01", "关于未按规定召开调度会议的通报批评"),
        ("criticism", "missed_dispatch", "王强:2026-03-16", "关于未按规定召开调度会议的通报批评"),
    }
    assert {n["status"] for n in items} == {"draft"}
    assert {n["period"] for n in items} == {"2026-03"}
    overdue = the_notice(items, "overdue_step", handle)
    assert "承办单位经济发展局及包保人王强予以通报批评" in overdue["body"]
    assert set(overdue["recipients"]) == {
        f"unit:{march.ids['unit']}",
        f"guarantor:{march.ids['王强']}",
    }
    assert overdue["event_ids"]
    failing = the_notice(items, "grade_failing", march.ids["王强"])
    assert "考核得分25.50分，等次为不合格" in failing["body"]
    assert failing["recipients"] == [f"guarantor:{march.ids['王强']}"]


def test_notices_keep_their_ids_and_text_from_one_listing_to_the_next(march: ParkMonth) -> None:
    first = notices(march.api)
    assert notices(march.api, "hr") == first
    for notice in first:
        response = march.api.as_("auditor").get(f"/v1/notices/{notice['id']}")
        assert response.status_code == 200, response.text
        assert response.json() == notice


def test_notices_are_filtered_by_kind_and_status(march: ParkMonth) -> None:
    commendations = notices(march.api, kind="commendation")
    assert [(n["kind"], n["subject"]) for n in commendations] == [
        ("commendation", march.ids["李娜"])
    ]
    assert len(notices(march.api, kind="criticism", status="draft")) == 4
    assert notices(march.api, status="published") == []


@pytest.mark.parametrize(("role", "scope"), [("clerk", None), ("leader", None), ("unit", "unit")])
def test_others_may_not_read_notices(march: ParkMonth, role: str, scope: str | None) -> None:
    session = march.api.as_(role, march.ids[scope] if scope else None)
    problem(session.get("/v1/notices", {"period": "2026-03"}), 403, "forbidden")


def test_a_bad_period_of_notices_is_invalid_input(march: ParkMonth) -> None:
    response = march.api.as_("hr").get("/v1/notices", {"period": "2026-13"})
    problem(response, 422, "invalid_input")


# -- publishing ----------------------------------------------------------------------------


def test_the_supervision_office_publishes_a_notice_once(api: Api) -> None:
    month = ParkMonth(api).write()
    criticism = the_notice(notices(api), "grade_failing", month.ids["王强"])
    path = f"/v1/notices/{criticism['id']}/publish"
    for role in ("hr", "auditor", "admin", "leader"):
        problem(api.as_(role).post(path), 403, "forbidden")

    response = api.as_("supervisor").post(path)
    assert response.status_code == 200, response.text
    published = response.json()
    assert published["status"] == "published"
    assert datetime.fromisoformat(published["published_at"]) == sh(2026, 4, 15, 10)
    assert {k: v for k, v in published.items() if k not in ("status", "published_at")} == {
        k: v for k, v in criticism.items() if k not in ("status", "published_at")
    }

    with api.records_nothing():
        problem(api.as_("supervisor").post(path), 409, "already_published")
    listed = the_notice(notices(api), "grade_failing", month.ids["王强"])
    assert (listed["status"], listed["id"]) == ("published", criticism["id"])
    assert [n["id"] for n in notices(api, status="published")] == [criticism["id"]]


def test_a_published_notice_is_listed_as_published_at_once(sqlite_api: Api) -> None:
    month = ParkMonth(sqlite_api).write()
    criticism = the_notice(notices(sqlite_api), "grade_failing", month.ids["王强"])
    response = sqlite_api.as_("supervisor").post(f"/v1/notices/{criticism['id']}/publish")
    assert response.status_code == 200, response.text
    listed = the_notice(notices(sqlite_api), "grade_failing", month.ids["王强"])
    assert listed["status"] == "published"


def test_publishing_an_unknown_notice_is_not_found(sqlite_api: Api) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    problem(sqlite_api.as_("supervisor").post(f"/v1/notices/{missing}/publish"), 404, "not_found")
    problem(sqlite_api.as_("hr").get(f"/v1/notices/{missing}"), 404, "not_found")


# -- the supervision notice ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (sh(2026, 3, 2, 9), []),
        (sh(2026, 3, 5, 17, 30), []),  # due at that very moment: not yet past due
        (sh(2026, 3, 5, 17, 31), [("厂房审批", "handle")]),
        (sh(2026, 3, 16, 9), [("电力增容", "handle"), ("厂房审批", "handle")]),
        (sh(2026, 3, 16, 10), [("厂房审批", "handle")]),  # 电力增容 resolved at 10:00
        (sh(2026, 3, 25, 9), [("厂房审批", "handle")]),
    ],
)
def test_the_supervision_notice_lists_exactly_the_steps_open_and_past_due_then(
    march: ParkMonth, as_of: datetime, expected: list[tuple[str, str]]
) -> None:
    response = march.api.as_("supervisor").get(
        "/v1/notices/supervision", {"as_of": as_of.isoformat()}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert datetime.fromisoformat(body["as_of"]) == as_of
    items = body["items"]
    assert sorted((i["summary"], i["step"]) for i in items) == sorted(expected)
    for item in items:
        assert datetime.fromisoformat(item["due_at"]) < as_of
        assert item["matter_id"] == march.ids[item["summary"]]
        assert item["unit"] == "经济发展局"
    notice = body["notice"]
    assert notice["kind"] == "supervision"
    assert f"关于截至{as_of.year}年{as_of.month}月{as_of.day}日{as_of:%H:%M}" in notice["title"]
    if expected:
        assert f"共有{len(expected)}项企业诉求办理超期" in notice["body"]
    else:
        assert "无超期企业诉求" in notice["body"]


def test_a_leader_reads_the_supervision_notice_and_hr_does_not(march: ParkMonth) -> None:
    params = {"as_of": sh(2026, 3, 16, 9).isoformat()}
    response = march.api.leader.get("/v1/notices/supervision", params)
    assert response.status_code == 200, response.text
    problem(march.api.as_("hr").get("/v1/notices/supervision", params), 403, "forbidden")


def test_a_supervision_notice_as_of_the_future_is_refused(march: ParkMonth) -> None:
    params = {"as_of": sh(2026, 4, 16, 10).isoformat()}
    response = march.api.as_("supervisor").get("/v1/notices/supervision", params)
    problem(response, 422, "time_in_future")


def test_a_supervision_notice_as_of_a_naive_time_is_refused(march: ParkMonth) -> None:
    params = {"as_of": "2026-03-16T09:00:00"}
    response = march.api.as_("supervisor").get("/v1/notices/supervision", params)
    problem(response, 422, "invalid_input")
