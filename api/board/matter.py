"""Detail page: a matter with its deadlines and its timeline (every event, who and when)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from fastapi import Response

from api.board.formats import moment
from api.models import MatterPublic, TimelineEntry
from api.routes.matters import get_matter, matter_timeline
from api.services import Caller, Services
from projections.notices import STEP_NAMES

EVENT_NAMES = {
    "Matter.Received": "受理",
    "Matter.Assigned": "交办",
    "Matter.Transferred": "转办",
    "Matter.ExtensionRequested": "申请延期",
    "Matter.ExtensionApproved": "批准延期",
    "Matter.ExtensionRejected": "驳回延期",
    "Matter.Resolved": "办结答复",
    "Matter.Rated": "企业评价",
    "Matter.Withdrawn": "撤回",
    "Matter.DeadlineReminded": "限时办结提醒",
    "Matter.DeadlineMissed": "超期",
    "Matter.RatingInvited": "邀请评价",
    "Matter.DeadlineRecomputed": "时限重算",
}
STATUS_NAMES = {
    "received": "已受理",
    "assigned": "办理中",
    "resolved": "已办结",
    "rectifying": "整改中",
    "closed": "已关闭",
    "withdrawn": "已撤回",
}
STATE_NAMES = {
    "pending": "未到期",
    "reminded": "已提醒",
    "met": "按时完成",
    "missed": "超期",
    "cancelled": "取消",
}


FIELD_NAMES = {
    "summary": "诉求",
    "category": "类别",
    "channel": "渠道",
    "unit_id": "承办单位",
    "reason": "理由",
    "reply": "答复",
    "level": "评价等级",
    "comment": "评语",
    "requested_deadline": "申请期限",
    "step": "环节",
}
LEFT_OUT = {"enterprise_id", "received_at", "request_id", "index"}


@dataclass(frozen=True)
class MatterPage:
    matter: MatterPublic
    enterprise: str
    unit: str | None
    timeline: list[TimelineEntry]
    units: dict[str, str]

    def details(self, entry: TimelineEntry) -> list[tuple[str, str]]:
        """An event's data as a person reads it: named fields, deadlines as their due times."""
        shown = []
        for key, value in entry.data.items():
            if isinstance(value, dict) and value.get("due_at"):
                step = STEP_NAMES.get(str(value.get("step")), "办结上限")
                shown.append((f"{step}时限", moment(str(value["due_at"]))))
            elif key == "unit_id" and value:
                shown.append((FIELD_NAMES[key], self.units.get(str(value), str(value))))
            elif key == "step" and value:
                shown.append((FIELD_NAMES[key], STEP_NAMES.get(str(value), str(value))))
            elif key == "requested_deadline" and value:
                shown.append((FIELD_NAMES[key], moment(str(value))))
            elif key not in LEFT_OUT and isinstance(value, str | int) and value != "":
                shown.append((FIELD_NAMES.get(key, key), str(value)))
        return shown


def matter_page(
    svc: Services, caller: Caller, matter_id: UUID, as_of: datetime | None
) -> MatterPage:
    """GET /v1/matters/{id}[?as_of=] and GET /v1/matters/{id}/timeline, with names for the ids."""
    matter = get_matter(matter_id, svc, caller, Response(), as_of, None)
    timeline = matter_timeline(matter_id, svc, caller)
    enterprise = svc.queries.doc("v_enterprises", str(matter.enterprise_id)) or {}
    unit_ids = [str(e.data["unit_id"]) for e in timeline if e.data.get("unit_id")]
    units = {i: str(d["name"]) for i, d in svc.queries.docs("v_units", unit_ids).items()}
    return MatterPage(
        matter,
        str(enterprise.get("name", matter.enterprise_id)),
        units.get(str(matter.unit_id)) if matter.unit_id else None,
        timeline,
        units,
    )
