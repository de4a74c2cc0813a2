"""Guarantors (people and departments) and undertaking units."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Response

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
from api.errors import not_found
from api.models import CreateGuarantorRequest, CreateUnitRequest, GuarantorPublic, Page, UnitPublic
from api.services import Caller
from projections.documents import guarantor_doc, unit_doc

router = APIRouter(tags=["guarantors and units"])

Admin = Annotated[Caller, Depends(allow("admin"))]
Staff = Annotated[Caller, Depends(allow(*STAFF, "unit", "guarantor", "hr", "auditor"))]


@router.post("/v1/guarantors", status_code=201, response_model=GuarantorPublic)
def register_guarantor(
    body: CreateGuarantorRequest,
    app: AppDep,
    svc: ServicesDep,
    caller: Admin,
    req: RequestId,
    response: Response,
) -> GuarantorPublic:
    """Register a guarantor: a person (leader) or a department."""
    act = make_act(svc, caller, req, body.occurred_at)
    guarantor = app.register_guarantor(act, body.kind, body.name, body.title, body.unit)
    versioned(response, guarantor.version, app.log_head())
    response.headers["Location"] = f"/v1/guarantors/{guarantor.id}"
    return GuarantorPublic.model_validate(guarantor_doc(guarantor))


@router.get("/v1/guarantors", response_model=Page[GuarantorPublic])
def list_guarantors(
    svc: ServicesDep,
    _: Staff,
    limit: Limit = 100,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> Page[GuarantorPublic]:
    """Registered guarantors."""
    svc.settle(min_position)
    docs, next_cursor = svc.queries.page("v_guarantors", [], limit, cursor)
    return Page(items=[GuarantorPublic.model_validate(d) for d in docs], next_cursor=next_cursor)


@router.get("/v1/guarantors/{guarantor_id}", response_model=GuarantorPublic)
def get_guarantor(
    guarantor_id: UUID,
    svc: ServicesDep,
    _: Staff,
    response: Response,
    min_position: MinPosition = None,
) -> GuarantorPublic:
    """One guarantor."""
    svc.settle(min_position)
    doc = svc.queries.doc("v_guarantors", str(guarantor_id))
    if doc is None:
        raise not_found(f"no guarantor {guarantor_id}")
    versioned(response, doc["version"])
    return GuarantorPublic.model_validate(doc)


@router.post("/v1/units", status_code=201, response_model=UnitPublic)
def register_unit(
    body: CreateUnitRequest,
    app: AppDep,
    svc: ServicesDep,
    caller: Admin,
    req: RequestId,
    response: Response,
) -> UnitPublic:
    """Register an undertaking unit (承办单位)."""
    act = make_act(svc, caller, req, body.occurred_at)
    unit = app.register_unit(act, body.name)
    versioned(response, unit.version, app.log_head())
    response.headers["Location"] = f"/v1/units/{unit.id}"
    return UnitPublic.model_validate(unit_doc(unit))


@router.get("/v1/units", response_model=Page[UnitPublic])
def list_units(
    svc: ServicesDep,
    _: Staff,
    limit: Limit = 100,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> Page[UnitPublic]:
    """Undertaking units."""
    svc.settle(min_position)
    docs, next_cursor = svc.queries.page("v_units", [], limit, cursor)
    return Page(items=[UnitPublic.model_validate(d) for d in docs], next_cursor=next_cursor)
