"""The supervision board (督查看板) over HTTP: signing in, roles, the figures it shows (the API's
own), publishing a notice with a CSRF token, and the detail pages (SPEC §1, §9, §10; API.md)."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient

from domain.base import Act, Actor
from tests.api import test_assessments_api
from tests.api.conftest import Api
from tests.api.test_assessments_api import ParkMonth

march = test_assessments_api.march  # the same park month as the assessment tests, written once

STAFF = ("admin", "clerk", "leader", "supervisor")
MARCH = {"period": "2026-03"}


# -- reading pages ---------------------------------------------------------------------------


class Page(HTMLParser):
    """What a person sees: each table's rows (cell texts and the row's attributes), forms, text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[tuple[dict[str, str], list[str]]]] = {}
        self.forms: list[dict[str, Any]] = []
        self.text_parts: list[str] = []
        self._table: list[str] = []
        self._row: tuple[dict[str, str], list[str]] | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text_parts))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "table":
            name = a.get("id") or a.get("data-kind") or a.get("class") or f"t{len(self.tables)}"
            self._table.append(name)
            self.tables.setdefault(name, [])
        elif tag == "tr" and self._table:
            self._row = (a, [])
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get")})
        elif tag == "input" and self.forms and a.get("type") == "hidden":
            self.forms[-1][a.get("name", "")] = a.get("value", "")
        elif tag == "button" and self.forms:
            self.forms[-1]["button"] = a.get("class", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._table:
            self._table.pop()
        elif tag == "tr" and self._row is not None and self._table:
            if self._row[1]:
                self.tables[self._table[-1]].append(self._row)
            self._row = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row[1].append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def rows(self, table: str) -> list[list[str]]:
        """The body rows of a table (the header row left out)."""
        return [cells for _, cells in self.tables[table][1:]]

    def publish_forms(self) -> list[dict[str, Any]]:
        return [f for f in self.forms if f["action"].endswith("/publish")]


def browser(api: Api) -> TestClient:
    """A browser of its own: its own cookie jar, over the same application."""
    return TestClient(api.client.app, raise_server_exceptions=False)


def signed_in(api: Api, role: str, scope: str | None = None) -> TestClient:
    client = browser(api)
    response = client.post(
        "/board/login", data={"token": api.token(role, scope)}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return client


def page(client: TestClient, path: str = "/board", **params: str) -> Page:
    response = client.get(path, params=params or None)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return Page(response.text)


def api_json(api: Api, role: str, path: str, **params: str) -> Any:
    response = api.as_(role).get(path, params)
    assert response.status_code == 200, response.text
    return response.json()


# -- signing in ------------------------------------------------------------------------------


def test_the_board_asks_for_a_token_first(march: ParkMonth) -> None:
    response = browser(march.api).get("/board")
    assert response.status_code == 200
    seen = Page(response.text)
    assert "登录督查看板" in seen.text
    assert '<input id="token" name="token" type="password"' in response.text
    assert [f["action"] for f in seen.forms] == ["/board/login"]
    assert "考核排名" not in seen.text


def test_a_bad_token_shows_the_form_again_with_an_error(march: ParkMonth) -> None:
    client = browser(march.api)
    response = client.post("/board/login", data={"token": "not-a-token"}, follow_redirects=False)
    assert response.status_code == 401
    assert "令牌无效或已被吊销" in Page(response.text).text
    assert "set-cookie" not in response.headers
    assert client.post("/board/login", data={}).status_code == 401


def test_a_good_token_is_kept_in_a_strict_http_only_cookie_never_in_the_url(
    march: ParkMonth,
) -> None:
    client = browser(march.api)
    token = march.api.token("supervisor")
    response = client.post("/board/login", data={"token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/board"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"baobao_board={token};")
    assert {"httponly", "samesite=strict", "path=/board"} <= {
        part.strip().lower() for part in cookie.split(";")
    }
    seen = page(client, **MARCH)
    assert "一、2026年3月考核排名" in seen.text
    assert token not in str(client.get("/board").url)


def test_signing_out_clears_the_cookie(march: ParkMonth) -> None:
    client = signed_in(march.api, "leader")
    response = client.post("/board/logout", follow_redirects=False)
    assert response.status_code == 303
    assert 'baobao_board=""' in response.headers["set-cookie"]
    assert "登录督查看板" in page(client).text


def test_an_unknown_or_revoked_cookie_asks_to_sign_in_again(march: ParkMonth) -> None:
    client = browser(march.api)
    client.cookies.set("baobao_board", "revoked-or-made-up", path="/board")
    response = client.get("/board")
    assert response.status_code == 401
    assert "登录已失效" in Page(response.text).text


# -- roles -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "scope"),
    [("hr", None), ("auditor", None), ("unit", "unit"), ("enterprise", "Hengfeng")],
)
def test_roles_other_than_staff_get_a_403_page(
    march: ParkMonth, role: str, scope: str | None
) -> None:
    token = march.api.token(role, march.ids[scope] if scope else None)
    client = browser(march.api)
    response = client.post("/board/login", data={"token": token}, follow_redirects=False)
    assert response.status_code == 403
    assert "无权查看" in Page(response.text).text
    assert "set-cookie" not in response.headers
    client.cookies.set("baobao_board", token, path="/board")
    refused = client.get("/board")
    assert refused.status_code == 403
    assert "考核排名" not in Page(refused.text).text


SECTIONS = {
    "ranking": "一、2026年3月考核排名",
    "deadlines": "二、超期与临期事项",
    "dispatch": "三、2026年调度履职情况",
    "sales": "四、销售增长（目标 +5%）",
    "notices": "五、待发布通报（2026年3月）",
}
# What each role may read through the JSON API, and so on the board.
VISIBLE = {
    "supervisor": {"ranking", "deadlines", "dispatch", "sales", "notices"},
    "leader": {"deadlines", "dispatch", "sales"},
    "admin": {"sales"},
    "clerk": {"sales"},
}


@pytest.mark.parametrize("role", STAFF)
def test_each_role_sees_the_sections_the_api_lets_it_read(march: ParkMonth, role: str) -> None:
    seen = page(signed_in(march.api, role), **MARCH)
    for section, heading in SECTIONS.items():
        assert (heading in seen.text) == (section in VISIBLE[role]), (role, section)
    hidden = len(SECTIONS) - len(VISIBLE[role])
    assert seen.text.count("您的角色不能查看此项") == hidden


def test_the_supervision_office_sees_publish_buttons_and_a_leader_does_not(
    march: ParkMonth,
) -> None:
    drafts = api_json(march.api, "supervisor", "/v1/notices", status="draft", **MARCH)["items"]
    assert drafts
    supervisor = page(signed_in(march.api, "supervisor"), **MARCH)
    forms = supervisor.publish_forms()
    assert sorted(f["action"] for f in forms) == sorted(
        f"/board/notices/{n['id']}/publish" for n in drafts
    )
    assert all(f["button"] == "primary publish" and f["csrf"] for f in forms)
    for role in ("leader", "admin", "clerk"):
        seen = page(signed_in(march.api, role), **MARCH)
        assert seen.publish_forms() == []
        # Like GET /v1/notices, the drafts are for the supervision office, HR and audit.
        assert not any(n["title"] in seen.text for n in drafts)


# -- the figures are the API's ---------------------------------------------------------------


def test_the_ranking_shows_the_apis_scores_grades_and_ranks(march: ParkMonth) -> None:
    seen = page(signed_in(march.api, "supervisor"), **MARCH)
    for kind in ("person", "department"):
        ranked = api_json(march.api, "hr", "/v1/assessments", kind=kind, **MARCH)["items"]
        rows = [(attrs.get("data-guarantor-id"), cells) for attrs, cells in seen.tables[kind][1:]]
        assert [(g, [c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]]) for g, c in rows] == [
            (
                i["guarantor_id"],
                [
                    str(i["rank"]),
                    i["name"],
                    i["score"],
                    i["grade"],
                    *(i["components"][k] or "—" for k in COMPONENT_KEYS),
                    i["deductions"],
                ],
            )
            for i in ranked
        ]
    top = api_json(march.api, "hr", "/v1/assessments", kind="person", **MARCH)["items"][0]
    assert (top["name"], top["score"], top["grade"]) == ("李娜", "100.00", "优秀")


COMPONENT_KEYS = ("sales", "timeliness", "satisfaction", "service")


def test_the_chart_draws_each_months_score_of_the_months_top_people(march: ParkMonth) -> None:
    client = signed_in(march.api, "supervisor")
    response = client.get("/board", params=MARCH)
    assert 'src="/board/charts/scores.svg?period=2026-03"' in response.text
    assert "2026年各月得分走势" in Page(response.text).text
    chart = client.get("/board/charts/scores.svg", params=MARCH)
    assert chart.status_code == 200
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert "李娜 2026年3月：100.00分" in chart.text
    assert "王强 2026年3月：25.50分" in chart.text
    assert chart.text.count("<polyline") == 3  # the people with a score in March
    one = client.get("/board/charts/scores.svg", params={"guarantor": march.ids["张伟"], **MARCH})
    assert "张伟 2026年3月：63.67分" in one.text
    assert "李娜" not in one.text
    assert browser(march.api).get("/board/charts/scores.svg", params=MARCH).status_code == 401


def test_overdue_steps_are_the_supervision_notices_by_unit_and_by_guarantor(
    march: ParkMonth,
) -> None:
    as_of = "2026-04-10T09:00:00+08:00"
    listed = api_json(march.api, "leader", "/v1/notices/supervision", as_of=as_of)["items"]
    assert [i["enterprise"] for i in listed] == ["Qingyuan"]
    seen = page(signed_in(march.api, "leader"), as_of="2026-04-10T09:00", **MARCH)
    (row,) = seen.rows("overdue")
    assert row[:3] == ["Qingyuan", "厂房审批", "办理"]
    assert row[4:6] == ["经济发展局", "王强"]
    hours = listed[0]["overdue_hours"]
    assert row[6].startswith(f"{hours} 小时（")
    assert seen.rows("overdue-by-unit") == [["经济发展局", "1", f"{hours} 小时"]]
    assert seen.rows("overdue-by-guarantor") == [["王强", "1", f"{hours} 小时"]]


def test_a_step_due_within_a_working_day_is_nearly_due(march: ParkMonth) -> None:
    # 厂房审批's handle step is due Thu 2026-03-05 17:30: at 09:00 that day 8.5 hours are left,
    # 6.5 of them office hours (0.9 of a 7-hour working day); a day earlier it is not yet near.
    seen = page(signed_in(march.api, "leader"), as_of="2026-03-05T09:00", **MARCH)
    (row,) = seen.rows("nearly-due")
    assert row[:3] == ["Qingyuan", "厂房审批", "办理"]
    assert row[6] == "8.5 小时（0.9 个工作日）"
    assert seen.rows("overdue") == [["无"]]
    earlier = page(signed_in(march.api, "leader"), as_of="2026-03-04T09:00", **MARCH)
    assert earlier.rows("nearly-due") == [["无"]]


def test_sales_growth_is_the_apis(march: ParkMonth) -> None:
    growth = api_json(march.api, "clerk", "/v1/sales/growth", **MARCH)
    seen = page(signed_in(march.api, "clerk"), **MARCH)
    shown = seen.rows("sales-chains")
    assert shown[0][0] == "园区合计"
    total = float(growth["total"]["growth"]) * 100
    assert shown[0][3] == f"+{total:.2f}%"
    assert shown[1][0] == "新能源汽车"
    chain = api_json(march.api, "clerk", "/v1/sales/growth", chain="新能源汽车", **MARCH)
    assert shown[1][3] == f"+{float(chain['total']['growth']) * 100:.2f}%"


def test_dispatch_slots_of_the_year_are_the_apis(march: ParkMonth) -> None:
    missed = sum(
        item["missed"]
        for month in ("2026-01", "2026-02", "2026-03", "2026-04")
        for item in api_json(march.api, "leader", "/v1/dispatch-compliance", period=month)["items"]
    )
    assert missed == 2
    seen = page(signed_in(march.api, "leader"), **MARCH)
    assert [[r[0], r[1], r[3], r[4]] for r in seen.rows("compliance")] == [
        ["王强", "副组长", "0", "2"]
    ]
    assert "3月1日至3月15日：未召开" in seen.text


# -- publishing ------------------------------------------------------------------------------


def publish(client: TestClient, form: dict[str, Any], **fields: str) -> httpx.Response:
    data = {k: v for k, v in form.items() if k not in ("action", "method", "button")}
    return client.post(form["action"], data={**data, **fields}, follow_redirects=False)


def test_publishing_from_the_board_records_the_notice(api: Api) -> None:
    month = ParkMonth(api).write()
    client = signed_in(api, "supervisor")
    forms = page(client, **MARCH).publish_forms()
    failing = next(
        n
        for n in api_json(api, "supervisor", "/v1/notices", **MARCH)["items"]
        if n["reason"] == "grade_failing" and n["subject"] == month.ids["王强"]
    )
    (form,) = [f for f in forms if f["action"] == f"/board/notices/{failing['id']}/publish"]

    response = publish(client, form)
    assert response.status_code == 303, response.text
    location = urlparse(response.headers["location"])
    assert location.path == "/board"
    assert parse_qs(location.query) == {"period": ["2026-03"], "published": [failing["id"]]}
    after = page(client, **{k: v[0] for k, v in parse_qs(location.query).items()})
    assert f"已发布：{failing['title']}" in after.text
    assert failing["id"] not in [f["action"].split("/")[3] for f in after.publish_forms()]

    published = api_json(api, "supervisor", "/v1/notices", status="published", **MARCH)
    assert [(n["id"], n["status"]) for n in published["items"]] == [(failing["id"], "published")]
    again = publish(client, form)
    assert again.status_code == 409
    assert "已经发布过" in Page(again.text).text


def test_publishing_without_the_sessions_csrf_token_is_refused(sqlite_api: Api) -> None:
    ParkMonth(sqlite_api).write()
    client = signed_in(sqlite_api, "supervisor")
    (form, *_) = page(client, **MARCH).publish_forms()
    with sqlite_api.records_nothing():
        for csrf in ("", "0" * 64):
            response = publish(client, form, csrf=csrf)
            assert response.status_code == 403
            assert "CSRF" in Page(response.text).text
    other = browser(sqlite_api)
    act = Act.now(Actor("test", "admin", "t"), sqlite_api.clock)
    _, token = sqlite_api.services.park.issue_token(act, "督查室 李四", "supervisor", None)
    assert other.post("/board/login", data={"token": token}).status_code == 200
    with sqlite_api.records_nothing():
        assert publish(other, form).status_code == 403  # the CSRF token of another session


def test_only_the_supervision_office_may_publish(sqlite_api: Api) -> None:
    ParkMonth(sqlite_api).write()
    (form, *_) = page(signed_in(sqlite_api, "supervisor"), **MARCH).publish_forms()
    with sqlite_api.records_nothing():
        for role in ("leader", "admin", "clerk"):
            client = signed_in(sqlite_api, role)
            response = publish(client, form)
            assert response.status_code == 403
            assert "只有督查室可以发布通报" in Page(response.text).text
        anonymous = browser(sqlite_api)
        assert publish(anonymous, form).status_code == 401


# -- detail pages ----------------------------------------------------------------------------


def test_a_matters_page_shows_its_timeline(march: ParkMonth) -> None:
    matter_id = march.ids["电力增容"]
    timeline = api_json(march.api, "leader", f"/v1/matters/{matter_id}/timeline")
    client = signed_in(march.api, "leader")
    response = client.get(f"/board/matters/{matter_id}")
    assert response.status_code == 200
    seen = Page(response.text)
    assert "诉求：电力增容" in seen.text
    assert f"办理过程（{len(timeline)} 条记录）" in seen.text
    for name in ("受理", "交办", "办结答复", "企业评价"):
        assert name in seen.text
    assert client.get("/board/matters/not-a-uuid").status_code == 404
    assert client.get(f"/board/matters/{march.ids['Hengfeng']}").status_code == 404


def test_a_scores_page_explains_it(march: ParkMonth) -> None:
    who = march.ids["张伟"]
    explained = api_json(march.api, "hr", f"/v1/assessments/2026-03/guarantors/{who}")
    client = signed_in(march.api, "supervisor")
    response = client.get(f"/board/assessments/2026-03/{who}")
    assert response.status_code == 200
    seen = Page(response.text)
    assert "张伟 · 2026-03 考核得分明细" in seen.text
    assert explained["score"] == "63.67"
    assert seen.rows("components") == [
        [name, str(weight), explained["components"][key] or "—", "是", rule]
        for key, name, weight, rule in (
            ("sales", "销售", 40, explained["explanation"]["components"]["sales"]["rule"]),
            ("timeliness", "时效", 30, "100 × on_time / due"),
            ("satisfaction", "满意度", 20, "100 × (ratings ≥ 3) / ratings"),
            ("service", "服务", 10, "100 × min(1, visits / Σw)"),
        )
    ]
    assert "按时 4 / 到期 5" in seen.text
    missing = client.get(f"/board/assessments/2026-03/{march.ids['Hengfeng']}")
    assert missing.status_code == 404


# -- choices, headers, speed -----------------------------------------------------------------


def test_a_time_in_the_future_or_a_bad_month_is_said_and_now_is_shown(march: ParkMonth) -> None:
    client = signed_in(march.api, "supervisor")
    seen = page(client, as_of="2030-01-01T09:00", period="2026-13")
    assert "所选时间晚于当前时间，已按当前时间显示。" in seen.text
    assert "月份“2026-13”应为“年-月”" in seen.text
    assert "一、2026年4月考核排名" in seen.text


def test_pages_carry_a_strict_content_security_policy(march: ParkMonth) -> None:
    response = signed_in(march.api, "supervisor").get("/board", params=MARCH)
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert "<script" not in response.text
    assert "http://" not in response.text.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_a_page_load_is_well_under_a_second(march: ParkMonth) -> None:
    client = signed_in(march.api, "supervisor")
    page(client, **MARCH)  # the month's scores are computed once per log position and minute
    started = time.perf_counter()
    response = client.get("/board", params=MARCH)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert float(response.headers["server-timing"].split("dur=")[1]) < 1000
    assert elapsed < 1.0
