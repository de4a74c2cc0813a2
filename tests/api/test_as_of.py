"""As-of reads: what the system showed at a recorded time, before later (back-dated) entries."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api, problem, sh


def history(api: Api) -> dict[str, Any]:
    """March 2026: a department guarantees an enterprise; one request is handled on time and
    rated well. The rating is recorded on 20 March."""
    unit = api.unit()
    department = api.guarantor(kind="department", name="园区经济发展局")
    enterprise = api.enterprise()
    assigned = api.admin.post(
        f"/v1/enterprises/{enterprise['id']}/assignments",
        {"guarantor_id": department["id"], "role": "department", "effective_from": "2026-01-01"},
    )
    assert assigned.status_code == 201, assigned.text
    api.clock.set(sh(2026, 3, 2, 9, 0))
    matter = api.matter(enterprise["id"])
    api.assign(matter["id"], unit["id"])
    api.resolve(matter["id"], unit["id"])
    api.clock.set(sh(2026, 3, 20, 10, 0))
    rated = api.enterprise_session(enterprise["id"]).post(
        f"/v1/matters/{matter['id']}/ratings", {"level": 5}
    )
    assert rated.status_code == 201, rated.text
    # A second request, resolved on 23 March, whose rating is only entered later.
    api.clock.set(sh(2026, 3, 23, 9, 0))
    second = api.matter(enterprise["id"], summary="用电增容")
    api.assign(second["id"], unit["id"])
    api.resolve(second["id"], unit["id"])
    # A leader who guarantees another enterprise whose request was never assigned: 不合格.
    leader = api.guarantor(kind="person", name="王强")
    other = api.enterprise(name="亳州华鑫电子有限公司", chain="电子信息")
    api.admin.post(
        f"/v1/enterprises/{other['id']}/assignments",
        {"guarantor_id": leader["id"], "role": "lead_leader", "effective_from": "2026-01-01"},
    )
    api.matter(other["id"], summary="招工难")
    return {
        "unit": unit,
        "department": department,
        "enterprise": enterprise,
        "matter": matter,
        "second": second,
    }


def satisfaction(api: Api, department_id: str, **params: str) -> Any:
    hr = api.as_("hr")
    response = hr.get(f"/v1/assessments/2026-03/guarantors/{department_id}", params)
    assert response.status_code == 200, response.text
    return response.json()["explanation"]["components"]["satisfaction"]


def test_a_back_dated_rating_does_not_appear_as_of_before_it_was_recorded(sqlite_api: Api) -> None:
    api = sqlite_api
    facts = history(api)
    # On 10 April an admin enters a rating given on paper on 25 March (补录).
    api.clock.set(sh(2026, 4, 10, 9, 0))
    late = api.admin.post(
        f"/v1/matters/{facts['second']['id']}/ratings",
        {"level": 2, "occurred_at": "2026-03-25T10:00:00+08:00"},
    )
    assert late.status_code == 201, late.text
    department = facts["department"]["id"]
    before = satisfaction(api, department, as_of="2026-04-01T12:00:00+08:00")
    now = satisfaction(api, department)
    assert (before["good"], before["total"]) == (1, 1)
    assert (now["good"], now["total"]) == (1, 2)


def test_scores_as_of_a_recorded_time_are_those_shown_then(sqlite_api: Api) -> None:
    api = sqlite_api
    facts = history(api)
    hr = api.as_("hr")
    then = hr.get("/v1/assessments", {"period": "2026-03", "as_of": "2026-03-10T12:00:00+08:00"})
    later = hr.get("/v1/assessments", {"period": "2026-03"})
    assert then.status_code == later.status_code == 200
    department = facts["department"]["id"]
    then_row = next(i for i in then.json()["items"] if i["guarantor_id"] == department)
    later_row = next(i for i in later.json()["items"] if i["guarantor_id"] == department)
    # As of 10 March the rating of 20 March had not been recorded.
    assert then_row["components"]["satisfaction"] is None
    assert later_row["components"]["satisfaction"] == "100.00"


def test_as_of_in_the_future_is_refused(sqlite_api: Api) -> None:
    api = sqlite_api
    response = api.as_("hr").get(
        "/v1/assessments", {"period": "2026-03", "as_of": "2030-01-01T00:00:00+08:00"}
    )
    problem(response, 422, "time_in_future")


def test_a_notice_published_later_is_a_draft_as_of_before_its_publication(sqlite_api: Api) -> None:
    api = sqlite_api
    history(api)
    api.clock.set(sh(2026, 4, 2, 9, 0))
    supervisor = api.as_("supervisor")
    drafts = supervisor.get("/v1/notices", {"period": "2026-03"}).json()["items"]
    assert drafts, "the month has something to commend or criticise"
    notice = drafts[0]
    published = supervisor.post(f"/v1/notices/{notice['id']}/publish", {})
    assert published.status_code == 200, published.text
    api.clock.set(sh(2026, 4, 3, 9, 0))
    now = supervisor.get("/v1/notices", {"period": "2026-03"}).json()["items"]
    then = supervisor.get(
        "/v1/notices", {"period": "2026-03", "as_of": "2026-04-01T12:00:00+08:00"}
    ).json()["items"]
    assert next(n for n in now if n["id"] == notice["id"])["status"] == "published"
    assert next(n for n in then if n["id"] == notice["id"])["status"] == "draft"
