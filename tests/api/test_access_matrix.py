"""The access matrix: every endpoint × every role × in and out of scope, with the exact status.

`ACCESS` has one entry per operation of /openapi.json (a new endpoint without an entry fails
`test_every_endpoint_has_an_entry_in_the_matrix`). For each entry and each role:

- no token: 401 `unauthorized`;
- a role not listed: 403 `forbidden`;
- a listed role, asking about what is its own: the entry's status (200 for reads; commands are
  sent an empty body, so getting past the gate shows as 422 and nothing is recorded);
- a scoped role (unit, enterprise, guarantor) asking about another's: 404 where the API hides
  existence (`hide`), 403 where it refuses (`refuse`), and lists that leave it out (`filter`).

No error body carries the park's contents (summaries, replies, comments, names), a scoped
role's answers never carry another's, and nothing hr may read carries a matter's contents.
Commands whose rules themselves depend on scope are checked with real bodies at the end.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.audit import make_sealer
from tests.api.conftest import PROBLEM, Api, problem, running_api, sh

ROLES = (
    "admin",
    "clerk",
    "unit",
    "leader",
    "enterprise",
    "supervisor",
    "hr",
    "auditor",
    "guarantor",
)
SCOPED = ("unit", "enterprise", "guarantor")
STAFF = ("admin", "clerk", "leader", "supervisor")
UNKNOWN = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class Access:
    """Who passes an endpoint's role gate, and how scoped roles are kept to their own.

    scope: "open" (nothing of anyone's), "hide" (404 out of scope), "refuse" (403 out of scope,
    `refused` the code), "filter" (a list leaves others' out; `shows` names the id to look for).
    """

    roles: tuple[str, ...]
    scope: str = "open"
    shows: str = ""
    refused: str = ""
    query: dict[str, str] = field(default_factory=dict)
    ok: int = 200
    ids: dict[str, str] = field(default_factory=dict)  # path ids fixed for every role


def command(*roles: str, ok: int = 422, **ids: str) -> Access:
    """A command: an empty body past the gate is 422 (or `ok` for one without a body)."""
    return Access(roles, ok=ok, ids=ids)


MATTER_READERS = (*STAFF, "auditor", "unit", "enterprise", "guarantor")
ENTERPRISE_READERS = (*STAFF, "unit", "guarantor", "enterprise")
REGISTRY_READERS = (*STAFF, "unit", "guarantor", "hr", "auditor")
ASSESSORS = ("hr", "supervisor", "auditor")
PUBLIC = "public"
BOARD = "board"

ACCESS: dict[tuple[str, str], Access | str] = {
    ("get", "/v1/health"): PUBLIC,
    ("get", "/board"): BOARD,
    # enterprises, guarantors, units
    ("post", "/v1/enterprises"): command("admin", "clerk"),
    ("get", "/v1/enterprises"): Access(
        (*STAFF, "unit", "guarantor"), scope="filter", shows="enterprise_id"
    ),
    ("get", "/v1/enterprises/gaps"): Access(("admin", "supervisor")),
    ("get", "/v1/enterprises/{enterprise_id}"): Access(ENTERPRISE_READERS, scope="hide"),
    ("get", "/v1/enterprises/{enterprise_id}/guarantors"): Access(ENTERPRISE_READERS, scope="hide"),
    ("post", "/v1/enterprises/{enterprise_id}/delist"): command("admin"),
    ("post", "/v1/enterprises/{enterprise_id}/relist"): command("admin"),
    ("post", "/v1/enterprises/{enterprise_id}/scale"): command("admin"),
    ("post", "/v1/enterprises/{enterprise_id}/assignments"): command("admin"),
    ("post", "/v1/enterprises/{enterprise_id}/assignments/reassign"): command("admin"),
    ("post", "/v1/assignments/{assignment_id}/release"): command("admin"),
    ("post", "/v1/guarantors"): command("admin"),
    ("get", "/v1/guarantors"): Access(REGISTRY_READERS),
    ("get", "/v1/guarantors/{guarantor_id}"): Access(REGISTRY_READERS),
    ("post", "/v1/units"): command("admin"),
    ("get", "/v1/units"): Access(REGISTRY_READERS),
    # matters
    ("post", "/v1/matters"): command("clerk", "guarantor", "admin"),
    ("get", "/v1/matters"): Access(MATTER_READERS, scope="filter", shows="matter_id"),
    ("get", "/v1/matters/{matter_id}"): Access(MATTER_READERS, scope="hide"),
    ("get", "/v1/matters/{matter_id}/timeline"): Access(MATTER_READERS, scope="hide"),
    ("post", "/v1/matters/{matter_id}/assign"): command("clerk", "admin"),
    ("post", "/v1/matters/{matter_id}/transfer"): command("clerk", "unit", "admin"),
    ("post", "/v1/matters/{matter_id}/extension-requests"): command("unit", "admin"),
    ("post", "/v1/matters/{matter_id}/extension-requests/{request_id}/approve"): command(
        "leader", "admin", ok=404, request_id=UNKNOWN
    ),
    ("post", "/v1/matters/{matter_id}/extension-requests/{request_id}/reject"): command(
        "leader", "admin"
    ),
    ("post", "/v1/matters/{matter_id}/resolve"): command("unit", "admin"),
    ("post", "/v1/matters/{matter_id}/ratings"): command("enterprise", "admin"),
    ("post", "/v1/matters/{matter_id}/withdraw"): command("enterprise", "clerk", "admin"),
    # calendar and policy
    ("post", "/v1/calendars/{year}"): command("admin"),
    ("get", "/v1/calendars/{year}"): Access(ROLES),
    ("post", "/v1/policies"): command("admin"),
    ("get", "/v1/policies"): Access(("admin", "supervisor", "hr", "auditor", "leader")),
    # leading group and dispatch
    ("post", "/v1/leading-group/members"): command("admin"),
    ("get", "/v1/leading-group/members"): Access(("leader", "supervisor", "hr", "admin")),
    ("get", "/v1/leading-group/members/{member_id}"): Access(
        ("leader", "supervisor", "hr", "admin")
    ),
    ("post", "/v1/leading-group/members/{member_id}/end"): command("admin"),
    ("post", "/v1/dispatches"): command("leader", "admin"),
    ("get", "/v1/dispatches"): Access(("leader", "supervisor", "admin")),
    ("get", "/v1/dispatches/{dispatch_id}"): Access(("leader", "supervisor", "admin")),
    ("get", "/v1/dispatch-compliance"): Access(
        ("leader", "supervisor", "hr"), query={"period": "2026-03"}
    ),
    # sales and visits
    ("put", "/v1/enterprises/{enterprise_id}/sales/{month}"): command("clerk", "admin"),
    ("get", "/v1/enterprises/{enterprise_id}/sales"): Access(
        (*STAFF, "hr", "enterprise", "guarantor"), scope="hide"
    ),
    ("get", "/v1/sales/growth"): Access(
        (*STAFF, "hr", "guarantor"),
        scope="filter",
        shows="enterprise_id",
        query={"period": "2026-02"},
    ),
    ("post", "/v1/visits"): command("guarantor", "admin"),
    ("get", "/v1/visits"): Access((*STAFF, "hr", "guarantor"), scope="filter", shows="visit_id"),
    ("get", "/v1/visits/{visit_id}"): Access((*STAFF, "hr", "guarantor"), scope="hide"),
    # notifications, assessments, notices
    ("get", "/v1/notifications"): Access(("supervisor", "admin")),
    ("get", "/v1/assessments"): Access(ASSESSORS, query={"period": "2026-03"}),
    ("get", "/v1/assessments/what-if"): Access(
        ASSESSORS, query={"period": "2026-03", "policy_version": "1"}
    ),
    ("get", "/v1/assessments/{period}/guarantors/{guarantor_id}"): Access(
        (*ASSESSORS, "guarantor"), scope="refuse", refused="not_own_assessment"
    ),
    ("get", "/v1/notices"): Access(ASSESSORS, query={"period": "2026-03"}),
    ("get", "/v1/notices/supervision"): Access(("supervisor", "leader")),
    ("get", "/v1/notices/{notice_id}"): Access(ASSESSORS),
    ("post", "/v1/notices/{notice_id}/publish"): command("supervisor", ok=404, notice_id=UNKNOWN),
    # no-application subsidies (免申即享)
    ("post", "/v1/exhibitions/participations"): command("clerk", "admin"),
    ("post", "/v1/promotions"): command("clerk", "admin"),
    ("post", "/v1/entitlements/{entitlement_id}/approve"): command(
        "leader", "admin", ok=404, entitlement_id=UNKNOWN
    ),
    ("get", "/v1/entitlements"): Access(
        (*STAFF, "enterprise"), scope="hide", query={"enterprise_id": "{enterprise_id}"}
    ),
    # audit
    ("get", "/v1/audit/events"): Access(("auditor",)),
    ("get", "/v1/audit/verify"): Access(("auditor",)),
    ("get", "/v1/audit/checkpoints/latest"): Access(("auditor",)),
    ("get", "/v1/projections"): Access(("admin", "auditor")),
}


@dataclass
class Park:
    """The park the matrix runs against: its ids in and out of each scoped role's scope."""

    api: Api
    inside: dict[str, str]  # path parameter → an id the scoped roles may see
    outside: dict[str, str]  # path parameter → an id of another unit, enterprise or guarantor
    scopes: dict[str, str]
    contents: list[str]  # matter contents: summaries, replies, comments
    others: list[str]  # what scoped roles must never read: the other side's contents and names
    names: list[str]  # names of enterprises and units
    cells: int = 0


def build(api: Api) -> Park:
    """Enterprise a (unit one, guarantor p) is in scope; enterprise b (unit two, q) is not."""
    secret = {k: f"{k}-{uuid.uuid4().hex[:8]}" for k in ("a1", "b2", "a0", "r", "reply", "rated")}
    a = api.enterprise("亳州恒丰汽车零部件有限公司")
    b = api.enterprise("亳州华信药业有限公司", chain="现代中药")
    one, two = api.unit("经济发展局"), api.unit("自然资源和规划局")
    p, q = api.guarantor(name="张伟"), api.guarantor(name="李娜")
    admin = api.admin
    assignment = ""
    for enterprise, person in ((a, p), (b, q)):
        lead = {"guarantor_id": person["id"], "role": "lead_leader", "effective_from": "2026-01-01"}
        response = admin.post(f"/v1/enterprises/{enterprise['id']}/assignments", lead)
        assert response.status_code == 201, response.text
        assignment = assignment or response.json()["id"]
    a1 = api.assign(api.matter(a["id"], summary=f"厂区道路积水 {secret['a1']}")["id"], one["id"])
    b2 = api.assign(api.matter(b["id"], summary=f"用地指标 {secret['b2']}")["id"], two["id"])
    api.matter(a["id"], summary=f"用电增容 {secret['a0']}")
    resolved = api.assign(api.matter(a["id"], summary=f"人才招聘 {secret['r']}")["id"], one["id"])
    reply = {"reply": f"已协调 {secret['reply']}"}
    done = api.unit_session(one["id"]).post(f"/v1/matters/{resolved['id']}/resolve", reply)
    assert done.status_code == 200, done.text
    rating = {"level": 4, "comment": f"满意 {secret['rated']}"}
    rated = api.enterprise_session(a["id"]).post(f"/v1/matters/{resolved['id']}/ratings", rating)
    assert rated.status_code == 201, rated.text
    extension = api.unit_session(one["id"]).post(
        f"/v1/matters/{a1['id']}/extension-requests",
        {"requested_deadline": "2026-03-10T17:30:00+08:00", "reason": "需省级部门审批"},
    )
    assert extension.status_code == 201, extension.text
    member = admin.post(
        "/v1/leading-group/members",
        {"person_id": p["id"], "role": "group_leader", "effective_from": "2026-01-01"},
    )
    assert member.status_code == 201, member.text
    api.clock.set(sh(2026, 3, 2, 11, 0))
    dispatch = api.leader.post(
        "/v1/dispatches",
        {
            "convener_id": p["id"],
            "kind": "scheduled",
            "held_at": "2026-03-02T10:00:00+08:00",
            "enterprise_ids": [a["id"]],
            "matter_ids": [a1["id"]],
            "directives": [],
        },
    )
    assert dispatch.status_code == 201, dispatch.text
    visits = {}
    for enterprise, person in ((a, p), (b, q)):
        visit = api.as_("guarantor", person["id"]).post(
            "/v1/visits",
            {
                "guarantor_id": person["id"],
                "enterprise_id": enterprise["id"],
                "kind": "visit",
                "visited_at": "2026-03-02T10:30:00+08:00",
            },
        )
        assert visit.status_code == 201, visit.text
        visits[person["id"]] = visit.json()["id"]
    for enterprise in (a, b):
        for month, amount in (("2025-01", "1000000.00"), ("2025-02", "1000000.00")):
            for year_month in (month, f"2026-{month[5:]}"):
                response = api.client.put(
                    f"/v1/enterprises/{enterprise['id']}/sales/{year_month}",
                    json={"amount": amount, "source": "tax"},
                    headers=api.clerk.headers(None),
                )
                assert response.status_code == 200, response.text
    calendar = admin.post(
        "/v1/calendars/2026", {"holidays": ["2026-04-05"], "workdays": [], "source": "国办发明电"}
    )
    assert calendar.status_code == 201, calendar.text
    make_sealer(api.services).catch_up()
    # Three weeks on: a0's assignment step is long overdue, so March has a criticism to read.
    api.clock.set(sh(2026, 3, 23, 9, 0))
    notices = api.as_("supervisor").get("/v1/notices", {"period": "2026-03"}).json()["items"]
    assert notices, "the park drafts no notice to read"
    common = {
        "assignment_id": assignment,
        "request_id": extension.json()["id"],
        "member_id": member.json()["id"],
        "dispatch_id": dispatch.json()["id"],
        "notice_id": notices[0]["id"],
        "year": "2026",
        "month": "2026-02",
        "period": "2026-03",
    }
    inside = {
        **common,
        "enterprise_id": a["id"],
        "matter_id": a1["id"],
        "guarantor_id": p["id"],
        "visit_id": visits[p["id"]],
    }
    outside = {
        **common,
        "enterprise_id": b["id"],
        "matter_id": b2["id"],
        "guarantor_id": q["id"],
        "visit_id": visits[q["id"]],
    }
    return Park(
        api,
        inside,
        outside,
        scopes={"unit": one["id"], "enterprise": a["id"], "guarantor": p["id"]},
        contents=list(secret.values()),
        others=[secret["b2"], b["name"]],
        names=[a["name"], b["name"], one["name"], two["name"]],
    )


@pytest.fixture(scope="module")
def park(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Park]:
    folder: Path = tmp_path_factory.mktemp("matrix")
    with running_api(f"sqlite:///{folder}/api.db", folder) as api:
        built = build(api)
        yield built
        print(f"\naccess matrix: {len(ACCESS)} endpoints, {built.cells} cells")  # shown with -s


def fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)


def fill_query(query: dict[str, str], ids: dict[str, str]) -> dict[str, str]:
    return {name: fill(value, ids) for name, value in query.items()}


def send(
    park: Park, method: str, path: str, role: str | None, query: dict[str, str]
) -> httpx.Response:
    headers = {}
    if role is not None:
        token = park.api.token(role, park.scopes.get(role))
        headers["Authorization"] = f"Bearer {token}"
    body = {} if method in ("post", "put") else None
    park.cells += 1
    return park.api.client.request(method.upper(), path, params=query, json=body, headers=headers)


def leaks(response: httpx.Response, secrets: list[str]) -> list[str]:
    text = json.dumps(response.json(), ensure_ascii=False) if _is_json(response) else response.text
    return [s for s in secrets if s in text]


def _is_json(response: httpx.Response) -> bool:
    content_type = response.headers.get("content-type", "")
    return content_type.startswith(("application/json", PROBLEM))


def check_role(park: Park, method: str, template: str, access: Access, role: str) -> None:
    """One role's cells of one endpoint: in scope, and for scoped roles out of scope."""
    where = f"{method.upper()} {template} as {role}"
    inside = {**park.inside, **access.ids}
    response = send(park, method, fill(template, inside), role, fill_query(access.query, inside))
    if role not in access.roles:
        body = problem(response, 403, "forbidden")
        assert not leaks(response, park.contents + park.names), (where, body)
        return
    assert response.status_code == access.ok, (where, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith(PROBLEM), where
        assert not leaks(response, park.contents + park.names), (where, response.text)
    if role == "hr" and method == "get":
        assert not leaks(response, park.contents), (where, "hr reads matter contents")
    if role not in SCOPED:
        return
    assert not leaks(response, park.others), (where, "another's contents", response.text[:500])
    if access.scope == "filter":
        text = response.text
        assert park.inside[access.shows] in text, (where, "its own is missing")
        assert park.outside[access.shows] not in text, (where, "another's is listed")
    elif access.scope in ("hide", "refuse"):
        outside = {**park.outside, **access.ids}
        query = fill_query(access.query, outside)
        out = send(park, method, fill(template, outside), role, query)
        if access.scope == "hide":
            problem(out, 404, "not_found")
        else:
            problem(out, 403, access.refused)
        assert not leaks(out, park.contents + park.names), (where, "out of scope", out.text)


@pytest.fixture(scope="module")
def openapi_operations(park: Park) -> set[tuple[str, str]]:
    document = park.api.client.get("/openapi.json").json()
    return {
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_every_endpoint_has_an_entry_in_the_matrix(openapi_operations: set[Any]) -> None:
    assert sorted(openapi_operations - ACCESS.keys()) == [], "endpoints with no access entry"
    assert sorted(ACCESS.keys() - openapi_operations) == [], "entries for no endpoint"


@pytest.mark.parametrize(("method", "template"), sorted(ACCESS), ids=str)
def test_access_matrix(park: Park, method: str, template: str) -> None:
    access = ACCESS[(method, template)]
    with park.api.records_nothing():
        if access == PUBLIC:
            assert send(park, method, template, None, {}).status_code == 200
            return
        if access == BOARD:
            anonymous = send(park, method, template, None, {})
            assert anonymous.status_code == 200
            assert anonymous.headers["content-type"].startswith("text/html")
            assert not leaks(anonymous, park.contents + park.names), "the sign-in page leaks"
            return
        assert isinstance(access, Access)
        inside = {**park.inside, **access.ids}
        query = fill_query(access.query, inside)
        unauthorized = send(park, method, fill(template, inside), None, query)
        problem(unauthorized, 401, "unauthorized")
        assert unauthorized.headers["WWW-Authenticate"] == "Bearer"
        for role in ROLES:
            check_role(park, method, template, access, role)


def test_hr_reads_no_matter_contents_in_notices(park: Park) -> None:
    hr = park.api.as_("hr")
    notices = hr.get("/v1/notices", {"period": "2026-03"})
    assert notices.status_code == 200, notices.text
    assert notices.json()["items"], "no notice to read"
    assert not leaks(notices, park.contents)
    for notice in notices.json()["items"]:
        one = hr.get(f"/v1/notices/{notice['id']}")
        assert one.status_code == 200
        assert not leaks(one, park.contents), notice["body"]


def test_hr_sees_visits_without_the_matters_summaries(park: Park) -> None:
    guarantor = park.api.as_("guarantor", park.scopes["guarantor"])
    visit = {
        "guarantor_id": park.scopes["guarantor"],
        "enterprise_id": park.inside["enterprise_id"],
        "kind": "tea_talk",
        "visited_at": "2026-03-23T08:30:00+08:00",
        "problems": [{"summary": "融资需求 hr-must-not-read", "category": "金融"}],
    }
    recorded = guarantor.post("/v1/visits", visit)
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["problems"][0]["summary"] == "融资需求 hr-must-not-read"
    hr = park.api.as_("hr")
    listed = hr.get("/v1/visits")
    one = hr.get(f"/v1/visits/{recorded.json()['id']}")
    for response in (listed, one):
        assert response.status_code == 200, response.text
        assert "hr-must-not-read" not in response.text
    assert one.json()["problems"] == [
        {"summary": None, "category": "金融", "matter_id": recorded.json()["matter_ids"][0]}
    ]


# -- commands whose rules depend on scope: real bodies, a fresh park each --------------------


@pytest.fixture
def two_sides(sqlite_api: Api) -> dict[str, Any]:
    """Enterprise a with unit one and guarantor p; enterprise b with unit two; matters of each."""
    api = sqlite_api
    a, b = api.enterprise("亳州恒丰汽车零部件有限公司"), api.enterprise("亳州华信药业有限公司")
    one, two = api.unit("经济发展局"), api.unit("自然资源和规划局")
    p, q = api.guarantor(name="张伟"), api.guarantor(name="李娜")
    lead = {"guarantor_id": p["id"], "role": "lead_leader", "effective_from": "2026-01-01"}
    assert api.admin.post(f"/v1/enterprises/{a['id']}/assignments", lead).status_code == 201
    a1 = api.assign(api.matter(a["id"], summary="厂区道路积水 a-secret")["id"], one["id"])
    b2 = api.assign(api.matter(b["id"], summary="用地指标 b-secret")["id"], two["id"])
    return {"api": api, "a": a, "b": b, "one": one, "two": two, "p": p, "q": q, "a1": a1, "b2": b2}


UNIT_COMMANDS = [
    ("transfer", {"unit_id": "{two}", "reason": "职能调整"}, 200),
    (
        "extension-requests",
        {"requested_deadline": "2026-03-10T17:30:00+08:00", "reason": "需审批"},
        201,
    ),
    ("resolve", {"reply": "已办结"}, 200),
]


@pytest.mark.parametrize(("action", "body", "status"), UNIT_COMMANDS, ids=lambda v: str(v)[:20])
def test_unit_acts_only_on_the_matters_it_holds(
    two_sides: dict[str, Any], action: str, body: dict[str, str], status: int
) -> None:
    api: Api = two_sides["api"]
    one = api.unit_session(two_sides["one"]["id"])
    payload = {k: v.replace("{two}", two_sides["two"]["id"]) for k, v in body.items()}
    other = two_sides["b2"]["id"]
    with api.records_nothing():
        refused = problem(
            one.post(f"/v1/matters/{other}/{action}", payload), 403, "not_holding_unit"
        )
    assert two_sides["two"]["id"] not in json.dumps(refused)
    assert "b-secret" not in json.dumps(refused)
    api.resolve(other, two_sides["two"]["id"])  # its state is not told either
    with api.records_nothing():
        problem(one.post(f"/v1/matters/{other}/{action}", payload), 403, "not_holding_unit")
        problem(one.post(f"/v1/matters/{UNKNOWN}/{action}", payload), 404, "not_found")
    own = one.post(f"/v1/matters/{two_sides['a1']['id']}/{action}", payload)
    assert own.status_code == status, own.text


@pytest.mark.parametrize(
    ("action", "body", "status"),
    [("ratings", {"level": 5}, 201), ("withdraw", {"reason": "企业撤回"}, 200)],
)
def test_enterprise_acts_only_on_its_own_matters(
    two_sides: dict[str, Any], action: str, body: dict[str, Any], status: int
) -> None:
    api: Api = two_sides["api"]
    a = api.enterprise_session(two_sides["a"]["id"])
    other, own = two_sides["b2"]["id"], two_sides["a1"]["id"]
    if action == "ratings":
        api.resolve(other, two_sides["two"]["id"])
        api.resolve(own, two_sides["one"]["id"])
    with api.records_nothing():
        refused = problem(a.post(f"/v1/matters/{other}/{action}", body), 403, "not_own_enterprise")
        problem(a.post(f"/v1/matters/{UNKNOWN}/{action}", body), 404, "not_found")
    assert "b-secret" not in json.dumps(refused)
    response = a.post(f"/v1/matters/{own}/{action}", body)
    assert response.status_code == status, response.text


def test_guarantor_takes_in_and_visits_only_its_own_enterprises(two_sides: dict[str, Any]) -> None:
    api: Api = two_sides["api"]
    p = two_sides["p"]["id"]
    session = api.as_("guarantor", p)
    intake = {"summary": "走访发现用地问题", "category": "要素保障", "channel": "visit"}
    visit = {"guarantor_id": p, "kind": "visit", "visited_at": "2026-03-02T08:30:00+08:00"}
    other, own = two_sides["b"]["id"], two_sides["a"]["id"]
    with api.records_nothing():
        intake_refused = session.post("/v1/matters", {**intake, "enterprise_id": other})
        visit_refused = session.post("/v1/visits", {**visit, "enterprise_id": other})
        problem(intake_refused, 409, "not_guarantor")
        assert two_sides["b"]["name"] not in intake_refused.text
        problem(visit_refused, 409, "not_guarantor")  # names both, as the visit policy reads
        as_another = {**visit, "enterprise_id": own, "guarantor_id": two_sides["q"]["id"]}
        problem(session.post("/v1/visits", as_another), 403, "not_own_visit")
    assert session.post("/v1/matters", {**intake, "enterprise_id": own}).status_code == 201
    assert session.post("/v1/visits", {**visit, "enterprise_id": own}).status_code == 201
