"""Publishing a year's calendar settles the provisional deadlines that reach into it."""

from __future__ import annotations

from tests.api.conftest import Api, problem, sh

CALENDAR_2027 = {
    # Hypothetical: New Year's Day bridged to the following Monday, a Saturday worked in lieu.
    "holidays": ["2027-01-01", "2027-01-04"],
    "workdays": ["2027-01-09"],
    "source": "国办发明电〔2026〕X号",
}


def test_publishing_a_year_recomputes_its_provisional_deadlines(api: Api) -> None:
    enterprise = api.enterprise()
    problem(api.clerk.get("/v1/calendars/2027"), 404, "not_found")

    api.clock.set(sh(2026, 12, 31, 16, 0))
    matter = api.matter(enterprise["id"])
    [step] = matter["deadlines"]
    # 1.5 h left on Thu 31 Dec, 2 h into the next working day of an unpublished year.
    assert step["due_at"] == "2027-01-04T10:30:00+08:00"
    assert step["provisional"] is True
    version_before = step["calendar_version"]

    published = api.admin.post("/v1/calendars/2027", CALENDAR_2027)
    assert published.status_code == 201, published.text
    body = published.json()
    assert body["year"] == 2027
    assert body["holidays"] == ["2027-01-01", "2027-01-04"]
    assert body["workdays"] == ["2027-01-09"]
    assert body["source"] == CALENDAR_2027["source"]
    assert body["calendar_version"] > version_before
    assert body["recomputed_matters"] == 1

    fetched = api.clerk.get(f"/v1/matters/{matter['id']}")
    assert fetched.status_code == 200, fetched.text
    [step] = fetched.json()["deadlines"]
    assert step["due_at"] == "2027-01-05T10:30:00+08:00"
    assert step["provisional"] is False
    assert step["calendar_version"] == body["calendar_version"]
    assert fetched.headers["ETag"] == '"2"'

    timeline = api.clerk.get(f"/v1/matters/{matter['id']}/timeline").json()
    assert [e["type"] for e in timeline] == ["Matter.Received", "Matter.DeadlineRecomputed"]
    recomputed = timeline[-1]
    assert recomputed["actor"]["role"] == "admin"
    assert recomputed["data"]["deadline"]["due_at"] == "2027-01-05T10:30:00+08:00"

    got = api.as_("auditor").get("/v1/calendars/2027")
    assert got.status_code == 200, got.text
    assert got.json()["source"] == CALENDAR_2027["source"]


def test_publishing_a_year_recomputes_a_provisional_cap(api: Api) -> None:
    enterprise, unit = api.enterprise(), api.unit()
    api.clock.set(sh(2026, 12, 28, 9, 0))
    matter = api.assign(api.matter(enterprise["id"])["id"], unit["id"])
    handle = matter["deadlines"][-1]
    assert (handle["due_at"], handle["provisional"]) == ("2026-12-31T17:30:00+08:00", False)
    # 30 working days on the provisional rule: the statutory Spring Festival is 5-10 Feb.
    assert (matter["cap_at"], matter["cap_provisional"]) == ("2027-02-15T17:30:00+08:00", True)

    published = api.admin.post("/v1/calendars/2027", CALENDAR_2027)
    assert published.status_code == 201, published.text

    after = api.clerk.get(f"/v1/matters/{matter['id']}").json()
    assert after["deadlines"][-1]["due_at"] == "2026-12-31T17:30:00+08:00"
    assert after["deadlines"][-1]["calendar_version"] == handle["calendar_version"]
    assert (after["cap_at"], after["cap_provisional"]) == ("2027-02-09T17:30:00+08:00", False)
    assert published.json()["recomputed_matters"] == 1


def test_only_admin_publishes_a_calendar(api: Api) -> None:
    for role in ("clerk", "leader", "supervisor"):
        session = api.as_(role)
        with api.records_nothing():
            problem(session.post("/v1/calendars/2027", CALENDAR_2027), 403, "forbidden")
    problem(api.clerk.get("/v1/calendars/2027"), 404, "not_found")


def test_calendar_with_a_weekday_as_workday_is_refused(api: Api) -> None:
    with api.records_nothing():
        response = api.admin.post(
            "/v1/calendars/2027", {**CALENDAR_2027, "workdays": ["2027-01-06"]}
        )
        problem(response, 422, "invalid_input")
