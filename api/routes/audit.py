"""The log for auditors: events with their hashes, verification, signed checkpoints; and the
projections' positions and digests."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel

from api.audit import Ledger, events_page, latest_checkpoint, verify
from api.deps import MAX_POSITION, ServicesDep, allow
from api.errors import not_found
from api.projection_verify import live_projections
from api.services import Caller

router = APIRouter(tags=["audit"])

Auditor = Annotated[Caller, Depends(allow("auditor"))]


class AuditEventPublic(BaseModel):
    """One stored event: where it is in the log, who recorded it, what it says, its hashes."""

    position: int
    event_id: str
    aggregate_id: str
    version: int
    type: str
    topic: str
    recorded_at: AwareDatetime | None
    actor: dict[str, Any] | None
    payload: dict[str, Any]
    hash: str
    chain_hash: str | None


class AuditEventPage(BaseModel):
    """A page of the log; pass `next_cursor` as `after` for the next (null: the end so far)."""

    items: list[AuditEventPublic]
    next_cursor: str | None


class VerifyCheckpoint(BaseModel):
    size: int
    position: int
    head_hash: str
    key_id: str
    created_at: str


class AuditVerifyPublic(BaseModel):
    """Whether the log matches its seals and signed checkpoints; if not, where it first fails."""

    ok: bool
    events_checked: int
    sealed: int
    head: str
    checkpoint: VerifyCheckpoint | None
    first_bad_position: int | None
    problem: str | None


class CheckpointPublic(BaseModel):
    """A signed checkpoint: a C2SP signed note over the chain head after `size` events."""

    size: int
    position: int
    head_hash: str
    signature: str
    key_id: str
    note: str
    created_at: str
    verifier_key: str | None


class ProjectionPublic(BaseModel):
    name: str
    position: int
    lag: int
    digest: str | None


class ProjectionsPublic(BaseModel):
    """Each projection's position, lag behind the log head and content digest."""

    event_log_head: int
    projections: list[ProjectionPublic]


@router.get("/v1/audit/events", response_model=AuditEventPage)
def audit_events(
    svc: ServicesDep,
    _: Auditor,
    after: Annotated[
        int, Query(ge=0, le=MAX_POSITION, description="The last position already read")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="Page size (at most 500)")] = 100,
) -> AuditEventPage:
    """The event log in order, decoded, with each event's hash and its sealed chain hash."""
    items = [AuditEventPublic.model_validate(i) for i in events_page(svc, after, limit)]
    more = len(items) == limit
    return AuditEventPage(items=items, next_cursor=str(items[-1].position) if more else None)


@router.get("/v1/audit/verify", response_model=AuditVerifyPublic)
def audit_verify(svc: ServicesDep, _: Auditor) -> AuditVerifyPublic:
    """Recompute the hash chain from the stored events; check the seals and every checkpoint."""
    return AuditVerifyPublic.model_validate(verify(Ledger.of(svc)).as_dict())


@router.get("/v1/audit/checkpoints/latest", response_model=CheckpointPublic)
def audit_latest_checkpoint(svc: ServicesDep, _: Auditor) -> CheckpointPublic:
    """The latest signed checkpoint (404 until the first one is signed)."""
    latest = latest_checkpoint(svc)
    if latest is None:
        raise not_found("no checkpoint has been signed yet")
    return CheckpointPublic.model_validate(latest)


@router.get("/v1/projections", response_model=ProjectionsPublic, tags=["projections"])
def projections(
    svc: ServicesDep, _: Annotated[Caller, Depends(allow("admin", "auditor"))]
) -> ProjectionsPublic:
    """Each projection's position, how far it lags behind the log, and its digest."""
    head = svc.park.log_head()
    return ProjectionsPublic(
        event_log_head=head,
        projections=[
            ProjectionPublic(
                name=p.name, position=p.position, lag=head - p.position, digest=p.digest
            )
            for p in live_projections(svc)
        ],
    )
