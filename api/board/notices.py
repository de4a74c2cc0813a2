"""Section 5: the period's commendations and criticisms awaiting publication; publishing one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from uuid import UUID

from fastapi import Response

from api.routes.notices import NoticePublic, list_notices, publish_notice
from api.services import Caller, Services
from domain.period import Period

EVERYONE = 500
KIND_NAMES = {"commendation": "通报表扬", "criticism": "通报批评", "supervision": "督办通报"}
REASON_NAMES = {
    "grade_excellent": "考核优秀",
    "grade_failing": "考核不合格",
    "overdue_step": "超期逾5个工作日",
    "missed_dispatch": "未按期调度",
    "overdue_list": "超期清单",
}


@dataclass(frozen=True)
class NoticeSection:
    period: str
    drafts: list[NoticePublic]
    published: list[NoticePublic]


def notice_section(svc: Services, caller: Caller, period: Period) -> NoticeSection:
    """GET /v1/notices?period=: drafted now (publishing is an act of now), drafts first."""
    page = list_notices(svc, caller, str(period), None, None, EVERYONE, None, None)
    return NoticeSection(
        str(period),
        [n for n in page.items if n.status == "draft"],
        [n for n in page.items if n.status == "published"],
    )


def publish(svc: Services, caller: Caller, notice_id: UUID) -> NoticePublic:
    """POST /v1/notices/{id}/publish on the supervision office's behalf; its errors propagate."""
    return publish_notice(notice_id, svc, caller, f"board-{uuid.uuid4()}", Response())
