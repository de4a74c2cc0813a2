"""Matters (企业诉求): intake, assignment, transfer, extensions, resolution, ratings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response

from api.deps import (
    STAFF,
    Acting,
    AppDep,
    Cursor,
    IfMatch,
    Limit,
    MinPosition,
    RequestId,
    ServicesDep,
    acting,
    allow,
    answer,
    make_act,
    versioned,
)
from api.errors import not_found
from api.fast_commands import fast_command
from api.models import (
    AssignMatterRequest,
    BusinessTime,
    Command,
    CreateExtensionRequest,
    CreateMatterRequest,
    CreateRatingRequest,
    ExtensionRequestPublic,
    MatterPublic,
    Page,
    RatingPublic,
    ReasonRequest,
    ResolveMatterRequest,
    TimelineEntry,
    TransferMatterRequest,
)
from api.present import plain, present_matter
from api.read_cache import json_bytes, json_response
from api.services import Caller, Services
from domain.errors import NotHoldingUnitError, NotOwnEnterpriseError
from domain.matter import Matter
from projections.documents import local, matter_doc
from projections.queries import Filter

router = APIRouter(tags=["matters"])

MATTER_READERS = (*STAFF, "auditor", "unit", "enterprise", "guarantor")
BASE_FIELDS = {
    "originator_id",
    "originator_version",
    "timestamp",
    "originator_topic",
    "actor",
    "occurred_at",
    "backdated",
}


def scope_filter(svc: Services, caller: Caller) -> Filter | None:
    """What a scoped caller may see of matters; None for park-wide roles."""
    if caller.role == "unit":
        return Filter("unit_id=?", (caller.scope,))
    if caller.role == "enterprise":
        return Filter("enterprise_id=?", (caller.scope,))
    if caller.role == "guarantor":
        return Filter(
            "enterprise_id IN (SELECT enterprise_id FROM v_assignments WHERE guarantor_id=?)",
            (caller.scope,),
        )
    return None


def check_visible(svc: Services, caller: Caller, matter: MatterPublic) -> None:
    visible = {
        "unit": str(matter.unit_id) == caller.scope,
        "enterprise": str(matter.enterprise_id) == caller.scope,
        "guarantor": caller.scope is not None
        and str(matter.enterprise_id) in svc.queries.enterprises_of_guarantor(caller.scope),
    }.get(caller.role, True)
    if not visible:
        raise not_found(f"no matter {matter.id}")


def check_acts_on(svc: Services, caller: Caller, matter_id: UUID) -> None:
    """A unit acts only on the matters it holds, an enterprise only on its own: checked before
    any rule about the matter's state, so that nothing more of another's matter is told (403)."""
    if caller.role not in ("unit", "enterprise"):
        return
    matter = svc.park.load(Matter, matter_id, read_only=True)
    if caller.role == "unit" and (matter.unit_id is None or str(matter.unit_id) != caller.scope):
        raise NotHoldingUnitError(f"matter {matter_id} is not held by this unit")
    if caller.role == "enterprise" and str(matter.enterprise_id) != caller.scope:
        raise NotOwnEnterpriseError(f"matter {matter_id} belongs to another enterprise")


def respond(svc: Services, matter: Matter, response: Response, status: int = 200) -> Response:
    """The matter as the command left it, at its version and the log position of its event."""
    versioned(response, matter.version, svc.park.position_of(matter))
    return answer(present_matter(matter_doc(matter), svc.clock()), response, status)


@router.post("/v1/matters", status_code=201, response_model=MatterPublic)
@fast_command
def receive_matter(
    body: CreateMatterRequest,
    it: Annotated[Acting, Depends(acting("clerk", "guarantor", "admin"))],
    response: Response,
) -> Response:
    """Take in an enterprise request (受理); it must be assigned within half a working day."""
    late_roles = (
        frozenset({"admin", "clerk"}) if body.received_at is not None else frozenset({"admin"})
    )
    act = it.act(body.received_at or body.occurred_at, late_roles)
    matter = it.park.receive_matter(
        act, body.enterprise_id, body.summary, body.category, body.channel
    )
    response.headers["Location"] = f"/v1/matters/{matter.id}"
    return respond(it.svc, matter, response, 201)


@router.post("/v1/matters/{matter_id}/assign", response_model=MatterPublic)
@fast_command
def assign_matter(
    matter_id: UUID,
    body: AssignMatterRequest,
    it: Annotated[Acting, Depends(acting("clerk", "admin"))],
    if_match: IfMatch,
    response: Response,
) -> Response:
    """Assign (交办) to an undertaking unit: 3 working days to handle, 30 at most."""
    act = it.act(body.occurred_at)
    return respond(it.svc, it.park.assign_matter(act, matter_id, body.unit_id, if_match), response)


@router.post("/v1/matters/{matter_id}/transfer", response_model=MatterPublic)
@fast_command
def transfer_matter(
    matter_id: UUID,
    body: TransferMatterRequest,
    it: Annotated[Acting, Depends(acting("clerk", "unit", "admin"))],
    if_match: IfMatch,
    response: Response,
) -> Response:
    """Transfer (转办) to another unit, which gets 3 fresh working days; the cap stays."""
    check_acts_on(it.svc, it.caller, matter_id)
    act = it.act(body.occurred_at)
    return respond(
        it.svc,
        it.park.transfer_matter(act, matter_id, body.unit_id, body.reason, if_match),
        response,
    )


@router.post(
    "/v1/matters/{matter_id}/extension-requests",
    status_code=201,
    response_model=ExtensionRequestPublic,
)
def request_extension(
    matter_id: UUID,
    body: CreateExtensionRequest,
    app: AppDep,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow("unit", "admin"))],
    req: RequestId,
    if_match: IfMatch,
    response: Response,
) -> ExtensionRequestPublic:
    """Ask for a later handle deadline (延期申请): before the deadline, not beyond the cap."""
    check_acts_on(svc, caller, matter_id)
    act = make_act(svc, caller, req, body.occurred_at)
    matter, request = app.request_extension(
        act, matter_id, body.requested_deadline, body.reason, if_match
    )
    versioned(response, matter.version, app.position_of(matter))
    doc = next(r for r in matter_doc(matter)["extension_requests"] if r["id"] == str(request.id))
    return ExtensionRequestPublic.model_validate({**doc, "version": matter.version})


@router.post(
    "/v1/matters/{matter_id}/extension-requests/{request_id}/approve", response_model=MatterPublic
)
def approve_extension(
    matter_id: UUID,
    request_id: UUID,
    app: AppDep,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow("leader", "admin"))],
    req: RequestId,
    if_match: IfMatch,
    response: Response,
    body: Command | None = None,
) -> Response:
    """Approve an extension: the matter becomes major/complex and its deadline moves."""
    act = make_act(svc, caller, req, body.occurred_at if body else None)
    return respond(svc, app.approve_extension(act, matter_id, request_id, if_match), response)


@router.post(
    "/v1/matters/{matter_id}/extension-requests/{request_id}/reject", response_model=MatterPublic
)
@fast_command
def reject_extension(
    matter_id: UUID,
    request_id: UUID,
    body: ReasonRequest,
    it: Annotated[Acting, Depends(acting("leader", "admin"))],
    if_match: IfMatch,
    response: Response,
) -> Response:
    """Reject an extension: the deadline stays."""
    act = it.act(body.occurred_at)
    return respond(
        it.svc,
        it.park.reject_extension(act, matter_id, request_id, body.reason, if_match),
        response,
    )


@router.post("/v1/matters/{matter_id}/resolve", response_model=MatterPublic)
@fast_command
def resolve_matter(
    matter_id: UUID,
    body: ResolveMatterRequest,
    it: Annotated[Acting, Depends(acting("unit", "admin"))],
    if_match: IfMatch,
    response: Response,
) -> Response:
    """Resolve (办结) with a reply; after the deadline it is resolved late."""
    check_acts_on(it.svc, it.caller, matter_id)
    act = it.act(body.occurred_at)
    return respond(it.svc, it.park.resolve_matter(act, matter_id, body.reply, if_match), response)


@router.post("/v1/matters/{matter_id}/ratings", status_code=201, response_model=RatingPublic)
def rate_matter(
    matter_id: UUID,
    body: CreateRatingRequest,
    app: AppDep,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow("enterprise", "admin"))],
    req: RequestId,
    if_match: IfMatch,
    response: Response,
) -> RatingPublic:
    """Rate the resolution (好差评) 1–5; 1–2 reopens it for rectification."""
    check_acts_on(svc, caller, matter_id)
    act = make_act(svc, caller, req, body.occurred_at)
    matter, rating = app.rate_matter(act, matter_id, body.level, body.comment, if_match)
    versioned(response, matter.version, app.position_of(matter))
    return RatingPublic(
        version=matter.version,
        level=rating.level,
        comment=rating.comment,
        rated_at=rating.rated_at,
        resolution=rating.resolution,
    )


@router.post("/v1/matters/{matter_id}/withdraw", response_model=MatterPublic)
@fast_command
def withdraw_matter(
    matter_id: UUID,
    body: ReasonRequest,
    it: Annotated[Acting, Depends(acting("enterprise", "clerk", "admin"))],
    if_match: IfMatch,
    response: Response,
) -> Response:
    """Withdraw a matter before it is resolved."""
    check_acts_on(it.svc, it.caller, matter_id)
    act = it.act(body.occurred_at)
    return respond(it.svc, it.park.withdraw_matter(act, matter_id, body.reason, if_match), response)


@router.get("/v1/matters", response_model=Page[MatterPublic])
def list_matters(
    request: Request,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow(*MATTER_READERS))],
    status: Annotated[
        Literal["received", "assigned", "resolved", "rectifying", "closed", "withdrawn"] | None,
        Query(),
    ] = None,
    unit_id: UUID | None = None,
    enterprise_id: UUID | None = None,
    overdue: bool | None = None,
    limit: Limit = 100,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> Response:
    """Matters, filtered; `overdue=true` lists those with an open step past its due time."""
    position = svc.settle(min_position)
    now = svc.clock()
    filters = [f for f in (scope_filter(svc, caller),) if f is not None]
    if status is not None:
        filters.append(Filter("status=?", (status,)))
    if unit_id is not None:
        filters.append(Filter("unit_id=?", (str(unit_id),)))
    if enterprise_id is not None:
        filters.append(Filter("enterprise_id=?", (str(enterprise_id),)))
    key = ("matters", position, *filters, overdue, limit, cursor)
    if (kept := svc.pages.entry(key, now)) is not None:
        svc.fast.keep(request, caller.id, position, *kept, min_position)
        return json_response(kept[0])
    if overdue is True:
        filters.append(Filter("next_due < ?", (int(now.timestamp()),)))
    elif overdue is False:
        filters.append(Filter("(next_due IS NULL OR next_due >= ?)", (int(now.timestamp()),)))
    docs, next_cursor = svc.queries.page("v_matters", filters, limit, cursor)
    page = Page[MatterPublic](items=[present_matter(d, now) for d in docs], next_cursor=next_cursor)
    body = json_bytes(page)
    until = unchanged_until(svc, page.items, now, overdue is not None)
    svc.pages.put(key, body, until)
    svc.fast.keep(request, caller.id, position, body, until, min_position)
    return json_response(body)


def unchanged_until(
    svc: Services, matters: list[MatterPublic], now: datetime, by_due: bool
) -> datetime | None:
    """The last moment at which the page reads the same: before an open step shown on it falls
    due, and (when filtered on being overdue) before another matter's next step falls due."""
    dues = [d.due_at for m in matters for d in m.deadlines if d.state in ("pending", "reminded")]
    if by_due and (first := svc.queries.next_due_from(int(now.timestamp()))) is not None:
        # The filter compares whole seconds: the page holds while now's second is at most it.
        dues.append(datetime.fromtimestamp(first + 1, UTC) - timedelta(microseconds=1))
    return min(dues, default=None)


@router.get("/v1/matters/{matter_id}", response_model=MatterPublic)
def get_matter(
    matter_id: UUID,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow(*MATTER_READERS))],
    response: Response,
    as_of: Annotated[
        BusinessTime | None, Query(description="Recorded time: what the system showed then")
    ] = None,
    min_position: MinPosition = None,
) -> MatterPublic:
    """One matter with its deadlines and their states."""
    if as_of is not None:
        aggregate = svc.park.load_as_of(Matter, matter_id, as_of)
        matter = present_matter(matter_doc(aggregate), as_of)
    else:
        svc.settle(min_position)
        doc = svc.queries.doc("v_matters", str(matter_id))
        if doc is None:
            raise not_found(f"no matter {matter_id}")
        matter = present_matter(doc, svc.clock())
    check_visible(svc, caller, matter)
    versioned(response, matter.version)
    return matter


@router.get("/v1/matters/{matter_id}/timeline", response_model=list[TimelineEntry])
def matter_timeline(
    matter_id: UUID,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow(*STAFF, "unit", "guarantor", "enterprise", "auditor"))],
) -> list[TimelineEntry]:
    """Every event of the matter, with who did it, when it was recorded and when it happened."""
    aggregate = svc.park.load(Matter, matter_id)
    check_visible(svc, caller, present_matter(matter_doc(aggregate), svc.clock()))
    entries = []
    for event in svc.park.events.get(matter_id):
        assert isinstance(event, Matter.Event | Matter.Created)
        data = {k: plain(v) for k, v in vars(event).items() if k not in BASE_FIELDS}
        entries.append(
            TimelineEntry(
                position=None,
                version=event.originator_version,
                type=type(event).__qualname__,
                recorded_at=datetime.fromisoformat(local(event.timestamp) or ""),
                occurred_at=event.occurred_at,
                backdated=event.backdated,
                actor=plain(event.actor),
                data=data,
            )
        )
    return entries
