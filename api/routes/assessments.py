"""Assessments (考核): scores, grades, rankings, explanations and what-if."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response

from api.as_of import as_of as past
from api.assessment_models import AssessmentPage, AssessmentPublic, Components, ExplanationPublic
from api.csv_export import csv_openapi, csv_response, wants_csv
from api.deps import Cursor, Limit, MinPosition, ServicesDep, allow
from api.errors import forbidden, not_found
from api.models import BusinessTime
from api.read_cache import json_bytes, json_response
from api.services import Caller, Services
from domain.period import Period
from domain.scoring import COMPONENTS, Score, decimal
from projections.assessment import Ranked
from projections.queries import decode_cursor, encode_cursor

router = APIRouter(tags=["assessments"])

READERS = ("hr", "supervisor", "auditor")
PeriodText = Annotated[str, Query(max_length=10, description="yyyy-mm, yyyy-Qn or yyyy")]
Kind = Annotated[Literal["person", "department"] | None, Query(description="People or departments")]
CSV_HEADER = ("排名", "包保人", "类别", "得分", "等次", "销售", "时效", "满意度", "服务", "扣分")


def scored(
    svc: Services,
    period: Period,
    policy_version: int | None,
    min_position: int | None,
    as_of: datetime | None = None,
) -> Ranked:
    """Scores now, or as the system would have shown them at a recorded time."""
    if as_of is not None:
        with past(svc, as_of) as then:
            return then.assessor.ranked(period, as_of, then.position, policy_version)
    position = svc.settle(min_position)
    return svc.assessor.ranked(period, svc.clock(), position, policy_version)


AsOf = Annotated[
    BusinessTime | None,
    Query(description="A recorded time: the answer the system would have given then"),
]


def public(s: Score) -> AssessmentPublic:
    return AssessmentPublic(
        guarantor_id=UUID(s.guarantor.id),
        name=s.guarantor.name,
        kind=s.guarantor.kind,
        period=s.period,
        policy_version=s.policy_version,
        score=None if s.score is None else str(s.score),
        grade=s.grade,
        rank=s.rank,
        components=Components(**{k: decimal(s.values.get(k), 2) for k in COMPONENTS}),
        deductions=decimal(s.deduction_points, 2) or "0.00",
    )


def ranked_order(scores: list[Score], kind: str | None) -> list[Score]:
    chosen = [s for s in scores if kind is None or s.guarantor.kind == kind]
    chosen.sort(key=lambda s: (s.guarantor.kind, s.rank or 10**9, s.guarantor.name, s.guarantor.id))
    return chosen


def page_of(
    ranked: Ranked,
    period: Period,
    kind: str | None,
    policy_version: int | None,
    limit: int,
    start: int,
) -> AssessmentPage:
    """`limit` rows of the ranking from `start`, people and departments ranked apart."""
    chosen = ranked.draw(("order", kind), lambda: ranked_order(ranked.scores, kind))
    more = start + limit < len(chosen)
    return AssessmentPage(
        period=str(period),
        kind=kind,
        policy_version=policy_version,
        items=[public(s) for s in chosen[start : start + limit]],
        next_cursor=encode_cursor(start + limit - 1) if more else None,
    )


def ranking(
    ranked: Ranked,
    period: Period,
    kind: str | None,
    policy_version: int | None,
    limit: int,
    cursor: str | None,
    accept: str | None,
) -> Response:
    """A page of the ranking (drawn once for the scores it shows), or all of it as CSV."""
    if wants_csv(accept):
        items = [public(s) for s in ranked_order(ranked.scores, kind)]
        rows = (
            (
                i.rank,
                i.name,
                "个人" if i.kind == "person" else "部门",
                i.score,
                i.grade,
                i.components.sales,
                i.components.timeliness,
                i.components.satisfaction,
                i.components.service,
                i.deductions,
            )
            for i in items
        )
        return csv_response(CSV_HEADER, rows, f"assessments-{period}.csv")
    start = decode_cursor(cursor) + 1
    key = ("page", str(period), kind, policy_version, start, limit)
    return json_response(
        ranked.draw(
            key, lambda: json_bytes(page_of(ranked, period, kind, policy_version, limit, start))
        )
    )


@router.get(
    "/v1/assessments", response_model=AssessmentPage, responses=csv_openapi(",".join(CSV_HEADER))
)
def assessments(
    request: Request,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow(*READERS))],
    period: PeriodText,
    kind: Kind = None,
    limit: Limit = 100,
    cursor: Cursor = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
    min_position: MinPosition = None,
    as_of: AsOf = None,
) -> Any:
    """The ranking for a month, quarter or year: people and departments ranked separately,
    each month scored under the policy in force for it. `Accept: text/csv` gives a CSV file."""
    parsed = Period.parse(period)
    scores = scored(svc, parsed, None, min_position, as_of)
    response = ranking(scores, parsed, kind, None, limit, cursor, accept)
    if as_of is None and not wants_csv(accept):
        keep(request, svc, caller, scores, response, min_position)
    return response


def keep(
    request: Request,
    svc: Services,
    caller: Caller,
    ranked: Ranked,
    sent: Response,
    min_position: int | None,
) -> None:
    """Let the same request from the same caller be answered with these bytes before routing,
    while the log stays at the scores' position and the clock has not moved past them."""
    if ranked.position is not None:
        body = bytes(sent.body)
        svc.fast.keep(request, caller.id, ranked.position, body, ranked.until, min_position)


@router.get(
    "/v1/assessments/what-if",
    response_model=AssessmentPage,
    responses=csv_openapi(",".join(CSV_HEADER)),
)
def what_if(
    svc: ServicesDep,
    _: Annotated[Caller, Depends(allow(*READERS))],
    period: PeriodText,
    policy_version: Annotated[int, Query(ge=1, le=10_000)],
    kind: Kind = None,
    limit: Limit = 100,
    cursor: Cursor = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
    min_position: MinPosition = None,
) -> Any:
    """The same ranking with every month scored under another policy version; nothing changes."""
    parsed = Period.parse(period)
    scores = scored(svc, parsed, policy_version, min_position)
    return ranking(scores, parsed, kind, policy_version, limit, cursor, accept)


@router.get("/v1/assessments/{period}/guarantors/{guarantor_id}", response_model=ExplanationPublic)
def explanation(
    request: Request,
    period: Annotated[str, Path(max_length=10, description="yyyy-mm, yyyy-Qn or yyyy")],
    guarantor_id: UUID,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow(*READERS, "guarantor"))],
    policy_version: Annotated[
        int | None, Query(ge=1, le=10_000, description="What-if policy")
    ] = None,
    min_position: MinPosition = None,
    as_of: AsOf = None,
) -> Response:
    """One guarantor's score with every input of every component and the events behind them."""
    ranked, s = explained(svc, caller, period, guarantor_id, policy_version, min_position, as_of)
    key = ("explanation", s.period, s.guarantor.id)
    response = json_response(ranked.draw(key, lambda: json_bytes(explanation_of(s))))
    if as_of is None:
        keep(request, svc, caller, ranked, response, min_position)
    return response


def explained(
    svc: Services,
    caller: Caller,
    period: str,
    guarantor_id: UUID,
    policy_version: int | None = None,
    min_position: int | None = None,
    as_of: datetime | None = None,
) -> tuple[Ranked, Score]:
    """The guarantor's score among the period's scores, if the caller may read it."""
    if caller.role == "guarantor" and caller.scope != str(guarantor_id):
        raise forbidden("a guarantor may read only its own assessment", "not_own_assessment")
    parsed = Period.parse(period)
    ranked = scored(svc, parsed, policy_version, min_position, as_of)
    found = ranked.by_id.get(str(guarantor_id))
    if found is None:
        raise not_found(f"no assessment of guarantor {guarantor_id} for {parsed}: nothing to count")
    return ranked, found


def explanation_of(s: Score) -> ExplanationPublic:
    return ExplanationPublic(**public(s).model_dump(), explanation=s.explanation)
