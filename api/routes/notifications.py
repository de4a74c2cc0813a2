"""The SMS outbox (短信): what was sent to whom, and what is still waiting (SPEC N4)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, cast
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.deps import Cursor, Limit, MinPosition, ServicesDep, allow
from api.models import CleanLine, Page
from api.services import Caller
from domain.calendar import SHANGHAI
from projections.outbox import OutboxEntry, outbox_page

router = APIRouter(tags=["notifications"])

Status = Literal["pending", "delivered", "failed"]


class NotificationPublic(BaseModel):
    """One message to one recipient and what became of it."""

    id: UUID = Field(description="Stable: the same notice to the same recipient, the same id")
    notice_key: str = Field(description="The notice: kind, matter, step and deadline instant")
    recipient: str = Field(description="unit:ID, enterprise:ID, window or supervisor")
    text: str
    status: Status
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None = Field(description="When a pending message goes out")
    created_at: datetime
    delivered_at: datetime | None
    channel: str | None = Field(description="file or http")
    reference: str | None = Field(description="The channel's receipt")
    source_event: str = Field(description="The event behind it: aggregate id/version")


def present(entry: OutboxEntry) -> NotificationPublic:
    def local(moment: datetime | None) -> datetime | None:
        return None if moment is None else moment.astimezone(SHANGHAI)

    pending = entry.status == "pending"
    return NotificationPublic(
        id=entry.message.id,
        notice_key=entry.message.notice_key,
        recipient=entry.message.recipient,
        text=entry.message.text,
        status=cast("Status", entry.status),
        attempts=entry.attempts,
        last_error=entry.last_error,
        next_attempt_at=local(max(entry.next_attempt_at or entry.created_at, entry.created_at))
        if pending
        else None,
        created_at=entry.created_at.astimezone(SHANGHAI),
        delivered_at=local(entry.delivered_at),
        channel=entry.channel,
        reference=entry.reference,
        source_event=entry.source_event,
    )


@router.get("/v1/notifications", response_model=Page[NotificationPublic])
def list_notifications(
    svc: ServicesDep,
    _: Annotated[Caller, Depends(allow("supervisor", "admin"))],
    status: Status | None = None,
    recipient: Annotated[CleanLine | None, Query(max_length=100)] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> Page[NotificationPublic]:
    """Messages in the order they arose, by status and recipient."""
    svc.settle(min_position)
    entries, next_cursor = outbox_page(
        svc.views, status=status, recipient=recipient, limit=limit, cursor=cursor
    )
    return Page(items=[present(e) for e in entries], next_cursor=next_cursor)
