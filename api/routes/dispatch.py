"""The leading group (领导小组), its dispatch meetings (调度) and their cadence (SPEC §6)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from api.deps import (
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
from api.dispatch_models import (
    AppointMemberRequest,
    CreateDispatchRequest,
    DispatchCompliancePage,
    DispatchPublic,
    EndTenureRequest,
    GroupMemberPublic,
    GroupRole,
)
from api.dispatch_present import compliance_public, dispatch_public, member_public, names_of
from api.errors import not_found
from api.models import MONTH_PATTERN, BusinessDate, BusinessTime, Page
from api.services import Caller, Services
from domain.base import Act
from domain.cadence import compliance, month_bounds
from domain.calendar import SHANGHAI
from domain.errors import BackdatingNotAllowedError, InvalidInputError
from domain.leading_group import DirectiveOrder, Dispatch, GroupMember
from domain.park import Park
from domain.registry import Guarantor
from projections.dispatch import DispatchQueries, convened_of, dispatch_doc, member_doc, tenure_of
from projections.queries import Filter, decode_cursor

router = APIRouter(tags=["leading group and dispatch"])

Admin = Annotated[Caller, Depends(allow("admin"))]
MemberReader = Annotated[Caller, Depends(allow("leader", "supervisor", "hr", "admin"))]
DispatchReader = Annotated[Caller, Depends(allow("leader", "supervisor", "admin"))]
ComplianceReader = Annotated[Caller, Depends(allow("leader", "supervisor", "hr"))]
Period = Annotated[str, Query(pattern=MONTH_PATTERN, description="A month, yyyy-mm")]
AsOf = Annotated[
    BusinessTime | None, Query(description="Recorded time: what the system showed then")
]

# A leader records a meeting shortly after it ends; older meetings are late entry (补录).
LEADER_RECORDING_WINDOW = timedelta(hours=24)


def check_cursor(cursor: str | None) -> None:
    """Refuse a bad cursor before any work (the paging below decodes it again)."""
    decode_cursor(cursor)


def person_name(app: Park, person_id: UUID) -> dict[str, str]:
    return {str(person_id): app.load(Guarantor, person_id).name}


@router.post("/v1/leading-group/members", status_code=201, response_model=GroupMemberPublic)
def appoint_member(
    body: AppointMemberRequest,
    app: AppDep,
    svc: ServicesDep,
    caller: Admin,
    req: RequestId,
    response: Response,
) -> GroupMemberPublic:
    """Appoint a registered person as 组长 or 副组长 from a date; one appointment at a time."""
    act = make_act(svc, caller, req, body.occurred_at)
    member = app.appoint_member(act, body.person_id, body.role, body.effective_from)
    versioned(response, member.version, app.log_head())
    response.headers["Location"] = f"/v1/leading-group/members/{member.id}"
    return member_public(member_doc(member), person_name(app, member.person_id))


@router.post("/v1/leading-group/members/{member_id}/end", response_model=GroupMemberPublic)
def end_tenure(
    member_id: UUID,
    body: EndTenureRequest,
    app: AppDep,
    svc: ServicesDep,
    caller: Admin,
    req: RequestId,
    if_match: IfMatch,
    response: Response,
) -> GroupMemberPublic:
    """End a tenure: `effective_to` is the last day in office."""
    act = make_act(svc, caller, req, body.occurred_at)
    member = app.end_tenure(act, member_id, body.effective_to, body.reason, if_match)
    versioned(response, member.version, app.log_head())
    return member_public(member_doc(member), person_name(app, member.person_id))


@router.get("/v1/leading-group/members", response_model=Page[GroupMemberPublic])
def list_members(
    svc: ServicesDep,
    _: MemberReader,
    on: Annotated[
        BusinessDate | None, Query(description="Only members in tenure on this day")
    ] = None,
    role: GroupRole | None = None,
    limit: Limit = 100,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> Page[GroupMemberPublic]:
    """Appointments to the leading group, past and present, in the order they were made."""
    check_cursor(cursor)
    svc.settle(min_position)
    filters = []
    if on is not None:
        d = on.isoformat()
        filters.append(
            Filter("effective_from<=? AND (effective_to IS NULL OR effective_to>=?)", (d, d))
        )
    if role is not None:
        filters.append(Filter("role=?", (role,)))
    docs, next_cursor = svc.queries.page("v_group_members", filters, limit, cursor)
    names = names_of(svc, [d["person_id"] for d in docs])
    return Page(items=[member_public(d, names) for d in docs], next_cursor=next_cursor)


@router.get("/v1/leading-group/members/{member_id}", response_model=GroupMemberPublic)
def get_member(
    member_id: UUID,
    svc: ServicesDep,
    _: MemberReader,
    response: Response,
    as_of: AsOf = None,
    min_position: MinPosition = None,
) -> GroupMemberPublic:
    """One appointment to the leading group."""
    svc.settle(min_position)
    if as_of is not None:
        doc: dict[str, Any] | None = member_doc(svc.park.load_as_of(GroupMember, member_id, as_of))
    else:
        doc = svc.queries.doc("v_group_members", str(member_id))
    if doc is None:
        raise not_found(f"no member {member_id}")
    versioned(response, doc["version"])
    return member_public(doc, names_of(svc, [doc["person_id"]]))


def dispatch_act(svc: Services, caller: Caller, req: str, body: CreateDispatchRequest) -> Act:
    """The act of recording a dispatch: its business time is `held_at`.

    `held_at` may not be in the future. A leader may record a meeting up to 24 hours after
    it was held; anything older is late entry (补录), for an admin only. Either way the
    events carry `occurred_at = held_at`, so a recording after the meeting is visible to
    auditors as back-dated. `occurred_at`, if sent, is admin-only and must equal `held_at`.
    """
    if body.occurred_at is not None:
        make_act(svc, caller, req, body.occurred_at)
        if body.occurred_at != body.held_at:
            raise InvalidInputError("the business time of a dispatch is its held_at")
    act = make_act(svc, caller, req, body.held_at, frozenset({"admin", "leader"}))
    if caller.role != "admin" and act.recorded_at - act.occurred_at > LEADER_RECORDING_WINDOW:
        raise BackdatingNotAllowedError(
            "a leader may record a dispatch up to 24 hours after it was held; "
            "an older one is late entry (补录) for an admin"
        )
    return act


@router.post("/v1/dispatches", status_code=201, response_model=DispatchPublic)
def hold_dispatch(
    body: CreateDispatchRequest,
    app: AppDep,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow("leader", "admin"))],
    req: RequestId,
    response: Response,
) -> DispatchPublic:
    """Record a dispatch meeting; each directive becomes a matter assigned to its unit.

    The convener (a person_id) must be a leading-group member in tenure on the day it was
    held (Asia/Shanghai), else 409 `not_group_member`. `held_at` may not be in the future;
    a leader may record a meeting up to 24 hours after it was held, an admin at any time
    later (补录, 403 `backdating_not_allowed` otherwise). The directives' matters are
    received and assigned at `held_at`, so their 3 working days run from the meeting.
    """
    act = dispatch_act(svc, caller, req, body)
    orders = [DirectiveOrder(d.enterprise_id, d.summary, d.unit_id) for d in body.directives]
    dispatch = app.hold_dispatch(
        act,
        body.convener_id,
        body.kind,
        body.held_at,
        body.enterprise_ids,
        body.matter_ids,
        orders,
    )
    versioned(response, dispatch.version, app.log_head())
    response.headers["Location"] = f"/v1/dispatches/{dispatch.id}"
    return dispatch_public(dispatch_doc(dispatch), person_name(app, dispatch.convener_id))


@router.get("/v1/dispatches", response_model=Page[DispatchPublic])
def list_dispatches(
    svc: ServicesDep,
    _: DispatchReader,
    period: Period | None = None,
    convener_id: UUID | None = None,
    limit: Limit = 100,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> Page[DispatchPublic]:
    """Dispatch meetings, by the month they were held in (Asia/Shanghai) and by convener."""
    check_cursor(cursor)
    filters = []
    if period is not None:
        month_bounds(period)
        filters.append(Filter("period=?", (period,)))
    if convener_id is not None:
        filters.append(Filter("convener_id=?", (str(convener_id),)))
    svc.settle(min_position)
    docs, next_cursor = svc.queries.page("v_dispatches", filters, limit, cursor)
    names = names_of(svc, [d["convener_id"] for d in docs])
    return Page(items=[dispatch_public(d, names) for d in docs], next_cursor=next_cursor)


@router.get("/v1/dispatches/{dispatch_id}", response_model=DispatchPublic)
def get_dispatch(
    dispatch_id: UUID,
    svc: ServicesDep,
    _: DispatchReader,
    response: Response,
    as_of: AsOf = None,
    min_position: MinPosition = None,
) -> DispatchPublic:
    """One dispatch meeting with its directives and the matters they became."""
    svc.settle(min_position)
    if as_of is not None:
        doc: dict[str, Any] | None = dispatch_doc(svc.park.load_as_of(Dispatch, dispatch_id, as_of))
    else:
        doc = svc.queries.doc("v_dispatches", str(dispatch_id))
    if doc is None:
        raise not_found(f"no dispatch {dispatch_id}")
    versioned(response, doc["version"])
    return dispatch_public(doc, names_of(svc, [doc["convener_id"]]))


@router.get("/v1/dispatch-compliance", response_model=DispatchCompliancePage)
def dispatch_compliance(
    period: Period,
    svc: ServicesDep,
    _: ComplianceReader,
    limit: Limit = 100,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> DispatchCompliancePage:
    """Per member in office in the month: its slots, held and missed (SPEC §6 D3).

    组长 owe one dispatch per calendar month, 副组长 one per half-month (1st–15th,
    16th–end). A slot only partly inside the tenure is not required. A required slot is
    `held` with a dispatch, `missed` once it has ended without one, else `open`.
    """
    check_cursor(cursor)
    first, last = month_bounds(period)
    svc.settle(min_position)
    now = svc.clock()
    overlapping = Filter(
        "effective_from<=? AND (effective_to IS NULL OR effective_to>=?)",
        (last.isoformat(), first.isoformat()),
    )
    docs, next_cursor = svc.queries.page("v_group_members", [overlapping], limit, cursor)
    tenures = [tenure_of(d) for d in docs]
    held = [convened_of(d) for d in DispatchQueries(svc.views).dispatches_between(first, last)]
    names = names_of(svc, [d["person_id"] for d in docs])
    return DispatchCompliancePage(
        period=period,
        as_of=now.astimezone(SHANGHAI),
        items=[compliance_public(r, names) for r in compliance(tenures, held, period, now)],
        next_cursor=next_cursor,
    )
