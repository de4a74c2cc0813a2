"""Key enterprises, their guarantors and assignments."""

from __future__ import annotations

from datetime import date
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
from api.errors import not_found
from api.models import (
    AssignmentPublic,
    BusinessDate,
    BusinessTime,
    CleanLine,
    CreateAssignmentRequest,
    CreateEnterpriseRequest,
    EnterprisePublic,
    GapPublic,
    Page,
    ReasonRequest,
    ReassignRequest,
    ReclassifyRequest,
    ReleaseAssignmentRequest,
)
from api.present import guarantor_ids, present_assignment, present_enterprise
from api.services import Caller, Services
from domain.calendar import SHANGHAI
from domain.enterprise import Enterprise
from domain.park import Park
from domain.registry import Guarantor
from projections.documents import assignment_doc, enterprise_doc, guarantor_doc
from projections.queries import Filter

router = APIRouter(tags=["enterprises"])

Admin = Annotated[Caller, Depends(allow("admin"))]
ENTERPRISE_READERS = (*STAFF, "unit", "guarantor", "enterprise")


def today(svc: Services) -> date:
    return svc.clock().astimezone(SHANGHAI).date()


def enterprise_public(svc: Services, enterprise: Enterprise) -> EnterprisePublic:
    doc = enterprise_doc(enterprise)
    names = svc.queries.docs("v_guarantors", guarantor_ids(doc))
    return present_enterprise(doc, today(svc), names)


def assignment_public(app: Park, doc: dict[str, Any]) -> AssignmentPublic:
    """An assignment named from the guarantor itself (the views may not have it yet)."""
    guarantor = app.load(Guarantor, UUID(doc["guarantor_id"]))
    return present_assignment(doc, {doc["guarantor_id"]: guarantor_doc(guarantor)})


def visible_enterprise(svc: Services, caller: Caller, enterprise_id: str) -> bool:
    """Whether a scoped caller may see this enterprise (park-wide roles see all)."""
    if caller.role in STAFF:
        return True
    if caller.role == "enterprise":
        return caller.scope == enterprise_id
    if caller.role == "guarantor" and caller.scope is not None:
        return enterprise_id in svc.queries.enterprises_of_guarantor(caller.scope)
    if caller.role == "unit":
        rows = svc.views.read(
            "SELECT 1 FROM v_matters WHERE enterprise_id=? AND unit_id=? LIMIT 1",
            [enterprise_id, caller.scope],
        )
        return bool(rows)
    return False


@router.post("/v1/enterprises", status_code=201, response_model=EnterprisePublic)
def list_enterprise(
    body: CreateEnterpriseRequest,
    app: AppDep,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow("admin", "clerk"))],
    req: RequestId,
    response: Response,
) -> EnterprisePublic:
    """Enter an enterprise into the key enterprise library (入库)."""
    act = make_act(svc, caller, req, body.occurred_at)
    enterprise = app.list_enterprise(
        act, body.uscc, body.name, body.industry, body.chain, body.above_scale
    )
    versioned(response, enterprise.version, app.log_head())
    response.headers["Location"] = f"/v1/enterprises/{enterprise.id}"
    return enterprise_public(svc, enterprise)


@router.post("/v1/enterprises/{enterprise_id}/delist", response_model=EnterprisePublic)
def delist_enterprise(
    enterprise_id: UUID,
    body: ReasonRequest,
    app: AppDep,
    svc: ServicesDep,
    caller: Admin,
    req: RequestId,
    if_match: IfMatch,
    response: Response,
) -> EnterprisePublic:
    """Take an enterprise out of the library (出库), with the reason."""
    act = make_act(svc, caller, req, body.occurred_at)
    enterprise = app.delist_enterprise(act, enterprise_id, body.reason, if_match)
    versioned(response, enterprise.version, app.log_head())
    return enterprise_public(svc, enterprise)


@router.post("/v1/enterprises/{enterprise_id}/scale", response_model=EnterprisePublic)
def reclassify_enterprise(
    enterprise_id: UUID,
    body: ReclassifyRequest,
    app: AppDep,
    svc: ServicesDep,
    caller: Admin,
    req: RequestId,
    if_match: IfMatch,
    response: Response,
) -> EnterprisePublic:
    """Class the enterprise above scale (四上) or not from now on, with the reason."""
    act = make_act(svc, caller, req, body.occurred_at)
    enterprise = app.reclassify_enterprise(
        act, enterprise_id, body.above_scale, body.reason, if_match
    )
    versioned(response, enterprise.version, app.log_head())
    return enterprise_public(svc, enterprise)


@router.post("/v1/enterprises/{enterprise_id}/relist", response_model=EnterprisePublic)
def relist_enterprise(
    enterprise_id: UUID,
    body: ReasonRequest,
    app: AppDep,
    svc: ServicesDep,
    caller: Admin,
    req: RequestId,
    if_match: IfMatch,
    response: Response,
) -> EnterprisePublic:
    """Put a delisted enterprise back into the library."""
    act = make_act(svc, caller, req, body.occurred_at)
    enterprise = app.relist_enterprise(act, enterprise_id, body.reason, if_match)
    versioned(response, enterprise.version, app.log_head())
    return enterprise_public(svc, enterprise)


@router.get("/v1/enterprises", response_model=Page[EnterprisePublic])
def list_enterprises(
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow(*STAFF, "unit", "guarantor"))],
    limit: Limit = 100,
    cursor: Cursor = None,
    chain: Annotated[CleanLine | None, Query(max_length=200)] = None,
    listed: bool | None = None,
    min_position: MinPosition = None,
) -> Page[EnterprisePublic]:
    """Enterprises of the library, filtered by chain and listing; scoped roles see their own."""
    svc.settle(min_position)
    filters = []
    if chain is not None:
        filters.append(Filter("chain=?", (chain,)))
    if listed is not None:
        filters.append(Filter("listed=?", (listed,)))
    if caller.role == "guarantor":
        filters.append(
            Filter(
                "id IN (SELECT enterprise_id FROM v_assignments WHERE guarantor_id=?)",
                (caller.scope,),
            )
        )
    if caller.role == "unit":
        filters.append(
            Filter("id IN (SELECT enterprise_id FROM v_matters WHERE unit_id=?)", (caller.scope,))
        )
    docs, next_cursor = svc.queries.page("v_enterprises", filters, limit, cursor)
    names = svc.queries.docs("v_guarantors", guarantor_ids(*docs))
    return Page(
        items=[present_enterprise(d, today(svc), names) for d in docs], next_cursor=next_cursor
    )


@router.get("/v1/enterprises/gaps", response_model=Page[GapPublic])
def enterprise_gaps(
    svc: ServicesDep,
    _: Annotated[Caller, Depends(allow("admin", "supervisor"))],
    on: BusinessDate | None = None,
    limit: Limit = 100,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> Page[GapPublic]:
    """Listed enterprises lacking a lead leader or a department on a date (default today)."""
    svc.settle(min_position)
    items, next_cursor = svc.queries.gaps(on or today(svc), limit, cursor)
    return Page(items=[GapPublic.model_validate(i) for i in items], next_cursor=next_cursor)


@router.get("/v1/enterprises/{enterprise_id}", response_model=EnterprisePublic)
def get_enterprise(
    enterprise_id: UUID,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow(*ENTERPRISE_READERS))],
    response: Response,
    as_of: Annotated[
        BusinessTime | None, Query(description="Recorded time: what the system showed then")
    ] = None,
    min_position: MinPosition = None,
) -> EnterprisePublic:
    """One enterprise with the guarantors in effect today."""
    if not visible_enterprise(svc, caller, str(enterprise_id)):
        raise not_found(f"no enterprise {enterprise_id}")
    if as_of is not None:
        enterprise = svc.park.load_as_of(Enterprise, enterprise_id, as_of)
        versioned(response, enterprise.version)
        return enterprise_public(svc, enterprise)
    svc.settle(min_position)
    doc = svc.queries.doc("v_enterprises", str(enterprise_id))
    if doc is None:
        raise not_found(f"no enterprise {enterprise_id}")
    versioned(response, doc["version"])
    return present_enterprise(doc, today(svc), svc.queries.docs("v_guarantors", guarantor_ids(doc)))


@router.get("/v1/enterprises/{enterprise_id}/guarantors", response_model=list[AssignmentPublic])
def guarantors_on(
    enterprise_id: UUID,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow(*ENTERPRISE_READERS))],
    on: BusinessDate | None = None,
    as_of: Annotated[
        BusinessTime | None, Query(description="Recorded time: what the system showed then")
    ] = None,
    min_position: MinPosition = None,
) -> list[AssignmentPublic]:
    """Who guaranteed the enterprise on a date (default today), for any past date."""
    if not visible_enterprise(svc, caller, str(enterprise_id)):
        raise not_found(f"no enterprise {enterprise_id}")
    day = on or today(svc)
    if as_of is not None:
        enterprise = svc.park.load_as_of(Enterprise, enterprise_id, as_of)
        docs = [assignment_doc(enterprise, a) for a in enterprise.guarantors_on(day)]
    else:
        svc.settle(min_position)
        if svc.queries.doc("v_enterprises", str(enterprise_id)) is None:
            raise not_found(f"no enterprise {enterprise_id}")
        docs = svc.queries.assignments_on(str(enterprise_id), day)
    names = svc.queries.docs("v_guarantors", [d["guarantor_id"] for d in docs])
    return [present_assignment(d, names) for d in docs]


@router.post(
    "/v1/enterprises/{enterprise_id}/assignments", status_code=201, response_model=AssignmentPublic
)
def assign_guarantor(
    enterprise_id: UUID,
    body: CreateAssignmentRequest,
    app: AppDep,
    svc: ServicesDep,
    caller: Admin,
    req: RequestId,
    if_match: IfMatch,
    response: Response,
) -> AssignmentPublic:
    """Make a guarantor answerable for the enterprise in a role, from a date."""
    act = make_act(svc, caller, req, body.occurred_at)
    enterprise, assignment = app.assign_guarantor(
        act, enterprise_id, body.guarantor_id, body.role, body.effective_from, if_match
    )
    versioned(response, enterprise.version, app.log_head())
    doc = assignment_doc(enterprise, assignment)
    return assignment_public(app, doc)


@router.post(
    "/v1/enterprises/{enterprise_id}/assignments/reassign",
    status_code=201,
    response_model=AssignmentPublic,
)
def reassign(
    enterprise_id: UUID,
    body: ReassignRequest,
    app: AppDep,
    svc: ServicesDep,
    caller: Admin,
    req: RequestId,
    if_match: IfMatch,
    response: Response,
) -> AssignmentPublic:
    """Release whoever holds the role (the day before) and assign the new guarantor, atomically."""
    act = make_act(svc, caller, req, body.occurred_at)
    enterprise, assignment = app.reassign(
        act, enterprise_id, body.role, body.guarantor_id, body.effective_from, body.reason, if_match
    )
    versioned(response, enterprise.version, app.log_head())
    doc = assignment_doc(enterprise, assignment)
    return assignment_public(app, doc)


@router.post("/v1/assignments/{assignment_id}/release", response_model=AssignmentPublic)
def release_assignment(
    assignment_id: UUID,
    body: ReleaseAssignmentRequest,
    app: AppDep,
    svc: ServicesDep,
    caller: Admin,
    req: RequestId,
    if_match: IfMatch,
    response: Response,
) -> AssignmentPublic:
    """End an assignment: `effective_to` is its last day in effect."""
    svc.settle()
    enterprise_id = svc.queries.enterprise_of_assignment(str(assignment_id))
    if enterprise_id is None:
        raise not_found(f"no assignment {assignment_id}")
    act = make_act(svc, caller, req, body.occurred_at)
    enterprise, assignment = app.release_assignment(
        act, UUID(enterprise_id), assignment_id, body.effective_to, body.reason, if_match
    )
    versioned(response, enterprise.version, app.log_head())
    doc = assignment_doc(enterprise, assignment)
    return assignment_public(app, doc)
