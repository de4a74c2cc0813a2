"""Sales, growth (JSON and CSV) and service visits over HTTP (SPEC §7, §8; API.md)."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

from tests.api.conftest import Api, Session, problem, sh

BOM = "\ufeff".encode()


def put(session: Session, path: str, body: dict[str, Any], **headers: str) -> httpx.Response:
    return session.client.put(path, json=body, headers=session.headers(headers))


def report(api: Api, enterprise_id: str, month: str, amount: str, **extra: Any) -> dict[str, Any]:
    response = put(
        api.clerk,
        f"/v1/enterprises/{enterprise_id}/sales/{month}",
        {"amount": amount, "source": "tax", **extra},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def year_of_sales(api: Api, enterprise_id: str, last_year: str, this_year: str) -> None:
    for month in ("01", "02"):
        report(api, enterprise_id, f"2025-{month}", last_year)
        report(api, enterprise_id, f"2026-{month}", this_year)


def assign(api: Api, enterprise_id: str, guarantor_id: str, effective_from: str) -> None:
    response = api.admin.post(
        f"/v1/enterprises/{enterprise_id}/assignments",
        {"guarantor_id": guarantor_id, "role": "lead_leader", "effective_from": effective_from},
    )
    assert response.status_code == 201, response.text


# -- sales ---------------------------------------------------------------------------------------


def test_a_month_is_reported_and_corrected_only_with_a_reason(api: Api) -> None:
    enterprise = api.enterprise()
    path = f"/v1/enterprises/{enterprise['id']}/sales/2026-02"
    first = put(api.clerk, path, {"amount": "1234567.89", "source": "tax"})
    assert first.status_code == 200, first.text
    month = first.json()
    assert (month["amount"], month["source"], month["corrections"]) == ("1234567.89", "tax", 0)
    assert first.headers["ETag"] == f'"{month["version"]}"'

    with api.records_nothing():
        refused = put(api.clerk, path, {"amount": "1300000.00", "source": "tax"})
    problem(refused, 422, "reason_required")
    listed = api.clerk.get(f"/v1/enterprises/{enterprise['id']}/sales", {"year": 2026}).json()
    assert [m["amount"] for m in listed["items"]] == ["1234567.89"]

    corrected = put(
        api.admin, path, {"amount": "1300000.00", "source": "tax", "reason": "税务系统回传更正"}
    )
    assert corrected.status_code == 200, corrected.text
    month = corrected.json()
    assert (month["amount"], month["corrections"]) == ("1300000.00", 1)
    assert [(h["kind"], h["amount"], h["reason"]) for h in month["history"]] == [
        ("reported", "1234567.89", None),
        ("corrected", "1300000.00", "税务系统回传更正"),
    ]
    assert month["history"][1]["previous_amount"] == "1234567.89"
    assert month["history"][1]["actor"]["role"] == "admin"


def test_repeating_a_put_records_nothing(api: Api) -> None:
    enterprise = api.enterprise()
    first = report(api, enterprise["id"], "2026-01", "100.00")
    with api.records_nothing():
        again = report(api, enterprise["id"], "2026-01", "100.00")
    assert again == first


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("1e5", "invalid_amount"),
        ("12.345", "invalid_amount"),
        ("-1", "invalid_amount"),
        ("NaN", "invalid_amount"),
        ("Infinity", "invalid_amount"),
        ("1000000000000000.01", "invalid_amount"),
        (1234.5, "invalid_input"),  # money is a string, never a JSON number
        ("", "invalid_input"),
    ],
)
def test_bad_amounts_are_refused(sqlite_api: Api, amount: Any, code: str) -> None:
    enterprise = sqlite_api.enterprise()
    path = f"/v1/enterprises/{enterprise['id']}/sales/2026-01"
    with sqlite_api.records_nothing():
        response = put(sqlite_api.clerk, path, {"amount": amount, "source": "tax"})
    problem(response, 422, code)


def test_months_sources_enterprises_and_roles_are_checked(sqlite_api: Api) -> None:
    api = sqlite_api
    enterprise = api.enterprise()
    base = f"/v1/enterprises/{enterprise['id']}/sales"
    body = {"amount": "1.00", "source": "tax"}
    own = api.enterprise_session(enterprise["id"])
    with api.records_nothing():
        problem(put(api.clerk, f"{base}/2026-04", body), 422, "month_in_future")
        problem(put(api.clerk, f"{base}/2026-13", body), 422, "invalid_input")
        problem(put(api.clerk, f"{base}/202601", body), 422, "invalid_input")
        problem(
            put(api.clerk, f"{base}/2026-01", {**body, "source": "guess"}), 422, "invalid_input"
        )
        problem(
            put(api.clerk, "/v1/enterprises/" + "0" * 32 + "/sales/2026-01", body), 404, "not_found"
        )
        problem(put(api.leader, f"{base}/2026-01", body), 403, "forbidden")
        problem(put(own, f"{base}/2026-01", body), 403, "forbidden")


def test_stale_if_match_is_a_conflict(sqlite_api: Api) -> None:
    enterprise = sqlite_api.enterprise()
    first = report(sqlite_api, enterprise["id"], "2026-01", "1.00")
    report(sqlite_api, enterprise["id"], "2026-02", "1.00")
    response = put(
        sqlite_api.clerk,
        f"/v1/enterprises/{enterprise['id']}/sales/2026-01",
        {"amount": "2.00", "source": "tax", "reason": "更正"},
        **{"If-Match": f'"{first["version"]}"'},
    )
    problem(response, 409, "version_conflict")


def test_an_enterprise_reads_its_own_sales_and_no_one_elses(sqlite_api: Api) -> None:
    api = sqlite_api
    own, other = api.enterprise(), api.enterprise("亳州华信药业有限公司", "现代中药")
    for month in ("2025-12", "2026-01", "2026-02"):
        report(api, own["id"], month, "10.00")
    mine = api.enterprise_session(own["id"]).get(f"/v1/enterprises/{own['id']}/sales")
    assert [m["month"] for m in mine.json()["items"]] == ["2025-12", "2026-01", "2026-02"]
    hr = api.as_("hr").get(f"/v1/enterprises/{own['id']}/sales", {"year": 2026})
    assert [m["month"] for m in hr.json()["items"]] == ["2026-01", "2026-02"]
    theirs = api.enterprise_session(other["id"]).get(f"/v1/enterprises/{own['id']}/sales")
    problem(theirs, 404, "not_found")


def test_the_sales_list_pages_by_month(sqlite_api: Api) -> None:
    api = sqlite_api
    enterprise = api.enterprise()
    for month in ("2025-11", "2025-12", "2026-01"):
        report(api, enterprise["id"], month, "1.00")
    path = f"/v1/enterprises/{enterprise['id']}/sales"
    first = api.clerk.get(path, {"limit": 2}).json()
    assert [m["month"] for m in first["items"]] == ["2025-11", "2025-12"]
    second = api.clerk.get(path, {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert ([m["month"] for m in second["items"]], second["next_cursor"]) == (["2026-01"], None)
    problem(api.clerk.get(path, {"cursor": "nonsense"}), 400, "bad_cursor")


def test_sales_as_of_a_recorded_time(sqlite_api: Api) -> None:
    api = sqlite_api
    enterprise = api.enterprise()
    report(api, enterprise["id"], "2026-01", "100.00")
    api.clock.set(sh(2026, 3, 3, 9))
    report(api, enterprise["id"], "2026-01", "120.00", reason="更正")
    path = f"/v1/enterprises/{enterprise['id']}/sales"
    then = api.clerk.get(path, {"as_of": "2026-03-02T12:00:00+08:00"}).json()
    assert [m["amount"] for m in then["items"]] == ["100.00"]
    now = api.clerk.get(path).json()
    assert [m["amount"] for m in now["items"]] == ["120.00"]


def growth_park(api: Api) -> dict[str, dict[str, Any]]:
    """One enterprise over +5%, one under, one with a month missing."""
    over = api.enterprise("亳州恒丰汽车零部件有限公司", "新能源汽车")
    under = api.enterprise("亳州华信药业有限公司", "现代中药")
    missing = api.enterprise("亳州新源材料有限公司", "新能源汽车")
    year_of_sales(api, over["id"], "1000000.00", "1100000.00")
    year_of_sales(api, under["id"], "500000.00", "510000.00")
    report(api, missing["id"], "2025-01", "300.00")
    report(api, missing["id"], "2026-01", "300.00")
    report(api, missing["id"], "2026-02", "300.00")
    return {"over": over, "under": under, "missing": missing}


def test_growth_against_the_target(api: Api) -> None:
    cast = growth_park(api)
    response = api.as_("hr").get("/v1/sales/growth", {"period": "2026-02"})
    assert response.status_code == 200, response.text
    report_ = response.json()
    assert (report_["period"], report_["target"]) == ("2026-02", "0.05")
    rows = {r["enterprise_id"]: r for r in report_["items"]}
    over, under, missing = (rows[cast[k]["id"]] for k in ("over", "under", "missing"))
    assert (over["ytd"], over["base"], over["growth"], over["meets_target"]) == (
        "2200000.00",
        "2000000.00",
        "0.1000",
        True,
    )
    assert (under["growth"], under["meets_target"], under["reason"]) == ("0.0200", False, None)
    assert (missing["growth"], missing["meets_target"]) == (None, None)
    assert missing["reason"] == "missing 2025-02"
    assert (missing["ytd"], missing["base"]) == ("600.00", None)
    assert report_["total"] == {
        "ytd": "3220000.00",
        "base": "3000000.00",
        "growth": "0.0733",
        "meets_target": True,
        "reason": None,
    }
    chain = api.leader.get("/v1/sales/growth", {"period": "2026-02", "chain": "现代中药"}).json()
    assert [r["enterprise_id"] for r in chain["items"]] == [cast["under"]["id"]]
    assert chain["total"]["growth"] == "0.0200"


def test_growth_as_csv_with_a_bom(api: Api) -> None:
    growth_park(api)
    response = api.as_("supervisor").get(
        "/v1/sales/growth", {"period": "2026-02"}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == (
        "attachment; filename=sales-growth-2026-02.csv"
    )
    assert response.content.startswith(BOM)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["企业ID", "企业名称", "产业链"]
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["亳州恒丰汽车零部件有限公司"][3:7] == [
        "2200000.00",
        "2000000.00",
        "0.1000",
        "是",
    ]
    assert by_name["亳州华信药业有限公司"][5:7] == ["0.0200", "否"]
    assert by_name["亳州新源材料有限公司"][5:8] == ["", "", "missing 2025-02"]
    assert by_name["合计"][5:7] == ["0.0733", "是"]


def test_a_guarantor_sees_the_growth_of_its_own_enterprises(sqlite_api: Api) -> None:
    api = sqlite_api
    cast = growth_park(api)
    zhang = api.guarantor()
    assign(api, cast["under"]["id"], zhang["id"], "2026-01-01")
    mine = api.as_("guarantor", zhang["id"]).get("/v1/sales/growth", {"period": "2026-02"})
    assert [r["enterprise_id"] for r in mine.json()["items"]] == [cast["under"]["id"]]
    problem(
        api.unit_session(api.unit()["id"]).get("/v1/sales/growth", {"period": "2026-02"}),
        403,
        "forbidden",
    )
    problem(api.clerk.get("/v1/sales/growth", {"period": "2026-2"}), 422, "invalid_input")


def test_openapi_describes_growth_as_json_and_csv(sqlite_api: Api) -> None:
    document = sqlite_api.client.get("/openapi.json").json()
    content = document["paths"]["/v1/sales/growth"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv"} <= content.keys()
    put_op = document["paths"]["/v1/enterprises/{enterprise_id}/sales/{month}"]["put"]
    assert "200" in put_op["responses"]


# -- visits --------------------------------------------------------------------------------------


def visit_body(
    guarantor_id: str, enterprise_id: str, visited_at: str, **extra: Any
) -> dict[str, Any]:
    return {
        "guarantor_id": guarantor_id,
        "enterprise_id": enterprise_id,
        "kind": "visit",
        "visited_at": visited_at,
        **extra,
    }


def test_a_visit_to_an_enterprise_not_guaranteed_that_day_is_refused(api: Api) -> None:
    enterprise, zhang = api.enterprise(), api.guarantor()
    assign(api, enterprise["id"], zhang["id"], "2026-03-02")
    session = api.as_("guarantor", zhang["id"])
    with api.records_nothing():
        response = session.post(
            "/v1/visits",
            visit_body(
                zhang["id"],
                enterprise["id"],
                "2026-03-01T15:00:00+08:00",
                problems=[{"summary": "道路积水", "category": "基础设施"}],
            ),
        )
    problem(response, 409, "not_guarantor")
    assert session.get("/v1/visits").json()["items"] == []


def test_a_visit_on_the_first_day_opens_a_matter_for_each_problem(api: Api) -> None:
    enterprise, zhang = api.enterprise(), api.guarantor()
    assign(api, enterprise["id"], zhang["id"], "2026-03-02")
    session = api.as_("guarantor", zhang["id"])
    response = session.post(
        "/v1/visits",
        visit_body(
            zhang["id"],
            enterprise["id"],
            "2026-03-02T08:00:00+08:00",
            kind="four_deliveries",
            notes="送政策上门",
            problems=[
                {"summary": "厂区周边路灯损坏", "category": "基础设施"},
                {"summary": "缺少技术工人", "category": "人才"},
            ],
        ),
        headers={"Idempotency-Key": "visit-1"},
    )
    assert response.status_code == 201, response.text
    visit = response.json()
    assert (visit["kind"], visit["visited_at"], visit["notes"]) == (
        "four_deliveries",
        "2026-03-02T08:00:00+08:00",
        "送政策上门",
    )
    assert len(visit["matter_ids"]) == 2
    assert [p["matter_id"] for p in visit["problems"]] == visit["matter_ids"]
    for matter_id, summary in zip(
        visit["matter_ids"], ("厂区周边路灯损坏", "缺少技术工人"), strict=True
    ):
        matter = api.clerk.get(f"/v1/matters/{matter_id}").json()
        assert (matter["channel"], matter["summary"], matter["status"]) == (
            "visit",
            summary,
            "received",
        )
        assert matter["received_at"] == "2026-03-02T09:00:00+08:00"
    listed = api.clerk.get("/v1/visits", {"enterprise_id": enterprise["id"], "period": "2026-03"})
    assert [v["id"] for v in listed.json()["items"]] == [visit["id"]]
    assert api.clerk.get("/v1/visits", {"period": "2026-02"}).json()["items"] == []
    assert session.get(response.headers["Location"]).json() == visit
    other = api.as_("guarantor", api.guarantor(name="李娜")["id"])
    problem(other.get(response.headers["Location"]), 404, "not_found")
    with api.records_nothing():
        again = session.post(
            "/v1/visits",
            visit_body(
                zhang["id"],
                enterprise["id"],
                "2026-03-02T08:00:00+08:00",
                kind="four_deliveries",
                notes="送政策上门",
                problems=[
                    {"summary": "厂区周边路灯损坏", "category": "基础设施"},
                    {"summary": "缺少技术工人", "category": "人才"},
                ],
            ),
            headers={"Idempotency-Key": "visit-1"},
        )
    assert again.json()["id"] == visit["id"]


def test_guarantors_record_and_read_only_their_own_visits(sqlite_api: Api) -> None:
    api = sqlite_api
    enterprise, zhang, li = api.enterprise(), api.guarantor(), api.guarantor(name="李娜")
    assign(api, enterprise["id"], zhang["id"], "2026-03-01")
    body = visit_body(zhang["id"], enterprise["id"], "2026-03-02T08:00:00+08:00")
    as_li = api.as_("guarantor", li["id"])
    with api.records_nothing():
        problem(as_li.post("/v1/visits", body), 403, "not_own_visit")
        problem(api.clerk.post("/v1/visits", body), 403, "forbidden")
    assert api.as_("guarantor", zhang["id"]).post("/v1/visits", body).status_code == 201
    assert api.admin.post("/v1/visits", body).status_code == 201
    assert len(api.as_("guarantor", zhang["id"]).get("/v1/visits").json()["items"]) == 2
    assert api.as_("guarantor", li["id"]).get("/v1/visits").json()["items"] == []
    problem(
        api.as_("guarantor", li["id"]).get("/v1/visits", {"guarantor_id": zhang["id"]}),
        403,
        "not_own_visit",
    )
    assert len(api.as_("hr").get("/v1/visits", {"guarantor_id": zhang["id"]}).json()["items"]) == 2


def test_visit_times_must_be_past_aware_and_recent(sqlite_api: Api) -> None:
    api = sqlite_api
    enterprise, zhang = api.enterprise(), api.guarantor()
    assign(api, enterprise["id"], zhang["id"], "2026-01-01")
    session = api.as_("guarantor", zhang["id"])
    with api.records_nothing():
        future = session.post(
            "/v1/visits", visit_body(zhang["id"], enterprise["id"], "2026-03-02T10:00:00+08:00")
        )
        problem(future, 422, "time_in_future")
        naive = session.post(
            "/v1/visits", visit_body(zhang["id"], enterprise["id"], "2026-03-02T08:00:00")
        )
        problem(naive, 422, "invalid_input")
        old = session.post(
            "/v1/visits", visit_body(zhang["id"], enterprise["id"], "2026-01-20T10:00:00+08:00")
        )
        problem(old, 403, "backdating_not_allowed")
    late = api.admin.post(
        "/v1/visits", visit_body(zhang["id"], enterprise["id"], "2026-01-20T10:00:00+08:00")
    )
    assert late.status_code == 201, late.text


def test_visits_as_of_a_recorded_time(sqlite_api: Api) -> None:
    api = sqlite_api
    enterprise, zhang = api.enterprise(), api.guarantor()
    assign(api, enterprise["id"], zhang["id"], "2026-03-01")
    body = visit_body(zhang["id"], enterprise["id"], "2026-03-02T08:00:00+08:00")
    assert api.admin.post("/v1/visits", body).status_code == 201
    api.clock.set(sh(2026, 3, 3, 9))
    assert api.admin.post("/v1/visits", body).status_code == 201
    then = api.clerk.get("/v1/visits", {"as_of": "2026-03-02T12:00:00+08:00"}).json()
    assert len(then["items"]) == 1
    problem(api.clerk.get("/v1/visits", {"as_of": "2026-03-02T12:00:00"}), 422, "invalid_input")
