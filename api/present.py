"""Turn stored documents into API responses, adding what depends on the moment of reading."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from api.models import AssignmentPublic, EnterprisePublic, MatterPublic
from projections.documents import local


def present_matter(doc: dict[str, Any], now: datetime) -> MatterPublic:
    """A matter with each deadline's state and lateness as of `now`."""
    deadlines = []
    overdue = False
    for d in doc["deadlines"]:
        due = datetime.fromisoformat(d["due_at"])
        met = datetime.fromisoformat(d["met_at"]) if d["met_at"] else None
        if d["cancelled_at"]:
            state = "cancelled"
        elif met is not None:
            state = "met"
        elif now > due:
            state = "missed"
        else:
            state = "reminded" if d.get("reminded_at") else "pending"
        late = (met is not None and met > due) or state == "missed"
        overdue = overdue or state == "missed"
        deadlines.append({**d, "state": state, "late": late})
    return MatterPublic.model_validate({**doc, "deadlines": deadlines, "overdue": overdue})


def present_assignment(
    doc: dict[str, Any], guarantors: dict[str, dict[str, Any]]
) -> AssignmentPublic:
    g = guarantors.get(doc["guarantor_id"], {})
    return AssignmentPublic.model_validate(
        {**doc, "guarantor_name": g.get("name"), "guarantor_kind": g.get("kind")}
    )


def present_enterprise(
    doc: dict[str, Any], today: date, guarantors: dict[str, dict[str, Any]]
) -> EnterprisePublic:
    current = [
        present_assignment(a, guarantors)
        for a in doc["assignments"]
        if a["effective_from"] <= today.isoformat()
        and (a["effective_to"] is None or a["effective_to"] >= today.isoformat())
    ]
    return EnterprisePublic.model_validate({**doc, "guarantors": current})


def guarantor_ids(*docs: dict[str, Any]) -> list[str]:
    return [a["guarantor_id"] for doc in docs for a in doc.get("assignments", [])]


def plain(value: Any) -> Any:
    """An event field as JSON: ids and decimals as strings, times in +08:00."""
    if isinstance(value, datetime):
        return local(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value
