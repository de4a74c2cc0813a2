"""Notices (通报): drafted deterministically from the views and scores; published ones as a view."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from domain.calendar import SHANGHAI
from domain.notice import Draft, Notice, notice_id
from domain.period import Period
from domain.scoring import Facts, Score, Step, day_of, overdue_marks
from projections.assessment import Assessor, FactsReader
from projections.base import PositionedEvent, Write, dumps, table_digest, upsert
from projections.documents import local
from projections.queries import Queries
from projections.sql import Tx, ViewDatabase

STEP_NAMES = {"assign": "交办", "handle": "办理", "rectify": "整改"}
ROLE_NAMES = {"group_leader": "组长", "deputy_group_leader": "副组长"}
# Which period each drafted notice belongs to, so that a notice can be found by its id.
NOTICE_INDEX_DDL = "CREATE TABLE IF NOT EXISTS api_notice_index (id TEXT PRIMARY KEY, period TEXT)"


def period_cn(period: Period) -> str:
    if period.kind == "month":
        return f"{period.year}年{period.number}月"
    if period.kind == "quarter":
        return f"{period.year}年第{period.number}季度"
    return f"{period.year}年度"


def moment_cn(moment: datetime) -> str:
    local_moment = moment.astimezone(SHANGHAI)
    return f"{local_moment.year}年{local_moment.month}月{local_moment.day}日{local_moment:%H:%M}"


def notice_doc(draft: Draft, status: str, published_at: str | None = None) -> dict[str, Any]:
    return {
        "id": str(draft.id),
        "kind": draft.kind,
        "reason": draft.reason,
        "period": draft.period,
        "subject": draft.subject,
        "title": draft.title,
        "body": draft.body,
        "recipients": list(draft.recipients),
        "event_ids": list(draft.event_ids),
        "status": status,
        "published_at": published_at,
    }


class NoticesProjection:
    """Published notices, as the supervision office published them."""

    name = "notices"
    tables = ("v_notices",)
    ddl = (
        "CREATE TABLE IF NOT EXISTS v_notices (id TEXT PRIMARY KEY, seq BIGINT, kind TEXT, "
        "period TEXT, doc TEXT)",
    )
    digest_columns: ClassVar[dict[str, tuple[str, ...]]] = {"v_notices": ("id", "seq", "doc")}

    def reads(self, event_class: type[Any]) -> bool:
        return event_class is Notice.Published

    def apply(self, tx: Tx, events: Sequence[PositionedEvent]) -> None:
        self.stage(tx, events)(tx)

    def stage(self, tx: Tx, events: Sequence[PositionedEvent]) -> Write:
        rows = []
        for position, event in events:
            if not isinstance(event, Notice.Published):
                continue
            draft = Draft(
                event.originator_id,
                event.kind,
                event.reason,
                event.period,
                event.subject,
                event.title,
                event.body,
                tuple(event.recipients),
                tuple(event.event_ids),
            )
            doc = notice_doc(draft, "published", local(event.timestamp))
            rows.append(
                {
                    "id": doc["id"],
                    "seq": position,
                    "kind": draft.kind,
                    "period": draft.period,
                    "doc": dumps(doc),
                }
            )
        return lambda tx: upsert(tx, "v_notices", rows)

    def digest(self, tx: Tx) -> str:
        parts = [table_digest(tx, t, c) for t, c in self.digest_columns.items()]
        return hashlib.sha256("".join(parts).encode()).hexdigest()


class Drafter:
    """Drafts commendations, criticisms and supervision notices in the register of a 通报."""

    def __init__(self, views: ViewDatabase, assessor: Assessor) -> None:
        self.views = views
        self.assessor = assessor
        self.reader = FactsReader(views)

    def drafts(self, period: Period, now: datetime, position: int) -> list[Draft]:
        scores = self.assessor.scores(period, now, position)
        found = [d for s in scores if (d := self.on_grade(s, period)) is not None]
        for month in period.months():
            if month.first > now.astimezone(SHANGHAI).date():
                break
            policy = self.assessor.policy_for(month, None)
            facts = self.reader.month(month, Decimal(policy.document.sales_target), now)
            found.extend(self.on_overdue_steps(month, facts, now))
            found.extend(self.on_missed_dispatch(month, facts))
        return found

    def on_grade(self, s: Score, period: Period) -> Draft | None:
        if s.grade not in ("优秀", "不合格"):
            return None
        evidence = tuple(
            sorted(
                {
                    i
                    for part in s.explanation.get("components", {}).values()
                    for item in (
                        part.get("steps", []) + part.get("ratings", []) + part.get("visits", [])
                    )
                    for i in item.get("event_ids", [])
                }
            )
        )
        who = f"{s.guarantor.name}"
        if s.grade == "优秀":
            return Draft(
                notice_id("commendation", str(period), s.guarantor.id),
                "commendation",
                "grade_excellent",
                str(period),
                s.guarantor.id,
                f"关于{period_cn(period)}包保工作考核优秀等次的通报表扬",
                f"经考核，{who}在{period_cn(period)}包保工作中履职尽责、成效明显，考核得分{s.score}分，"
                "等次为优秀。现予通报表扬，希望再接再厉，继续发挥示范带动作用。",
                (f"guarantor:{s.guarantor.id}",),
                evidence,
            )
        return Draft(
            notice_id("criticism", str(period), s.guarantor.id),
            "criticism",
            "grade_failing",
            str(period),
            s.guarantor.id,
            f"关于{period_cn(period)}包保工作考核不合格的通报批评",
            f"经考核，{who}在{period_cn(period)}包保工作中考核得分{s.score}分，等次为不合格。"
            "现予通报批评，请认真反思、限期整改，并将整改情况报园区督查室。",
            (f"guarantor:{s.guarantor.id}",),
            evidence,
        )

    def on_overdue_steps(self, month: Period, facts: Facts, now: datetime) -> list[Draft]:
        policy = self.assessor.policy_for(month, None)
        calendar = self.assessor.calendar_for(policy)
        days = policy.document.criticism_overdue_working_days
        marks = overdue_marks(facts.steps, month, calendar, days, now)
        names = self.names([s for s, _ in marks])
        drafts = []
        for step, moment in marks:
            matter = names["matters"].get(step.matter_id, {})
            enterprise = names["enterprises"].get(step.enterprise_id, {}).get("name", "")
            deadlines = matter.get("deadlines", [])
            index = int(step.id.rsplit(":", 1)[1])
            unit_id = deadlines[index].get("unit_id") if index < len(deadlines) else None
            unit = names["units"].get(unit_id or "", {}).get("name", "企业服务中心")
            guarantors = sorted(
                c.guarantor_id
                for c in facts.coverage
                if c.enterprise_id == step.enterprise_id
                and c.first <= day_of(moment)
                and (c.last is None or day_of(moment) <= c.last)
            )
            guarantor_names = "、".join(
                facts.guarantors[g].name for g in guarantors if g in facts.guarantors
            )
            drafts.append(
                Draft(
                    notice_id("criticism", str(month), step.id),
                    "criticism",
                    "overdue_step",
                    str(month),
                    step.id,
                    "关于企业诉求办理严重超期的通报批评",
                    f"{enterprise}诉求（编号{step.matter_id[:8]}）"
                    f"{STEP_NAMES.get(step.step, step.step)}"
                    f"时限为{moment_cn(step.due_at)}，截至{moment_cn(moment)}仍未完成，超期逾{days}个工作日。"
                    f"现对承办单位{unit}及包保人{guarantor_names or '（无）'}予以通报批评，"
                    "请立即办结并书面说明原因。",
                    (
                        f"unit:{unit_id}" if unit_id else "window",
                        *(f"guarantor:{g}" for g in guarantors),
                    ),
                    step.event_ids,
                )
            )
        return drafts

    def on_missed_dispatch(self, month: Period, facts: Facts) -> list[Draft]:
        drafts = []
        for slot in facts.missed_slots:
            person = slot.guarantor_id
            name = facts.guarantors[person].name if person in facts.guarantors else person
            span = f"{slot.first.month}月{slot.first.day}日至{slot.last.month}月{slot.last.day}日"
            subject = f"{person}:{slot.first.isoformat()}"
            drafts.append(
                Draft(
                    notice_id("criticism", str(month), subject),
                    "criticism",
                    "missed_dispatch",
                    str(month),
                    subject,
                    "关于未按规定召开调度会议的通报批评",
                    f"{name}（领导小组{ROLE_NAMES.get(slot.role, '')}）在{span}期间未召开调度会议，"
                    "不符合“双调度”工作机制要求。现予通报批评，请于下一周期内补充召开并报送调度记录。",
                    (f"guarantor:{person}",),
                    slot.event_ids,
                )
            )
        return drafts

    def supervision(self, as_of: datetime) -> tuple[Draft, list[dict[str, Any]]]:
        """Every deadline step open and past due at `as_of` (a business time), as a 督办通报."""
        moment = int(as_of.timestamp())
        rows = self.views.read(
            "SELECT id, matter_id, enterprise_id, step, due_at, met_at, cancelled_at, event_ids "
            "FROM v_steps WHERE due<? ORDER BY due, id",
            [moment],
        )
        steps = []
        for i, m, e, s, due, met, cancelled, ids in rows:
            done = [datetime.fromisoformat(t) for t in (met, cancelled) if t]
            if done and min(done) <= as_of:
                continue
            if datetime.fromisoformat(due) >= as_of:
                continue
            steps.append(
                Step(
                    str(i),
                    str(m),
                    str(e),
                    str(s),
                    datetime.fromisoformat(due),
                    None,
                    None,
                    tuple(ids.split(",")) if ids else (),
                )
            )
        names = self.names(steps)
        items = []
        for step in steps:
            matter = names["matters"].get(step.matter_id, {})
            unit_id = matter.get("unit_id") if step.step != "assign" else None
            items.append(
                {
                    "matter_id": step.matter_id,
                    "step": step.step,
                    "due_at": local(step.due_at),
                    "enterprise_id": step.enterprise_id,
                    "enterprise": names["enterprises"].get(step.enterprise_id, {}).get("name"),
                    "summary": matter.get("summary"),
                    "unit_id": unit_id,
                    "unit": names["units"].get(unit_id or "", {}).get("name", "企业服务中心"),
                    "overdue_hours": round((as_of - step.due_at).total_seconds() / 3600, 1),
                    "event_ids": list(step.event_ids),
                }
            )
        when = moment_cn(as_of)
        lines = [
            f"{n}. {i['enterprise']}「{(i['summary'] or '')[:30]}」"
            f"{STEP_NAMES.get(i['step'], i['step'])}"
            f"应于{moment_cn(datetime.fromisoformat(i['due_at']))}前完成（{i['unit']}）"
            for n, i in enumerate(items, start=1)
        ]
        body = (
            (
                f"截至{when}，共有{len(items)}项企业诉求办理超期：\n"
                + "\n".join(lines)
                + "\n请相关单位立即办结，并于1个工作日内向园区督查室书面说明超期原因。"
            )
            if items
            else f"截至{when}，无超期企业诉求。"
        )
        draft = Draft(
            notice_id("supervision", as_of.isoformat(), "overdue"),
            "supervision",
            "overdue_list",
            as_of.astimezone(SHANGHAI).date().isoformat(),
            "overdue",
            f"关于截至{when}企业诉求超期情况的督办通报",
            body,
            tuple(sorted({f"unit:{i['unit_id']}" if i["unit_id"] else "window" for i in items})),
            tuple(sorted({e for i in items for e in i["event_ids"]})),
        )
        return draft, items

    def names(self, steps: list[Step]) -> dict[str, dict[str, dict[str, Any]]]:
        queries = Queries(self.views)
        matters = queries.docs("v_matters", [s.matter_id for s in steps])
        return {
            "matters": matters,
            "enterprises": queries.docs("v_enterprises", [s.enterprise_id for s in steps]),
            "units": queries.docs(
                "v_units", [m["unit_id"] for m in matters.values() if m.get("unit_id")]
            ),
        }
