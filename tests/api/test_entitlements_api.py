"""免申即享 over HTTP: grants on recording, approval, the list with its arithmetic (SPEC §11)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.conftest import Api, problem, sh

PARTICIPATIONS = "/v1/exhibitions/participations"


def participation(enterprise_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "enterprise_id": enterprise_id,
        "exhibition": "亳州药博会",
        "organiser_level": "city",
        "fee_paid": "700000.00",
        "held_on": "2026-02-10",
        **fields,
    }


def promotion(enterprise_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "enterprise_id": enterprise_id,
        "campaign": "精品安徽·央视集中宣传",
        "cost": "2500000.00",
        "province_subsidy": "500000.00",
        "city_subsidy": "200000.00",
        "held_on": "2026-02-20",
        **fields,
    }


def granted(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def listed(api: Api, **params: Any) -> list[dict[str, Any]]:
    response = api.as_("supervisor").get("/v1/entitlements", params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def not_above_scale(api: Api) -> dict[str, Any]:
    payload = {
        "uscc": api.new_uscc(),
        "name": "亳州华信商贸有限公司",
        "industry": "商贸",
        "chain": "现代中药",
        "above_scale": False,
    }
    response = api.clerk.post("/v1/enterprises", payload)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_recording_a_participation_grants_an_entitlement_with_its_arithmetic(api: Api) -> None:
    enterprise = api.enterprise()
    response = api.clerk.post(PARTICIPATIONS, participation(enterprise["id"]))
    body = granted(response)
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert (body["kind"], body["amount"], body["capped"], body["year"]) == (
        "exhibition",
        "300000.00",
        True,
        2026,
    )
    assert body["arithmetic"] | {"rule": "…"} == {
        "fee_paid": "700000.00",
        "cost": None,
        "province_subsidy": None,
        "city_subsidy": None,
        "remaining": None,
        "rate": "0.5",
        "uncapped": "350000.00",
        "exhibition_cap": "300000.00",
        "exhibition_cap_left": "300000.00",
        "branding_cap": "2000000.00",
        "branding_cap_left": "2000000.00",
        "amount": "300000.00",
        "rule": "…",
    }
    assert "50%" in body["arithmetic"]["rule"]
    assert body["status"] == "awaiting_approval"
    approval = body["approval"]
    assert (approval["state"], approval["late"]) == ("pending", False)
    assert approval["due_at"] == "2026-03-05T17:30:00+08:00"
    assert body["granted_at"] == "2026-03-02T09:00:00+08:00"
    (item,) = listed(api, enterprise_id=enterprise["id"], year=2026)
    assert item == body


def test_a_promotion_is_covered_for_what_remains_within_the_branding_cap(api: Api) -> None:
    enterprise = api.enterprise()
    first = granted(api.clerk.post(PARTICIPATIONS, participation(enterprise["id"])))
    body = granted(api.clerk.post("/v1/promotions", promotion(enterprise["id"])))
    assert (body["kind"], body["amount"], body["capped"]) == ("promotion", "1700000.00", True)
    arithmetic = body["arithmetic"]
    assert (arithmetic["remaining"], arithmetic["rate"], arithmetic["uncapped"]) == (
        "1800000.00",
        "1",
        "1800000.00",
    )
    assert arithmetic["branding_cap_left"] == "1700000.00"
    assert arithmetic["exhibition_cap_left"] is None
    assert [i["id"] for i in listed(api, enterprise_id=enterprise["id"])] == [
        first["id"],
        body["id"],
    ]


def test_refusals_say_why_and_record_nothing(api: Api) -> None:
    enterprise = api.enterprise()
    small = not_above_scale(api)
    with api.records_nothing():
        refused = api.clerk.post(PARTICIPATIONS, participation(small["id"]))
        assert "四上" in problem(refused, 409, "not_above_scale")["detail"]
        other = participation(enterprise["id"], organiser_level="other")
        problem(api.clerk.post(PARTICIPATIONS, other), 409, "organiser_not_eligible")
        county = participation(enterprise["id"], organiser_level="county")
        problem(api.clerk.post(PARTICIPATIONS, county), 422, "invalid_input")
        negative = participation(enterprise["id"], fee_paid="-1.00")
        problem(api.clerk.post(PARTICIPATIONS, negative), 422, "invalid_amount")
        future = participation(enterprise["id"], held_on="2026-03-03")
        problem(api.clerk.post(PARTICIPATIONS, future), 422, "time_in_future")
        unknown = participation("00000000-0000-4000-8000-000000000000")
        problem(api.clerk.post(PARTICIPATIONS, unknown), 404, "not_found")
        exceeding = promotion(enterprise["id"], city_subsidy="2000000.01")
        problem(api.clerk.post("/v1/promotions", exceeding), 422, "subsidies_exceed_cost")
        # A small enterprise may still have its 精品安徽 promotion covered: no scale is asked.
    granted(api.clerk.post("/v1/promotions", promotion(small["id"])))


def test_only_the_window_records_and_only_leaders_approve(api: Api) -> None:
    enterprise = api.enterprise()
    with api.records_nothing():
        problem(api.leader.post(PARTICIPATIONS, participation(enterprise["id"])), 403, "forbidden")
        late = participation(enterprise["id"], occurred_at="2026-03-01T10:00:00+08:00")
        problem(api.clerk.post(PARTICIPATIONS, late), 403, "backdating_not_allowed")
    body = granted(api.clerk.post(PARTICIPATIONS, participation(enterprise["id"])))
    with api.records_nothing():
        problem(api.clerk.post(f"/v1/entitlements/{body['id']}/approve"), 403, "forbidden")
        problem(api.as_("unit", enterprise["id"]).get("/v1/entitlements"), 403, "forbidden")


def test_approval_by_a_leader_once_within_3_working_days(api: Api) -> None:
    enterprise = api.enterprise()
    body = granted(api.clerk.post(PARTICIPATIONS, participation(enterprise["id"])))
    path = f"/v1/entitlements/{body['id']}/approve"
    with api.records_nothing():
        stale = api.leader.post(path, headers={"If-Match": '"1"'})
        problem(stale, 409, "version_conflict")
        unknown = api.leader.post("/v1/entitlements/00000000-0000-4000-8000-000000000000/approve")
        problem(unknown, 404, "not_found")
    api.clock.set(sh(2026, 3, 5, 17, 0))
    response = api.leader.post(path, headers={"If-Match": f'"{body["version"]}"'})
    assert response.status_code == 200, response.text
    approved = response.json()
    assert approved["status"] == "approved"
    assert approved["approved_at"] == "2026-03-05T17:00:00+08:00"
    assert (approved["approval"]["state"], approved["approval"]["late"]) == ("met", False)
    assert approved["approved_by"] is not None
    with api.records_nothing():
        problem(api.leader.post(path), 409, "already_approved")


def test_an_approval_after_the_deadline_is_recorded_as_late(api: Api) -> None:
    enterprise = api.enterprise()
    body = granted(api.clerk.post(PARTICIPATIONS, participation(enterprise["id"])))
    api.clock.set(sh(2026, 3, 6, 9, 0))
    (overdue,) = listed(api, enterprise_id=enterprise["id"])
    assert (overdue["approval"]["state"], overdue["approval"]["late"]) == ("missed", True)
    response = api.leader.post(f"/v1/entitlements/{body['id']}/approve")
    assert response.status_code == 200, response.text
    assert (response.json()["approval"]["state"], response.json()["approval"]["late"]) == (
        "met",
        True,
    )
    (item,) = listed(api, enterprise_id=enterprise["id"])
    assert item["approved_at"] == "2026-03-06T09:00:00+08:00"
    assert item["approval"]["late"] is True


def test_the_list_by_enterprise_and_year_pages_and_reads_as_of(api: Api) -> None:
    hengfeng, huaxin = api.enterprise(), api.enterprise("亳州华信药业有限公司")
    api.clock.set(sh(2027, 1, 4, 9))
    dec31 = granted(
        api.clerk.post(PARTICIPATIONS, participation(hengfeng["id"], held_on="2026-12-31"))
    )
    jan1 = granted(
        api.clerk.post(PARTICIPATIONS, participation(hengfeng["id"], held_on="2027-01-01"))
    )
    assert (dec31["year"], jan1["year"]) == (2026, 2027)
    assert jan1["arithmetic"]["exhibition_cap_left"] == "300000.00"  # a new year, a new cap
    granted(api.clerk.post(PARTICIPATIONS, participation(huaxin["id"], held_on="2027-01-02")))
    assert [i["id"] for i in listed(api, enterprise_id=hengfeng["id"], year=2027)] == [jan1["id"]]
    assert len(listed(api)) == 3
    assert len(listed(api, year=2027)) == 2

    first = api.as_("supervisor").get("/v1/entitlements", {"limit": 1, "year": 2027})
    cursor = first.json()["next_cursor"]
    second = api.as_("supervisor").get(
        "/v1/entitlements", {"limit": 1, "year": 2027, "cursor": cursor}
    )
    assert [i["enterprise_id"] for i in second.json()["items"]] == [huaxin["id"]]

    before_approval = "2027-01-04T09:30:00+08:00"
    api.clock.set(sh(2027, 1, 4, 10))
    assert api.leader.post(f"/v1/entitlements/{jan1['id']}/approve").status_code == 200
    (then,) = listed(api, enterprise_id=hengfeng["id"], year=2027, as_of=before_approval)
    assert (then["status"], then["approved_at"]) == ("awaiting_approval", None)
    (now,) = listed(api, enterprise_id=hengfeng["id"], year=2027)
    assert now["status"] == "approved"
    assert listed(api, enterprise_id=hengfeng["id"], as_of="2027-01-04T08:00:00+08:00") == []


def test_an_enterprise_sees_only_its_own_entitlements(api: Api) -> None:
    own, other = api.enterprise(), api.enterprise("亳州华信药业有限公司")
    body = granted(api.clerk.post(PARTICIPATIONS, participation(own["id"])))
    granted(api.clerk.post(PARTICIPATIONS, participation(other["id"])))
    session = api.as_("enterprise", own["id"])
    mine = session.get("/v1/entitlements")
    assert mine.status_code == 200, mine.text
    assert [i["id"] for i in mine.json()["items"]] == [body["id"]]
    problem(session.get("/v1/entitlements", {"enterprise_id": other["id"]}), 404, "not_found")
    problem(api.as_("hr").get("/v1/entitlements"), 403, "forbidden")


def test_a_repeated_command_with_its_idempotency_key_grants_once(api: Api) -> None:
    enterprise = api.enterprise()
    key = {"Idempotency-Key": "expo-2026-02-10-hengfeng"}
    first = granted(api.clerk.post(PARTICIPATIONS, participation(enterprise["id"]), key))
    with api.records_nothing():
        again = api.clerk.post(PARTICIPATIONS, participation(enterprise["id"]), key)
    assert granted(again) == first
    assert len(listed(api, enterprise_id=enterprise["id"])) == 1


def test_the_openapi_document_describes_the_subsidy_endpoints(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    paths = document["paths"]
    assert "201" in paths[PARTICIPATIONS]["post"]["responses"]
    assert "201" in paths["/v1/promotions"]["post"]["responses"]
    approve = paths["/v1/entitlements/{entitlement_id}/approve"]["post"]
    assert "if-match" in {p["name"].lower() for p in approve["parameters"] if p["in"] == "header"}
    assert "get" in paths["/v1/entitlements"]
