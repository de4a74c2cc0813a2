"""Notices (通报): commendations, criticisms and supervision notices; publishing them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from api.as_of import as_of as past
from api.deps import Cursor, Limit, MinPosition, RequestId, ServicesDep, allow, make_act, versioned
from api.errors import not_found
from api.models import BusinessTime
from api.services import Caller, Services
from domain.base import require_aware
from domain.calendar import SHANGHAI
from domain.errors import FutureTimeError
from domain.notice import AlreadyPublishedError, Draft
from domain.period import Period
from projections.notices import NOTICE_INDEX_DDL, notice_doc
from projections.queries import decode_cursor, encode_cursor
from projections.sql import ViewDatabase

router = APIRouter(tags=["notices"])

READERS = ("supervisor", "hr", "auditor")


class NoticePublic(BaseModel):
    id: UUID
    kind: Literal["commendation", "criticism", "supervision"]
    reason: str = Field(
        description="grade_excellent, grade_failing, overdue_step, missed_dispatch, overdue_list"
    )
    period: str
    subject: str
    title: str
    body: str
    recipients: list[str]
    event_ids: list[str] = Field(description="The events behind the notice (aggregate@version)")
    status: Literal["draft", "published"]
    published_at: datetime | None = None


class SupervisionItem(BaseModel):
    matter_id: UUID
    step: str
    due_at: datetime
    enterprise_id: UUID
    enterprise: str | None
    summary: str | None
    unit_id: UUID | None
    unit: str
    overdue_hours: float
    event_ids: list[str]


class SupervisionPublic(BaseModel):
    as_of: datetime
    notice: NoticePublic
    items: list[SupervisionItem]


def this_month(svc: Services) -> str:
    return svc.clock().astimezone(SHANGHAI).strftime("%Y-%m")


def drafts_of(svc: Services, period: Period, min_position: int | None = None) -> list[Draft]:
    position = svc.settle(min_position)
    drafts = svc.drafter.drafts(period, svc.clock(), position)
    with svc.views.transaction() as tx:
        tx.execute(NOTICE_INDEX_DDL)
        tx.executemany(
            "INSERT INTO api_notice_index (id, period) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
            [(str(d.id), str(period)) for d in drafts],
        )
    return drafts


def published(views: ViewDatabase) -> dict[str, dict[str, Any]]:
    return {str(i): json.loads(doc) for i, doc in views.read("SELECT id, doc FROM v_notices")}


class NoticePage(BaseModel):
    items: list[NoticePublic]
    next_cursor: str | None = None


@router.get("/v1/notices", response_model=NoticePage)
def list_notices(
    svc: ServicesDep,
    _: Annotated[Caller, Depends(allow(*READERS))],
    period: Annotated[
        str | None, Query(max_length=10, description="yyyy-mm, yyyy-Qn, yyyy")
    ] = None,
    kind: Literal["commendation", "criticism"] | None = None,
    status: Literal["draft", "published"] | None = None,
    limit: Limit = 100,
    cursor: Cursor = None,
    min_position: MinPosition = None,
    as_of: Annotated[
        BusinessTime | None, Query(description="A recorded time: the notices as they stood then")
    ] = None,
) -> NoticePage:
    """Commendations (grade 优秀) and criticisms (grade 不合格, a step more than 5 working days
    overdue, a missed dispatch) of a period (default this month), drafted or published."""
    parsed = Period.parse(period or this_month(svc))
    if as_of is None:
        svc.settle(min_position)
        done = published(svc.views)
        drafts = drafts_of(svc, parsed, min_position)
    else:
        with past(svc, as_of) as then:
            done = published(then.views)
            drafts = then.drafter.drafts(parsed, as_of, then.position)
    docs = [done.get(str(d.id)) or notice_doc(d, "draft") for d in drafts]
    seen = {d["id"] for d in docs}
    docs += [d for d in done.values() if d["period"] == str(parsed) and d["id"] not in seen]
    docs = [
        d
        for d in docs
        if (kind is None or d["kind"] == kind) and (status is None or d["status"] == status)
    ]
    start = decode_cursor(cursor) + 1
    page = docs[start : start + limit]
    more = start + limit < len(docs)
    return NoticePage(
        items=[NoticePublic.model_validate(d) for d in page],
        next_cursor=encode_cursor(start + limit - 1) if more else None,
    )


@router.get("/v1/notices/supervision", response_model=SupervisionPublic)
def supervision_notice(
    svc: ServicesDep,
    _: Annotated[Caller, Depends(allow("supervisor", "leader"))],
    as_of: Annotated[
        BusinessTime | None,
        Query(description="A business time (default now), not in the future"),
    ] = None,
    min_position: MinPosition = None,
) -> SupervisionPublic:
    """The supervision notice (督办通报): every deadline step open and past due as of a time."""
    now = svc.clock()
    moment = as_of or now
    require_aware(moment, "as_of")
    if moment > now:
        raise FutureTimeError(f"as_of {moment.isoformat()} is in the future")
    svc.settle(min_position)
    draft, items = svc.drafter.supervision(moment)
    return SupervisionPublic(
        as_of=moment.astimezone(SHANGHAI),
        notice=NoticePublic.model_validate(notice_doc(draft, "draft")),
        items=[SupervisionItem.model_validate(i) for i in items],
    )


def find_draft(svc: Services, notice_id: UUID) -> Draft | None:
    with svc.views.transaction() as tx:
        tx.execute(NOTICE_INDEX_DDL)
        row = tx.one("SELECT period FROM api_notice_index WHERE id=?", [str(notice_id)])
    periods = [row[0]] if row else []
    # Not listed yet: look in this month and the last.
    month = Period.parse(this_month(svc))
    previous = Period(
        "month", month.year - (month.number == 1), 12 if month.number == 1 else month.number - 1
    )
    periods += [str(month), str(previous)]
    for period in periods:
        for draft in drafts_of(svc, Period.parse(period)):
            if draft.id == notice_id:
                return draft
    return None


@router.get("/v1/notices/{notice_id}", response_model=NoticePublic)
def get_notice(
    notice_id: UUID, svc: ServicesDep, _: Annotated[Caller, Depends(allow(*READERS))]
) -> NoticePublic:
    """One notice, drafted or published."""
    svc.settle()
    done = published(svc.views).get(str(notice_id))
    if done is not None:
        return NoticePublic.model_validate(done)
    draft = find_draft(svc, notice_id)
    if draft is None:
        raise not_found(f"no notice {notice_id}")
    return NoticePublic.model_validate(notice_doc(draft, "draft"))


@router.post("/v1/notices/{notice_id}/publish", response_model=NoticePublic)
def publish_notice(
    notice_id: UUID,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow("supervisor"))],
    req: RequestId,
    response: Response,
) -> NoticePublic:
    """Publish a commendation or criticism as drafted now; it then goes out to its recipients."""
    svc.settle()
    if str(notice_id) in published(svc.views):
        raise AlreadyPublishedError(f"notice {notice_id} is already published")
    draft = find_draft(svc, notice_id)
    if draft is None:
        raise not_found(
            f"no notice {notice_id} among the drafts of this or last month; list the period first"
        )
    notice = svc.park.publish_notice(make_act(svc, caller, req, None), draft)
    versioned(response, notice.version, svc.park.log_head())
    return NoticePublic.model_validate(
        notice_doc(draft, "published", notice.created_on.astimezone(SHANGHAI).isoformat())
    )
