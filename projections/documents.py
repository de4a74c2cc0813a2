"""The public documents of aggregates: what the API returns and the views store."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from domain.calendar import SHANGHAI
from domain.deadline import Deadline
from domain.enterprise import Assignment, Enterprise
from domain.matter import Matter
from domain.registry import Guarantor, Unit


def event_id(aggregate_id: object, version: int) -> str:
    """How an event is named in explanations: its aggregate and version (as in the audit log)."""
    return f"{aggregate_id}@{version}"


# Shanghai has kept +08:00 all year since 1992.
BUSINESS_OFFSET = timedelta(hours=8)
STEADY_SINCE = 1992


def local(moment: datetime | None) -> str | None:
    """An instant as ISO 8601 in business time (+08:00)."""
    if moment is None:
        return None
    if moment.year >= STEADY_SINCE and moment.utcoffset() == BUSINESS_OFFSET:
        return moment.isoformat()  # already in business time, as events record most instants
    return moment.astimezone(SHANGHAI).isoformat()


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def enterprise_doc(e: Enterprise) -> dict[str, Any]:
    return {
        "id": str(e.id),
        "uscc": e.uscc,
        "name": e.name,
        "industry": e.industry,
        "chain": e.chain,
        "above_scale": e.above_scale,
        "listed": e.listed,
        "listed_on": day(e.listed_on),
        "version": e.version,
        "assignments": [assignment_doc(e, a) for a in e.assignments.values()],
    }


def assignment_doc(e: Enterprise, a: Assignment) -> dict[str, Any]:
    return {
        "id": str(a.id),
        "enterprise_id": str(e.id),
        "guarantor_id": str(a.guarantor_id),
        "role": a.role,
        "effective_from": day(a.effective_from),
        "effective_to": day(a.effective_to),
        "release_reason": a.release_reason,
        "event_ids": [event_id(e.id, v) for v in (a.assigned_by, a.released_by) if v],
        "version": e.version,
    }


def guarantor_doc(g: Guarantor) -> dict[str, Any]:
    return {
        "id": str(g.id),
        "kind": g.kind,
        "name": g.name,
        "title": g.title,
        "unit": g.unit,
        "version": g.version,
    }


def unit_doc(u: Unit) -> dict[str, Any]:
    return {"id": str(u.id), "name": u.name, "version": u.version}


def deadline_doc(d: Deadline) -> dict[str, Any]:
    return {
        "step": d.step,
        "unit_id": d.unit_id,
        "rule": d.rule,
        "started_at": local(d.started_at),
        "due_at": local(d.due_at),
        "provisional": d.provisional,
        "calendar_version": d.calendar_version,
        "policy_version": d.policy_version,
        "met_at": local(d.met_at),
        "cancelled_at": local(d.cancelled_at),
        "extended_from": local(d.extended_from),
        "reminded_at": local(d.reminded_at),
        "missed_at": local(d.missed_at),
    }


def matter_doc(m: Matter) -> dict[str, Any]:
    return {
        "id": str(m.id),
        "enterprise_id": str(m.enterprise_id),
        "summary": m.summary,
        "category": m.category,
        "channel": m.channel,
        "status": m.status,
        "unit_id": m.unit_id,
        "received_at": local(m.received_at),
        "assigned_at": local(m.assigned_at),
        "resolved_at": local(m.resolved_at),
        "reply": m.reply,
        "withdrawal_reason": m.withdrawal_reason,
        "deadlines": [deadline_doc(d) for d in m.deadlines],
        "cap_at": local(m.cap.due_at) if m.cap else None,
        "cap_provisional": m.cap.provisional if m.cap else None,
        "major": m.major,
        "ratings": [
            {
                "level": r.level,
                "comment": r.comment,
                "rated_at": local(r.rated_at),
                "resolution": r.resolution,
            }
            for r in m.ratings
        ],
        "extension_requests": [
            {
                "id": str(r.id),
                "unit_id": r.unit_id,
                "requested_deadline": local(r.requested_deadline),
                "reason": r.reason,
                "requested_at": local(r.requested_at),
                "status": r.status,
                "decided_at": local(r.decided_at),
                "decision_reason": r.decision_reason,
            }
            for r in m.extension_requests
        ],
        "rating_invitations": list(m.invited_resolutions),
        "version": m.version,
    }


def next_due_epoch(m: Matter) -> int | None:
    """When the matter's earliest open step falls due (for the overdue filter)."""
    due = [d.due_at for d in m.deadlines if d.open]
    return int(min(due).timestamp()) if due else None
