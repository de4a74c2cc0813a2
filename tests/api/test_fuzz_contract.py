"""Contract fuzzing: schemathesis sends every operation of /openapi.json with each role's token.

For every response: no 5xx, the status is documented for the operation, the body conforms to
the documented schema and content type, and every error is problem+json with `type`, `title`,
`status`, `detail` and `code`. Cases are generated from the schema (valid and invalid input);
path ids are half the time ids of a small park, so that the operations get past "not found".
Examples are bounded (`EXAMPLES` per operation per role) and derandomised, so a run is
repeatable and takes a couple of minutes on SQLite.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import PROBLEM, Api, running_api, sh

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
EXAMPLES = 10  # per operation per role
CHECKS: list[Any] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
PROBLEM_FIELDS = {"type": str, "title": str, "status": int, "detail": str, "code": str}


@dataclass
class Fuzzed:
    """The app under fuzzing, its schema, the park's ids and the tokens of each role."""

    api: Api
    schema: Any
    ids: dict[str, list[str]]
    tokens: dict[str, str]
    examples: Counter[tuple[str, str]] = field(default_factory=Counter)


def seed(api: Api) -> dict[str, list[str]]:
    """A small park: enterprises, units, guarantors, matters in each state, a dispatch, a visit."""
    a = api.enterprise("亳州恒丰汽车零部件有限公司")
    b = api.enterprise("亳州华信药业有限公司", chain="现代中药")
    one, two = api.unit("经济发展局"), api.unit("自然资源和规划局")
    person = api.guarantor(name="张伟")
    department = api.guarantor(kind="department", name="经济发展局")
    admin = api.admin
    lead = {"guarantor_id": person["id"], "role": "lead_leader", "effective_from": "2026-01-01"}
    assignment = admin.post(f"/v1/enterprises/{a['id']}/assignments", lead).json()
    admin.post(
        f"/v1/enterprises/{a['id']}/assignments",
        {"guarantor_id": department["id"], "role": "department", "effective_from": "2026-01-01"},
    )
    a1 = api.assign(api.matter(a["id"])["id"], one["id"])
    b2 = api.assign(api.matter(b["id"])["id"], two["id"])
    a0 = api.matter(a["id"])
    resolved = api.assign(api.matter(a["id"])["id"], one["id"])
    api.resolve(resolved["id"], one["id"])
    extension = api.unit_session(one["id"]).post(
        f"/v1/matters/{a1['id']}/extension-requests",
        {"requested_deadline": "2026-03-10T17:30:00+08:00", "reason": "需省级部门审批"},
    )
    member = admin.post(
        "/v1/leading-group/members",
        {"person_id": person["id"], "role": "group_leader", "effective_from": "2026-01-01"},
    ).json()
    api.clock.set(sh(2026, 3, 2, 11, 0))
    dispatch = api.leader.post(
        "/v1/dispatches",
        {
            "convener_id": person["id"],
            "kind": "scheduled",
            "held_at": "2026-03-02T10:00:00+08:00",
            "enterprise_ids": [a["id"]],
            "matter_ids": [a1["id"]],
            "directives": [{"enterprise_id": a["id"], "summary": "协调用地", "unit_id": one["id"]}],
        },
    ).json()
    visit = (
        api.as_("guarantor", person["id"])
        .post(
            "/v1/visits",
            {
                "guarantor_id": person["id"],
                "enterprise_id": a["id"],
                "kind": "visit",
                "visited_at": "2026-03-02T10:30:00+08:00",
                "problems": [{"summary": "用电增容", "category": "要素保障"}],
            },
        )
        .json()
    )
    for month, amount in (("2025-01", "1000000.00"), ("2026-01", "1100000.00")):
        api.client.put(
            f"/v1/enterprises/{a['id']}/sales/{month}",
            json={"amount": amount, "source": "tax"},
            headers=api.clerk.headers(None),
        )
    notices = api.as_("supervisor").get("/v1/notices", {"period": "2026-03"}).json()["items"]
    return {
        "enterprise_id": [a["id"], b["id"]],
        "unit_id": [one["id"], two["id"]],
        "guarantor_id": [person["id"], department["id"]],
        "person_id": [person["id"]],
        "convener_id": [person["id"]],
        "matter_id": [a1["id"], b2["id"], a0["id"], resolved["id"]],
        "assignment_id": [assignment["id"]],
        "request_id": [extension.json()["id"]],
        "member_id": [member["id"]],
        "dispatch_id": [dispatch["id"]],
        "visit_id": [visit["id"]],
        "notice_id": [n["id"] for n in notices] or [person["id"]],
        "year": ["2026", "2027"],
        "month": ["2026-02", "2026-03"],
        "period": ["2026-03", "2026-Q1", "2026"],
    }


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    with running_api(f"sqlite:///{folder}/api.db", folder) as api:
        ids = seed(api)
        scopes = {
            "unit": ids["unit_id"][0],
            "enterprise": ids["enterprise_id"][0],
            "guarantor": ids["guarantor_id"][0],
        }
        tokens = {role: api.token(role, scopes.get(role)) for role in ROLES}
        schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
        fuzzed = Fuzzed(api, schema, ids, tokens)
        yield fuzzed
        labels = {label for _, label in fuzzed.examples}
        print(  # shown with -s: the counts of the run
            f"\nfuzzed {len(labels)} operations as {len(ROLES)} roles: "
            f"{sum(fuzzed.examples.values())} examples"
        )


def operations(schema: Any) -> list[Any]:
    found = [result.ok() for result in schema.get_all_operations()]
    assert found, "the schema has no operations"
    return found


def strategy(operation: Any, ids: dict[str, list[str]]) -> st.SearchStrategy[Any]:
    """Generated cases, valid and invalid; half of them with path ids of the park."""
    generated = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )
    names = [p.name for p in operation.path_parameters]
    if not names or not all(n in ids for n in names):
        return generated
    known = st.fixed_dictionaries({n: st.sampled_from(ids[n]) for n in names}).flatmap(
        lambda values: operation.as_strategy(path_parameters=values)
    )
    return st.one_of(generated, known)


def problem_failure(response: Any) -> str | None:
    """What is wrong with an error response, if it is not a complete problem+json."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    if not content_type.startswith(PROBLEM):
        return f"{response.status_code} is {content_type!r}, not {PROBLEM}"
    body = response.json()
    wrong = [k for k, kind in PROBLEM_FIELDS.items() if not isinstance(body.get(k), kind)]
    if wrong or body["status"] != response.status_code:
        return f"{response.status_code} problem lacks or mistypes {wrong}: {body}"
    return None


def fuzz(fuzzed: Fuzzed, role: str, operation: Any, failures: dict[str, str]) -> None:
    token = fuzzed.tokens[role]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy(operation, fuzzed.ids))
    def run(case: Any) -> None:
        fuzzed.examples[(role, operation.label)] += 1
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
        response = case.call()
        try:
            case.validate_response(response, checks=CHECKS)
        except (FailureGroup, Failure) as error:  # kept with its case, reported at the end
            failures.setdefault(f"{operation.label} [schema]", f"{error}\n{case.as_curl_command()}")
        wrong = problem_failure(response) if operation.path.startswith("/v1/") else None
        if wrong is not None:  # the HTML board answers in HTML
            failures.setdefault(f"{operation.label} [problem]", wrong)

    run()


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_keeps_its_contract_for_each_role(fuzzed: Fuzzed, role: str) -> None:
    failures: dict[str, str] = {}
    ops = operations(fuzzed.schema)
    for operation in ops:
        fuzz(fuzzed, role, operation, failures)
    unfuzzed = [op.label for op in ops if fuzzed.examples[(role, op.label)] == 0]
    assert unfuzzed == [], f"not fuzzed as {role}: {unfuzzed}"
    report = "\n\n".join(f"{where}\n{what}" for where, what in sorted(failures.items()))
    assert not failures, f"{len(failures)} contract failure(s) as {role}:\n\n{report}"
