"""Service visits (走访, 四送一服, 畅聊下午茶) and the matters they open (SPEC §7)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from api.deps import (
    STAFF,
    AppDep,
    Cursor,
    Limit,
    MinPosition,
    RequestId,
    ServicesDep,
    allow,
    make_act,
    versioned,
)
from api.errors import forbidden, not_found
from api.models import MONTH_PATTERN, BusinessTime, Page
from api.services import Caller
from api.visit_models import CreateVisitRequest, VisitPublic
from domain.base import require_aware
from domain.sales import parse_month
from domain.visit import VisitProblem
from projections.queries import Filter
from projections.visits import epoch_us, visit_doc

router = APIRouter(tags=["visits"])

VISIT_READERS = (*STAFF, "hr", "guarantor")


def visit_public(caller: Caller, doc: dict[str, Any]) -> VisitPublic:
    """A visit as the caller may read it: hr sees the problems, not the matters' summaries."""
    visit = VisitPublic.model_validate(doc)
    if caller.role == "hr":
        for problem in visit.problems:
            problem.summary = None
    return visit


@router.post("/v1/visits", status_code=201, response_model=VisitPublic)
def record_visit(
    body: CreateVisitRequest,
    app: AppDep,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow("guarantor", "admin"))],
    req: RequestId,
    response: Response,
) -> VisitPublic:
    """Record a visit to an enterprise the guarantor guaranteed that day; problems become matters.

    The visit is recorded now; `visited_at` is when it took place (up to 30 days ago for a
    guarantor, any past time for an admin). Each problem found opens a matter (channel `visit`)
    received now, in the same transaction as the visit.
    """
    act = make_act(svc, caller, req, body.occurred_at)
    problems = [VisitProblem(p.summary, p.category) for p in body.problems]
    visit, _ = app.record_visit(
        act,
        body.guarantor_id,
        body.enterprise_id,
        body.kind,
        body.visited_at,
        body.notes or "",
        problems,
    )
    versioned(response, visit.version, app.log_head())
    response.headers["Location"] = f"/v1/visits/{visit.id}"
    return VisitPublic.model_validate(visit_doc(visit))


@router.get("/v1/visits", response_model=Page[VisitPublic])
def list_visits(
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow(*VISIT_READERS))],
    guarantor_id: UUID | None = None,
    enterprise_id: UUID | None = None,
    period: Annotated[
        str | None,
        Query(pattern=MONTH_PATTERN, description="yyyy-mm: visits that took place that month"),
    ] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
    as_of: Annotated[
        BusinessTime | None, Query(description="Recorded time: what the system showed then")
    ] = None,
    min_position: MinPosition = None,
) -> Page[VisitPublic]:
    """Visits in the order they were recorded; a guarantor sees its own."""
    filters = []
    if caller.role == "guarantor":
        if guarantor_id is not None and str(guarantor_id) != caller.scope:
            raise forbidden("a guarantor sees only its own visits", "not_own_visit")
        filters.append(Filter("guarantor_id=?", (caller.scope,)))
    if guarantor_id is not None:
        filters.append(Filter("guarantor_id=?", (str(guarantor_id),)))
    if enterprise_id is not None:
        filters.append(Filter("enterprise_id=?", (str(enterprise_id),)))
    if period is not None:
        year, month = parse_month(period)
        following = f"{year + month // 12:04d}-{month % 12 + 1:02d}"
        filters.append(Filter("visited_at>=? AND visited_at<?", (period, following)))
    if as_of is not None:
        require_aware(as_of, "as_of")
        filters.append(Filter("recorded_us<=?", (epoch_us(as_of),)))
    svc.settle(min_position)
    docs, next_cursor = svc.queries.page("v_visits", filters, limit, cursor)
    return Page(items=[visit_public(caller, d) for d in docs], next_cursor=next_cursor)


@router.get("/v1/visits/{visit_id}", response_model=VisitPublic)
def get_visit(
    visit_id: UUID,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow(*VISIT_READERS))],
    response: Response,
    min_position: MinPosition = None,
) -> VisitPublic:
    """One visit; a guarantor sees its own."""
    svc.settle(min_position)
    doc = svc.queries.doc("v_visits", str(visit_id))
    if doc is None or (caller.role == "guarantor" and doc["guarantor_id"] != caller.scope):
        raise not_found(f"no visit {visit_id}")
    versioned(response, doc["version"])
    return visit_public(caller, doc)
