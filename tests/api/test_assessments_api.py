"""Assessments over HTTP: rankings, CSV, explanations, what-if, quarters and access (SPEC §9).

The month below is written through the park's use cases, each act at its business time; the
expected scores were worked out by hand (see features/scoring.feature for the first one).
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from uuid import UUID, uuid4

import psycopg
import pytest
from psycopg import sql

from domain.base import Act, Actor
from tests.api.conftest import Api, problem, running_api, sh
from tests.conftest import POSTGRES_URL

BOM = "\ufeff".encode()
CSV_HEADER = ["排名", "包保人", "类别", "得分", "等次", "销售", "时效", "满意度", "服务", "扣分"]


@dataclass
class ParkMonth:
    """March 2026 of a small park, written through the use cases at its business times.

    - 张伟 guarantees Hengfeng and Huaxin: sales +2.67%, 4 of 5 steps on time, ratings 5, 2, 4,
      one visit: 63.67 (worked out in features/scoring.feature).
    - 李娜 guarantees Xinyuan: both steps on time, one visit: (30·100 + 10·100) / 40 = 100.00.
    - 王强 guarantees Qingyuan; its handle step (due Thu 03-05 17:30) is never done and he is a
      deputy group leader from 1 March who held no dispatch: (30·50 + 10·0) / 40 = 37.50,
      less 2 (the step, counted Thu 03-12 17:30) and 2 × 5 (both half-months) = 25.50.
    - 工业和信息化局 (department) guarantees Hengfeng: sales +2% → 40, steps 100, rating 5 → 100,
      no visit: (40·40 + 30·100 + 20·100 + 10·0) / 100 = 66.00.
    """

    api: Api
    ids: dict[str, str] = field(default_factory=dict)
    serials: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def act(self, role: str, scope: str | None = None) -> Act:
        actor = Actor(f"p-{role}", role, f"req-m{next(self.serials)}", scope)
        return Act.now(actor, self.api.clock)

    def at(self, moment: datetime) -> ParkMonth:
        assert moment >= self.api.clock()
        self.api.clock.set(moment)
        return self

    def uuid(self, name: str) -> UUID:
        return UUID(self.ids[name])

    def write(self) -> ParkMonth:
        park = self.api.services.park
        self.at(sh(2026, 3, 2, 9))  # the harness's first moment
        for name in ("Hengfeng", "Huaxin", "Xinyuan", "Qingyuan"):
            enterprise = park.list_enterprise(
                self.act("admin"), self.api.new_uscc(), name, "制造", "新能源汽车", True
            )
            self.ids[name] = str(enterprise.id)
        people = [("张伟", "person"), ("李娜", "person"), ("王强", "person")]
        for name, kind in [*people, ("工业和信息化局", "department")]:
            guarantor = park.register_guarantor(self.act("admin"), kind, name, None, None)
            self.ids[name] = str(guarantor.id)
        self.ids["unit"] = str(park.register_unit(self.act("admin"), "经济发展局").id)
        for who, enterprise, role in (
            ("张伟", "Hengfeng", "lead_leader"),
            ("张伟", "Huaxin", "lead_leader"),
            ("李娜", "Xinyuan", "lead_leader"),
            ("王强", "Qingyuan", "lead_leader"),
            ("工业和信息化局", "Hengfeng", "department"),
        ):
            park.assign_guarantor(
                self.act("admin"), self.uuid(enterprise), self.uuid(who), role, date(2026, 1, 1)
            )
        park.appoint_member(
            self.act("admin"), self.uuid("王强"), "deputy_group_leader", date(2026, 3, 1)
        )
        for month in ("01", "02", "03"):
            for enterprise, before, now in (
                ("Hengfeng", "1000000", "1020000"),
                ("Huaxin", "500000", "520000"),
            ):
                for year, amount in (("2025", before), ("2026", now)):
                    park.report_sales(
                        self.act("clerk"),
                        self.uuid(enterprise),
                        f"{year}-{month}",
                        Decimal(amount),
                        "tax",
                        None,
                    )
        for label, enterprise in (
            ("道路积水", "Hengfeng"),
            ("用工招聘", "Xinyuan"),
            ("厂房审批", "Qingyuan"),
        ):
            self.raise_(label, enterprise)
        self.at(sh(2026, 3, 2, 10))
        for label in ("道路积水", "用工招聘", "厂房审批"):
            self.assign(label)
        self.at(sh(2026, 3, 4, 10)).resolve("道路积水").resolve("用工招聘")
        self.at(sh(2026, 3, 5, 10)).rate("道路积水", "Hengfeng", 5)
        self.at(sh(2026, 3, 6, 10)).visit("张伟", "Hengfeng").visit("李娜", "Xinyuan")
        self.at(sh(2026, 3, 10, 9)).raise_("电力增容", "Huaxin")
        self.at(sh(2026, 3, 10, 11)).assign("电力增容")
        self.at(sh(2026, 3, 16, 10)).resolve("电力增容")
        self.at(sh(2026, 3, 17, 10)).rate("电力增容", "Huaxin", 2)
        self.at(sh(2026, 3, 23, 10)).resolve("电力增容")
        self.at(sh(2026, 3, 25, 10)).rate("电力增容", "Huaxin", 4)
        self.at(sh(2026, 4, 15, 10))
        return self

    def raise_(self, label: str, enterprise: str) -> ParkMonth:
        park = self.api.services.park
        matter = park.receive_matter(
            self.act("clerk"), self.uuid(enterprise), label, "企业诉求", "window"
        )
        self.ids[label] = str(matter.id)
        return self

    def assign(self, label: str) -> ParkMonth:
        park = self.api.services.park
        park.assign_matter(self.act("clerk"), self.uuid(label), self.uuid("unit"))
        return self

    def resolve(self, label: str) -> ParkMonth:
        park = self.api.services.park
        park.resolve_matter(self.act("unit", self.ids["unit"]), self.uuid(label), "已办结")
        return self

    def rate(self, label: str, enterprise: str, level: int) -> ParkMonth:
        park = self.api.services.park
        park.rate_matter(
            self.act("enterprise", self.ids[enterprise]), self.uuid(label), level, None
        )
        return self

    def visit(self, who: str, enterprise: str) -> ParkMonth:
        park = self.api.services.park
        park.record_visit(
            self.act("guarantor", self.ids[who]),
            self.uuid(who),
            self.uuid(enterprise),
            "visit",
            self.api.clock(),
            "走访了解生产经营情况",
            [],
        )
        return self


@contextmanager
def store(kind: str, folder: Path) -> Iterator[str]:
    """A database URL on SQLite or on a fresh schema of the local PostgreSQL server (as the
    `database_url` fixture gives, but for a module's worth of read-only tests)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder}/park.db"
        return
    schema = f"t_{uuid4().hex}"
    try:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    except psycopg.OperationalError as error:
        where = urlparse(POSTGRES_URL)
        message = f"PostgreSQL not reachable at {where.hostname}:{where.port}: {error}"
        if os.environ.get("BAOBAO_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield f"{POSTGRES_URL}?schema={schema}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def march(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ParkMonth]:
    """The park month on both stores, written once for the tests that only read it."""
    folder = tmp_path_factory.mktemp("march")
    with store(request.param, folder) as url, running_api(url, folder) as api:
        yield ParkMonth(api).write()


def ranking(march: ParkMonth, period: str = "2026-03", **params: Any) -> list[dict[str, Any]]:
    response = march.api.as_("hr").get("/v1/assessments", {"period": period, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"] == period
    assert body["next_cursor"] is None
    items: list[dict[str, Any]] = body["items"]
    return items


def scores_of(items: list[dict[str, Any]]) -> dict[str, str | None]:
    return {i["name"]: i["score"] for i in items}


def half_up(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


# -- rankings ------------------------------------------------------------------------------


def test_hr_gets_the_month_ranked_with_scores_grades_components_and_deductions(
    march: ParkMonth,
) -> None:
    items = ranking(march)
    seen = {
        i["name"]: (i["kind"], i["rank"], i["score"], i["grade"], i["deductions"]) for i in items
    }
    assert seen == {
        "李娜": ("person", 1, "100.00", "优秀", "0.00"),
        "张伟": ("person", 2, "63.67", "合格", "0.00"),
        "王强": ("person", 3, "25.50", "不合格", "12.00"),
        "工业和信息化局": ("department", 1, "66.00", "合格", "0.00"),
    }
    zhang = next(i for i in items if i["name"] == "张伟")
    assert zhang["components"] == {
        "sales": "53.33",
        "timeliness": "80.00",
        "satisfaction": "66.67",
        "service": "50.00",
    }
    assert zhang["guarantor_id"] == march.ids["张伟"]
    assert (zhang["period"], zhang["policy_version"]) == ("2026-03", 1)
    wang = next(i for i in items if i["name"] == "王强")
    assert wang["components"] == {
        "sales": None,
        "timeliness": "50.00",
        "satisfaction": None,
        "service": "0.00",
    }


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("person", [("李娜", 1), ("张伟", 2), ("王强", 3)]),
        ("department", [("工业和信息化局", 1)]),
    ],
)
def test_people_and_departments_are_ranked_apart(
    march: ParkMonth, kind: str, expected: list[tuple[str, int]]
) -> None:
    items = ranking(march, kind=kind)
    assert [(i["name"], i["rank"]) for i in items] == expected
    assert {i["kind"] for i in items} == {kind}


def test_the_ranking_as_csv_has_a_bom_and_a_header_and_parses(march: ParkMonth) -> None:
    response = march.api.as_("hr").get(
        "/v1/assessments", {"period": "2026-03"}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(BOM)
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == CSV_HEADER
    by_name = {row[1]: row for row in rows}
    assert by_name.keys() == {"李娜", "张伟", "王强", "工业和信息化局"}
    assert by_name["张伟"] == [
        "2",
        "张伟",
        "个人",
        "63.67",
        "合格",
        "53.33",
        "80.00",
        "66.67",
        "50.00",
        "0.00",
    ]
    assert by_name["王强"][6:] == ["50.00", "", "0.00", "12.00"]
    assert by_name["工业和信息化局"][:5] == ["1", "工业和信息化局", "部门", "66.00", "合格"]


def test_a_quarter_is_the_mean_of_its_months(march: ParkMonth) -> None:
    months = [scores_of(ranking(march, f"2026-{m:02d}")) for m in (1, 2, 3)]
    quarter = ranking(march, "2026-Q1")
    assert {i["period"] for i in quarter} == {"2026-Q1"}
    for name, score in scores_of(quarter).items():
        scored = [Decimal(s) for month in months if (s := month.get(name)) is not None]
        assert score == half_up(sum(scored, Decimal(0)) / len(scored)), name
    # 张伟: January and February have sales (+2.67%) and no visit: (40 × 160/3 + 10 × 0) / 50
    # = 42.67 each; the quarter is (42.67 + 42.67 + 63.67) / 3 = 49.67.
    assert (months[0]["张伟"], months[1]["张伟"]) == ("42.67", "42.67")
    assert scores_of(quarter)["张伟"] == "49.67"


@pytest.mark.parametrize("period", ["2026-13", "abc", "2026-Q5", "26-03", "1999-03"])
def test_a_bad_period_is_invalid_input(march: ParkMonth, period: str) -> None:
    hr = march.api.as_("hr")
    problem(hr.get("/v1/assessments", {"period": period}), 422, "invalid_input")
    path = f"/v1/assessments/{period}/guarantors/{march.ids['张伟']}"
    problem(hr.get(path), 422, "invalid_input")


# -- explanations --------------------------------------------------------------------------


def test_the_explanation_gives_every_input_and_the_events_behind_it(march: ParkMonth) -> None:
    path = f"/v1/assessments/2026-03/guarantors/{march.ids['张伟']}"
    response = march.api.as_("hr").get(path)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["score"], body["grade"], body["rank"]) == ("63.67", "合格", 2)
    explanation = body["explanation"]
    assert [(e["covered_days"], e["weight"]) for e in explanation["enterprises"]] == [
        (31, "1/1"),
        (31, "1/1"),
    ]
    components = explanation["components"]
    sales = components["sales"]
    assert (sales["weighted_ytd_fen"], sales["weighted_base_fen"]) == (
        "462000000.0000",
        "450000000.0000",
    )
    assert sales["value_exact"] == "160/3"
    timeliness = components["timeliness"]
    assert (timeliness["on_time"], timeliness["due"]) == (4, 5)
    late = [s for s in timeliness["steps"] if not s["on_time"]]
    assert [(s["matter_id"], s["step"]) for s in late] == [(march.ids["电力增容"], "handle")]
    assert all(s["event_ids"] for s in timeliness["steps"])
    satisfaction = components["satisfaction"]
    assert sorted(r["level"] for r in satisfaction["ratings"]) == [2, 4, 5]
    assert components["service"]["count"] == 1
    assert components["service"]["weight_sum"] == "2/1"
    # Recomputed by hand from the explanation alone:
    values = {k: Fraction(v["value_exact"]) for k, v in components.items()}
    weights = {k: v["weight"] for k, v in components.items()}
    total = sum(weights[k] * values[k] for k in values) / sum(weights.values())
    assert total == Fraction(191, 3)  # 63.666…
    assert half_up(Decimal(total.numerator) / total.denominator) == body["score"]


def test_a_guarantor_reads_its_own_explanation(march: ParkMonth) -> None:
    zhang = march.ids["张伟"]
    own = march.api.as_("guarantor", zhang).get(f"/v1/assessments/2026-03/guarantors/{zhang}")
    assert own.status_code == 200, own.text
    assert own.json()["score"] == "63.67"


def test_a_guarantor_may_not_read_another_ones_explanation(march: ParkMonth) -> None:
    li = march.api.as_("guarantor", march.ids["李娜"])
    path = f"/v1/assessments/2026-03/guarantors/{march.ids['张伟']}"
    problem(li.get(path), 403, "not_own_assessment")
    problem(li.get("/v1/assessments", {"period": "2026-03"}), 403, "forbidden")


def test_the_deductions_are_explained(march: ParkMonth) -> None:
    path = f"/v1/assessments/2026-03/guarantors/{march.ids['王强']}"
    body = march.api.as_("supervisor").get(path).json()
    kinds = sorted(
        (d["kind"], d.get("slot") or d["counted_at"]) for d in body["explanation"]["deductions"]
    )
    assert kinds == [
        ("missed_dispatch", "2026-03-01/2026-03-15"),
        ("missed_dispatch", "2026-03-16/2026-03-31"),
        ("overdue_step", "2026-03-12T17:30:00+08:00"),
    ]
    assert body["deductions"] == "12.00"


def test_an_unknown_guarantor_or_one_with_nothing_to_count_is_not_found(march: ParkMonth) -> None:
    hr = march.api.as_("hr")
    problem(hr.get(f"/v1/assessments/2026-03/guarantors/{uuid4()}"), 404, "not_found")
    # Nobody had anything to count in 2025.
    path = f"/v1/assessments/2025-06/guarantors/{march.ids['张伟']}"
    problem(hr.get(path), 404, "not_found")


# -- access --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["hr", "supervisor", "auditor"])
def test_readers_get_the_ranking(march: ParkMonth, role: str) -> None:
    response = march.api.as_(role).get("/v1/assessments", {"period": "2026-03"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("role", "scope"), [("clerk", None), ("unit", "unit"), ("enterprise", "Hengfeng")]
)
def test_others_may_not_read_assessments(march: ParkMonth, role: str, scope: str | None) -> None:
    session = march.api.as_(role, march.ids[scope] if scope else None)
    problem(session.get("/v1/assessments", {"period": "2026-03"}), 403, "forbidden")
    path = f"/v1/assessments/2026-03/guarantors/{march.ids['张伟']}"
    problem(session.get(path), 403, "forbidden")
    what_if = {"period": "2026-03", "policy_version": 1}
    problem(session.get("/v1/assessments/what-if", what_if), 403, "forbidden")


def test_hr_reads_no_matter_contents(march: ParkMonth) -> None:
    hr = march.api.as_("hr")
    problem(hr.get("/v1/matters"), 403, "forbidden")
    problem(hr.get(f"/v1/matters/{march.ids['道路积水']}"), 403, "forbidden")


# -- policies and what-if ------------------------------------------------------------------

SERVICE_HEAVY = {"weights": {"sales": 10, "timeliness": 30, "satisfaction": 20, "service": 40}}


def test_a_policy_adopted_from_july_changes_july_onwards_and_nothing_before(api: Api) -> None:
    month = ParkMonth(api).write()
    hr = api.as_("hr")
    march_before = ranking(month)
    month.at(sh(2026, 6, 20, 10))
    adopted = api.admin.post(
        "/v1/policies", {"document": SERVICE_HEAVY, "effective_from": "2026-07"}
    )
    assert adopted.status_code == 201, adopted.text
    assert (adopted.json()["version"], adopted.json()["effective_from"]) == (2, "2026-07")
    # July: 张伟 visits Hengfeng and its new request is handled in time.
    month.at(sh(2026, 7, 6, 9)).raise_("排污许可", "Hengfeng")
    month.at(sh(2026, 7, 6, 10)).assign("排污许可").visit("张伟", "Hengfeng")
    month.at(sh(2026, 7, 8, 10)).resolve("排污许可")
    month.at(sh(2026, 8, 10, 10))

    july = {i["name"]: i for i in ranking(month, "2026-07")}
    # v2: timeliness 100, service 1 visit / 2 = 50: (30·100 + 40·50) / 70 = 71.43
    assert (july["张伟"]["score"], july["张伟"]["policy_version"]) == ("71.43", 2)
    july_v1 = hr.get("/v1/assessments/what-if", {"period": "2026-07", "policy_version": 1})
    zhang_v1 = next(i for i in july_v1.json()["items"] if i["name"] == "张伟")
    # v1: (30·100 + 10·50) / 40 = 87.50
    assert zhang_v1["score"] == "87.50"

    for period in ("2026-03", "2026-06"):
        assert {i["policy_version"] for i in ranking(month, period)} == {1}
    assert ranking(month) == march_before


def test_what_if_shows_another_policy_without_changing_the_month(api: Api) -> None:
    month = ParkMonth(api).write()
    adopted = api.admin.post(
        "/v1/policies", {"document": SERVICE_HEAVY, "effective_from": "2026-07"}
    )
    assert adopted.status_code == 201, adopted.text
    live = ranking(month)
    response = api.as_("hr").get(
        "/v1/assessments/what-if", {"period": "2026-03", "policy_version": 2}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["policy_version"] == 2
    what_if = scores_of(body["items"])
    # 张伟 under v2: (10·160/3 + 30·80 + 20·200/3 + 40·50) / 100 = 62.67;
    # 王强: (30·50 + 40·0) / 70 − 12 = 9.43; 工业和信息化局: (10·40 + 30·100 + 20·100) / 100 = 54.00
    assert what_if == {"李娜": "100.00", "张伟": "62.67", "王强": "9.43", "工业和信息化局": "54.00"}
    assert scores_of(live) == {
        "李娜": "100.00",
        "张伟": "63.67",
        "王强": "25.50",
        "工业和信息化局": "66.00",
    }
    assert ranking(month) == live
    explained = api.as_("hr").get(
        f"/v1/assessments/2026-03/guarantors/{month.ids['张伟']}", {"policy_version": 2}
    )
    assert (explained.json()["score"], explained.json()["policy_version"]) == ("62.67", 2)


def test_what_if_under_an_unknown_policy_is_invalid_input(sqlite_api: Api) -> None:
    response = sqlite_api.as_("hr").get(
        "/v1/assessments/what-if", {"period": "2026-03", "policy_version": 9}
    )
    problem(response, 422, "invalid_input")


def test_a_policy_cannot_rewrite_a_month_already_scored(sqlite_api: Api) -> None:
    month = ParkMonth(sqlite_api).write()  # it is now 15 April
    before = ranking(month)
    response = sqlite_api.admin.post(
        "/v1/policies", {"document": SERVICE_HEAVY, "effective_from": "2026-03"}
    )
    assert ranking(month) == before
    problem(response, 422, "invalid_input")
