"""The visits read model: who visited which enterprise when, and the matters it opened."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.visit import Visit
from projections.base import PositionedEvent, Write, dumps, table_digest, upsert
from projections.documents import local
from projections.sql import Tx

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
COLUMNS = ("id", "seq", "guarantor_id", "enterprise_id", "visited_at", "kind", "recorded_us", "doc")


def epoch_us(moment: datetime) -> int:
    """An instant as whole microseconds since the epoch (for `as_of` filters)."""
    return (moment - EPOCH) // MICROSECOND


def visit_doc(visit: Visit) -> dict[str, Any]:
    problems = [
        {"summary": p.summary, "category": p.category, "matter_id": str(m)}
        for p, m in zip(visit.problems, visit.matter_ids, strict=True)
    ]
    return {
        "id": str(visit.id),
        "guarantor_id": str(visit.guarantor_id),
        "enterprise_id": str(visit.enterprise_id),
        "kind": visit.kind,
        "visited_at": local(visit.visited_at),
        "notes": visit.notes,
        "problems": problems,
        "matter_ids": [str(m) for m in visit.matter_ids],
        "recorded_at": local(visit.created_on),
        "version": visit.version,
    }


class VisitsProjection:
    """Every recorded visit, filterable by guarantor, enterprise and month of the visit."""

    name = "visits"
    tables = ("v_visits",)
    ddl = (
        "CREATE TABLE IF NOT EXISTS v_visits (id TEXT PRIMARY KEY, seq BIGINT, guarantor_id TEXT, "
        "enterprise_id TEXT, visited_at TEXT, kind TEXT, recorded_us BIGINT, doc TEXT)",
        "CREATE INDEX IF NOT EXISTS v_visits_guarantor ON v_visits (guarantor_id, seq)",
        "CREATE INDEX IF NOT EXISTS v_visits_enterprise ON v_visits (enterprise_id, seq)",
        "CREATE INDEX IF NOT EXISTS v_visits_seq ON v_visits (seq)",
    )

    def reads(self, event_class: type[Any]) -> bool:
        return event_class is Visit.Recorded

    def apply(self, tx: Tx, events: Sequence[PositionedEvent]) -> None:
        self.stage(tx, events)(tx)

    def stage(self, tx: Tx, events: Sequence[PositionedEvent]) -> Write:
        rows: list[dict[str, Any]] = []
        for position, event in events:
            if not isinstance(event, Visit.Recorded):
                continue
            visit = event.mutate(None)
            assert isinstance(visit, Visit)
            rows.append(
                {
                    "id": str(visit.id),
                    "seq": position,
                    "guarantor_id": str(visit.guarantor_id),
                    "enterprise_id": str(visit.enterprise_id),
                    # Business time (+08:00) as text: a yyyy-mm prefix selects a month.
                    "visited_at": local(visit.visited_at),
                    "kind": visit.kind,
                    "recorded_us": epoch_us(visit.created_on),
                    "doc": dumps(visit_doc(visit)),
                }
            )
        return lambda tx: upsert(tx, "v_visits", rows)

    def digest(self, tx: Tx) -> str:
        return table_digest(tx, "v_visits", COLUMNS)
