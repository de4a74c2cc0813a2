"""Read models of the leading group and its dispatches (SPEC §6)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID

from domain.cadence import Convened, Tenure
from domain.calendar import SHANGHAI
from domain.leading_group import Dispatch, GroupMember
from projections.base import PositionedEvent, dumps, table_digest, upsert
from projections.documents import day, local
from projections.sql import Tx, ViewDatabase

HANDLED: frozenset[type[Any]] = frozenset(
    (GroupMember.Appointed, GroupMember.TenureEnded, Dispatch.Held)
)


def member_doc(m: GroupMember) -> dict[str, Any]:
    return {
        "id": str(m.id),
        "person_id": str(m.person_id),
        "role": m.role,
        "effective_from": day(m.effective_from),
        "effective_to": day(m.effective_to),
        "end_reason": m.end_reason,
        "version": m.version,
    }


def dispatch_doc(d: Dispatch) -> dict[str, Any]:
    return {
        "id": str(d.id),
        "convener_id": str(d.convener_id),
        "member_id": str(d.member_id),
        "role": d.role,
        "kind": d.kind,
        "held_at": local(d.held_at),
        "enterprise_ids": [str(i) for i in d.enterprise_ids],
        "matter_ids": [str(i) for i in d.matter_ids],
        "directives": [
            {
                "enterprise_id": str(x.enterprise_id),
                "summary": x.summary,
                "unit_id": str(x.unit_id),
                "matter_id": str(x.matter_id),
            }
            for x in d.directives
        ],
        "recorded_at": local(d.created_on),
        "backdated": d.held_at < d.created_on,
        "version": d.version,
    }


def member_row(doc: dict[str, Any], seq: int) -> dict[str, Any]:
    return {
        "id": doc["id"],
        "seq": seq,
        "person_id": doc["person_id"],
        "role": doc["role"],
        "effective_from": doc["effective_from"],
        "effective_to": doc["effective_to"],
        "doc": dumps(doc),
    }


def tenure_of(doc: dict[str, Any]) -> Tenure:
    """A leading-group member's tenure from its view document."""
    return Tenure(
        UUID(doc["id"]),
        UUID(doc["person_id"]),
        doc["role"],
        date.fromisoformat(doc["effective_from"]),
        date.fromisoformat(doc["effective_to"]) if doc["effective_to"] else None,
    )


def convened_of(doc: dict[str, Any]) -> Convened:
    """A dispatch, as compliance needs it, from its view document."""
    return Convened(
        UUID(doc["id"]), UUID(doc["convener_id"]), datetime.fromisoformat(doc["held_at"])
    )


class DispatchProjection:
    """Leading-group members (`v_group_members`) and dispatches (`v_dispatches`)."""

    name = "dispatch"
    tables = ("v_group_members", "v_dispatches")
    ddl = (
        "CREATE TABLE IF NOT EXISTS v_group_members (id TEXT PRIMARY KEY, seq BIGINT, "
        "person_id TEXT, role TEXT, effective_from TEXT, effective_to TEXT, doc TEXT)",
        "CREATE INDEX IF NOT EXISTS v_group_members_person ON v_group_members (person_id)",
        "CREATE TABLE IF NOT EXISTS v_dispatches (id TEXT PRIMARY KEY, seq BIGINT, "
        "convener_id TEXT, period TEXT, held_on TEXT, doc TEXT)",
        "CREATE INDEX IF NOT EXISTS v_dispatches_period ON v_dispatches (period, seq)",
        "CREATE INDEX IF NOT EXISTS v_dispatches_convener ON v_dispatches (convener_id, seq)",
    )
    digest_columns: ClassVar[dict[str, tuple[str, ...]]] = {
        "v_group_members": ("id", "seq", "doc"),
        "v_dispatches": ("id", "seq", "doc"),
    }

    def reads(self, event_class: type[Any]) -> bool:
        return event_class in HANDLED

    def apply(self, tx: Tx, events: Sequence[PositionedEvent]) -> None:
        for position, event in events:
            if type(event) not in HANDLED:  # most of the log
                continue
            if isinstance(event, GroupMember.Appointed):
                self.appointed(tx, position, event)
            elif isinstance(event, GroupMember.TenureEnded):
                self.tenure_ended(tx, event)
            elif isinstance(event, Dispatch.Held):
                self.held(tx, position, event)

    def appointed(self, tx: Tx, position: int, event: GroupMember.Appointed) -> None:
        member = event.mutate(None)
        assert isinstance(member, GroupMember)
        upsert(tx, "v_group_members", [member_row(member_doc(member), position)], keep=("seq",))

    def tenure_ended(self, tx: Tx, event: GroupMember.TenureEnded) -> None:
        row = tx.one("SELECT seq, doc FROM v_group_members WHERE id=?", [str(event.originator_id)])
        if row is None:  # the appointment is always earlier in the log
            return
        doc = {
            **json.loads(row[1]),
            "effective_to": day(event.effective_to),
            "end_reason": event.reason,
            "version": event.originator_version,
        }
        upsert(tx, "v_group_members", [member_row(doc, int(row[0]))], keep=("seq",))

    def held(self, tx: Tx, position: int, event: Dispatch.Held) -> None:
        dispatch = event.mutate(None)
        assert isinstance(dispatch, Dispatch)
        held_on = dispatch.held_at.astimezone(SHANGHAI).date()
        row = {
            "id": str(dispatch.id),
            "seq": position,
            "convener_id": str(dispatch.convener_id),
            "period": held_on.isoformat()[:7],
            "held_on": held_on.isoformat(),
            "doc": dumps(dispatch_doc(dispatch)),
        }
        upsert(tx, "v_dispatches", [row], keep=("seq",))

    def digest(self, tx: Tx) -> str:
        parts = [table_digest(tx, t, c) for t, c in self.digest_columns.items()]
        return hashlib.sha256("".join(parts).encode()).hexdigest()


class DispatchQueries:
    """Reads over the leading-group views that paging by `seq` does not cover."""

    def __init__(self, views: ViewDatabase) -> None:
        self.views = views

    def dispatches_between(self, first: date, last: date) -> list[dict[str, Any]]:
        rows = self.views.read(
            "SELECT doc FROM v_dispatches WHERE held_on>=? AND held_on<=? ORDER BY held_on, seq",
            [first.isoformat(), last.isoformat()],
        )
        return [json.loads(doc) for (doc,) in rows]
