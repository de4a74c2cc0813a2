"""No-application subsidies (免申即享): granted when the facts are recorded, approved by a leader
within 3 working days, listed with their arithmetic (SPEC §11)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from api.deps import (
    STAFF,
    AppDep,
    Cursor,
    IfMatch,
    Limit,
    MinPosition,
    RequestId,
    ServicesDep,
    allow,
    make_act,
    versioned,
)
from api.entitlement_models import (
    EntitlementPublic,
    RecordParticipationRequest,
    RecordPromotionRequest,
)
from api.errors import not_found
from api.models import BusinessTime, Command, Page
from api.routes.enterprises import visible_enterprise
from api.services import Caller, Services
from domain.entitlement import Entitlement, SubsidyLedger
from domain.money import parse_yuan
from projections.entitlements import entitlement_doc, granted_by
from projections.queries import Filter, decode_cursor, encode_cursor

router = APIRouter(tags=["entitlements"])

READERS = (*STAFF, "enterprise")
RECORDERS = ("clerk", "admin")
APPROVERS = ("leader", "admin")


def present_entitlement(doc: dict[str, Any], now: datetime) -> EntitlementPublic:
    """An entitlement with its approval's state and lateness as of `now`."""
    approval = doc["approval"]
    due = datetime.fromisoformat(approval["due_at"])
    met = datetime.fromisoformat(approval["met_at"]) if approval["met_at"] else None
    if met is not None:
        state = "met"
    elif now > due:
        state = "missed"
    else:
        state = "reminded" if approval["reminded_at"] else "pending"
    late = (met is not None and met > due) or state == "missed"
    return EntitlementPublic.model_validate(
        {
            **doc,
            "status": "approved" if met is not None else "awaiting_approval",
            "approval": {**approval, "state": state, "late": late},
        }
    )


def granted(
    svc: Services, ledger: SubsidyLedger, entitlement: Entitlement, response: Response
) -> EntitlementPublic:
    versioned(response, ledger.version, svc.park.log_head())
    return present_entitlement(entitlement_doc(entitlement, ledger.enterprise_id), svc.clock())


@router.post("/v1/exhibitions/participations", status_code=201, response_model=EntitlementPublic)
def record_participation(
    body: RecordParticipationRequest,
    app: AppDep,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow(*RECORDERS))],
    req: RequestId,
    response: Response,
) -> EntitlementPublic:
    """Record an exhibition participation: an above-scale enterprise at a province, city or park
    organised exhibition is granted 50% of the fee (rounded down to the fen) without applying,
    at most 300,000 yuan a year for exhibitions and 2,000,000 yuan a year of branding subsidies.
    Refused (409) for an enterprise not above scale or another organiser; nothing is recorded."""
    act = make_act(svc, caller, req, body.occurred_at)
    ledger, entitlement = app.record_exhibition(
        act,
        body.enterprise_id,
        body.exhibition,
        body.organiser_level,
        parse_yuan(body.fee_paid),
        body.held_on,
    )
    return granted(svc, ledger, entitlement, response)


@router.post("/v1/promotions", status_code=201, response_model=EntitlementPublic)
def record_promotion(
    body: RecordPromotionRequest,
    app: AppDep,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow(*RECORDERS))],
    req: RequestId,
    response: Response,
) -> EntitlementPublic:
    """Record a 精品安徽 CCTV promotion: the park grants 100% of what remains after the province
    and city subsidies, within 2,000,000 yuan a year of branding subsidies. Subsidies above the
    cost are refused (422)."""
    act = make_act(svc, caller, req, body.occurred_at)
    ledger, entitlement = app.record_promotion(
        act,
        body.enterprise_id,
        body.campaign,
        parse_yuan(body.cost),
        parse_yuan(body.province_subsidy),
        parse_yuan(body.city_subsidy),
        body.held_on,
    )
    return granted(svc, ledger, entitlement, response)


@router.post("/v1/entitlements/{entitlement_id}/approve", response_model=EntitlementPublic)
def approve_entitlement(
    entitlement_id: UUID,
    app: AppDep,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow(*APPROVERS))],
    req: RequestId,
    if_match: IfMatch,
    response: Response,
    body: Command | None = None,
) -> EntitlementPublic:
    """Approve an entitlement (within 3 working days of its grant; later, it is approved late).
    Approving it again is 409 `already_approved`."""
    act = make_act(svc, caller, req, body.occurred_at if body else None)
    ledger, entitlement = app.approve_entitlement(act, entitlement_id, if_match)
    return granted(svc, ledger, entitlement, response)


@router.get("/v1/entitlements", response_model=Page[EntitlementPublic])
def list_entitlements(
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow(*READERS))],
    enterprise_id: Annotated[
        UUID | None, Query(description="Required for park-wide roles to narrow; own by default")
    ] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Year of held_on")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
    as_of: Annotated[
        BusinessTime | None, Query(description="Recorded time: what the system showed then")
    ] = None,
    min_position: MinPosition = None,
) -> Page[EntitlementPublic]:
    """Entitlements in the order they arose, each with its amount, whether a cap applied, the
    arithmetic, and its approval deadline and state. An enterprise sees its own."""
    enterprise = str(enterprise_id) if enterprise_id is not None else None
    if caller.role == "enterprise" and enterprise is None:
        enterprise = caller.scope
    if enterprise is None:
        if caller.role not in STAFF:
            raise not_found("no enterprise given")
    elif not visible_enterprise(svc, caller, enterprise):
        raise not_found(f"no enterprise {enterprise}")
    svc.settle(min_position)
    if enterprise is not None and svc.queries.doc("v_enterprises", enterprise) is None:
        raise not_found(f"no enterprise {enterprise}")
    filters = []
    if enterprise is not None:
        filters.append(Filter("enterprise_id=?", (enterprise,)))
    if year is not None:
        filters.append(Filter("year=?", (year,)))
    if as_of is None:
        docs, next_cursor = svc.queries.page("v_entitlements", filters, limit, cursor)
        now = svc.clock()
        return Page(items=[present_entitlement(d, now) for d in docs], next_cursor=next_cursor)
    return entitlements_as_of(svc, filters, as_of, limit, cursor)


def entitlements_as_of(
    svc: Services, filters: list[Filter], as_of: datetime, limit: int, cursor: str | None
) -> Page[EntitlementPublic]:
    """The entitlements recorded by `as_of`, each as its ledger stood then."""
    clauses = [f.clause for f in filters]
    params = [p for f in filters for p in f.params]
    rows = granted_by(svc.views, as_of, clauses, params, decode_cursor(cursor), limit + 1)
    ledgers: dict[str, SubsidyLedger] = {}
    items = []
    for _, entitlement_id, ledger_id in rows[:limit]:
        if ledger_id not in ledgers:
            ledgers[ledger_id] = svc.park.load_as_of(SubsidyLedger, UUID(ledger_id), as_of)
        ledger = ledgers[ledger_id]
        doc = entitlement_doc(ledger.entitlement(UUID(entitlement_id)), ledger.enterprise_id)
        items.append(present_entitlement(doc, as_of))
    next_cursor = encode_cursor(rows[limit - 1][0]) if len(rows) > limit else None
    return Page(items=items, next_cursor=next_cursor)
