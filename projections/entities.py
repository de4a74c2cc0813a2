"""Read models of the registry and of matters, kept by replaying events onto the aggregates."""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, ClassVar
from uuid import UUID

from domain.application import ParkCore, replay
from domain.base import BaobaoAggregate
from domain.enterprise import Enterprise
from domain.matter import Matter
from domain.registry import Guarantor, Unit
from projections.base import PositionedEvent, Write, dumps, nothing, table_digest, upsert
from projections.documents import (
    enterprise_doc,
    event_id,
    guarantor_doc,
    matter_doc,
    next_due_epoch,
    unit_doc,
)
from projections.sql import Tx

log = logging.getLogger("baobao.entities")

TRACKED: dict[str, type[BaobaoAggregate]] = {
    "Enterprise": Enterprise,
    "Guarantor": Guarantor,
    "Unit": Unit,
    "Matter": Matter,
}
# The view row of each aggregate, which keeps the position of its first event (`seq`).
MAIN_TABLE: dict[type[BaobaoAggregate], str] = {
    Enterprise: "v_enterprises",
    Guarantor: "v_guarantors",
    Unit: "v_units",
    Matter: "v_matters",
}


@cache
def tracked(event_class: type[Any]) -> bool:
    """Whether events of this class change an aggregate this projection mirrors."""
    return event_class.__qualname__.split(".")[0] in TRACKED


# Aggregates kept in memory between pages (a rebuild touches most of them again soon). An
# aggregate takes about 3 KiB (an enterprise) to 5.5 KiB (a matter): at most ~550 MiB. The
# province lists its 100,000 enterprises in the first weeks and changes them again months
# later; with room for 20,000, its first 1.2 million events replayed 100,000 of them from the
# log (a tenth of the projection's time), with room for 100,000 none.
CACHE_SIZE = 100_000


def rows_of_enterprise(e: Enterprise, seq: int) -> dict[str, list[dict[str, Any]]]:
    doc = enterprise_doc(e)
    return {
        "v_enterprises": [
            {
                "id": doc["id"],
                "seq": seq,
                "chain": e.chain,
                "listed": e.listed,
                "uscc": e.uscc,
                "listed_on": e.listed_on.isoformat(),
                "doc": dumps(doc),
            }
        ],
        "v_assignments": [
            {
                "id": assignment["id"],
                "seq": seq,
                "enterprise_id": doc["id"],
                "guarantor_id": assignment["guarantor_id"],
                "role": a.role,
                "effective_from": assignment["effective_from"],
                "effective_to": assignment["effective_to"],
                "doc": dumps(assignment),
            }
            # The enterprise's document holds each assignment's.
            for a, assignment in zip(e.assignments.values(), doc["assignments"], strict=True)
        ],
    }


def rows_of_guarantor(g: Guarantor, seq: int) -> dict[str, list[dict[str, Any]]]:
    return {
        "v_guarantors": [
            {"id": str(g.id), "seq": seq, "kind": g.kind, "doc": dumps(guarantor_doc(g))}
        ]
    }


def rows_of_unit(u: Unit, seq: int) -> dict[str, list[dict[str, Any]]]:
    return {"v_units": [{"id": str(u.id), "seq": seq, "doc": dumps(unit_doc(u))}]}


def rows_of_matter(m: Matter, seq: int) -> dict[str, list[dict[str, Any]]]:
    matter_id, enterprise_id = str(m.id), str(m.enterprise_id)
    return {
        "v_matters": [
            {
                "id": matter_id,
                "seq": seq,
                "enterprise_id": enterprise_id,
                "unit_id": m.unit_id,
                "status": m.status,
                "next_due": next_due_epoch(m),
                "received": int(m.received_at.timestamp()),
                "doc": dumps(matter_doc(m)),
            }
        ],
        "v_steps": [
            {
                "id": f"{matter_id}:{index}",
                "seq": seq,
                "matter_id": matter_id,
                "enterprise_id": enterprise_id,
                "step": d.step,
                "due": int(d.due_at.timestamp()),
                "due_at": d.due_at.isoformat(),
                "met_at": d.met_at.isoformat() if d.met_at else None,
                "cancelled_at": d.cancelled_at.isoformat() if d.cancelled_at else None,
                "event_ids": ",".join(event_id(matter_id, v) for v in (d.set_by, d.met_by) if v),
            }
            for index, d in enumerate(m.deadlines)
        ],
        "v_ratings": [
            {
                "id": f"{matter_id}:r{index}",
                "seq": seq,
                "matter_id": matter_id,
                "enterprise_id": enterprise_id,
                "rated": int(r.rated_at.timestamp()),
                "rated_at": r.rated_at.isoformat(),
                "level": r.level,
                "event_id": event_id(matter_id, r.version),
            }
            for index, r in enumerate(m.ratings)
        ],
    }


ROWS: dict[type[BaobaoAggregate], Callable[[Any, int], dict[str, list[dict[str, Any]]]]] = {
    Enterprise: rows_of_enterprise,
    Guarantor: rows_of_guarantor,
    Unit: rows_of_unit,
    Matter: rows_of_matter,
}


class EntitiesProjection:
    """Enterprises, assignments, guarantors, units and matters as documents with filter columns."""

    name = "entities"
    tables = (
        "v_enterprises",
        "v_assignments",
        "v_guarantors",
        "v_units",
        "v_matters",
        "v_steps",
        "v_ratings",
    )
    ddl = (
        # Aggregates were once kept here as snapshots; they are now read from the log.
        "DROP TABLE IF EXISTS v_state",
        "CREATE TABLE IF NOT EXISTS v_enterprises (id TEXT PRIMARY KEY, seq BIGINT, chain TEXT, "
        "listed BOOLEAN, uscc TEXT, listed_on TEXT, doc TEXT)",
        "CREATE TABLE IF NOT EXISTS v_assignments (id TEXT PRIMARY KEY, seq BIGINT, "
        "enterprise_id TEXT, "
        "guarantor_id TEXT, role TEXT, effective_from TEXT, effective_to TEXT, doc TEXT)",
        "CREATE INDEX IF NOT EXISTS v_assignments_enterprise ON v_assignments (enterprise_id)",
        "CREATE INDEX IF NOT EXISTS v_assignments_guarantor ON v_assignments (guarantor_id)",
        "CREATE TABLE IF NOT EXISTS v_guarantors (id TEXT PRIMARY KEY, seq BIGINT, kind TEXT, "
        "doc TEXT)",
        "CREATE TABLE IF NOT EXISTS v_units (id TEXT PRIMARY KEY, seq BIGINT, doc TEXT)",
        "CREATE TABLE IF NOT EXISTS v_matters (id TEXT PRIMARY KEY, seq BIGINT, "
        "enterprise_id TEXT, "
        "unit_id TEXT, status TEXT, next_due BIGINT, received BIGINT, doc TEXT)",
        "CREATE INDEX IF NOT EXISTS v_matters_seq ON v_matters (seq)",
        "CREATE INDEX IF NOT EXISTS v_matters_unit ON v_matters (unit_id, seq)",
        "CREATE INDEX IF NOT EXISTS v_matters_enterprise ON v_matters (enterprise_id, seq)",
        "CREATE INDEX IF NOT EXISTS v_matters_due ON v_matters (next_due)",
        # The overdue list pages by seq over the few matters with an open step (next_due < now
        # implies next_due IS NOT NULL, so both databases use this index and skip the rest).
        "CREATE INDEX IF NOT EXISTS v_matters_open ON v_matters (seq) WHERE next_due IS NOT NULL",
        "CREATE TABLE IF NOT EXISTS v_steps (id TEXT PRIMARY KEY, seq BIGINT, matter_id TEXT, "
        "enterprise_id TEXT, step TEXT, due BIGINT, due_at TEXT, met_at TEXT, cancelled_at TEXT, "
        "event_ids TEXT)",
        "CREATE INDEX IF NOT EXISTS v_steps_due ON v_steps (due)",
        "CREATE TABLE IF NOT EXISTS v_ratings (id TEXT PRIMARY KEY, seq BIGINT, matter_id TEXT, "
        "enterprise_id TEXT, rated BIGINT, rated_at TEXT, level INTEGER, event_id TEXT)",
        "CREATE INDEX IF NOT EXISTS v_ratings_rated ON v_ratings (rated)",
    )
    digest_columns: ClassVar[dict[str, tuple[str, ...]]] = {
        "v_enterprises": ("id", "seq", "doc"),
        "v_assignments": ("id", "seq", "doc"),
        "v_guarantors": ("id", "seq", "doc"),
        "v_units": ("id", "seq", "doc"),
        "v_matters": ("id", "seq", "next_due", "doc"),
        "v_steps": ("id", "due_at", "met_at", "cancelled_at", "event_ids"),
        "v_ratings": ("id", "rated_at", "level", "event_id"),
    }

    def __init__(self, app: ParkCore, cache_size: int = CACHE_SIZE) -> None:
        self.app = app
        self.cache: OrderedDict[UUID, tuple[BaobaoAggregate, int]] = OrderedDict()
        self.cache_size = cache_size

    def reads(self, event_class: type[Any]) -> bool:
        return event_class.__qualname__.split(".")[0] in TRACKED

    def apply(self, tx: Tx, events: Sequence[PositionedEvent]) -> None:
        self.stage(tx, events)(tx)

    def stage(self, tx: Tx, events: Sequence[PositionedEvent]) -> Write:
        relevant = [(p, e) for p, e in events if tracked(type(e))]
        if not relevant:
            return nothing
        firsts: dict[UUID, int] = {}
        for _, event in relevant:
            firsts.setdefault(event.originator_id, event.originator_version)
        try:
            states = self.load(tx, firsts)
            touched: dict[UUID, tuple[BaobaoAggregate, int]] = {}
            for position, event in relevant:
                current = states.get(event.originator_id)
                aggregate = event.mutate(current[0] if current else None)  # type: ignore[attr-defined]
                seq = current[1] if current else position
                states[event.originator_id] = (aggregate, seq)
                touched[event.originator_id] = (aggregate, seq)
        except BaseException:
            self.cache.clear()  # a half-applied event may have changed a kept aggregate
            raise
        tables = self.rows(touched)
        self.keep(touched)

        def write(tx: Tx) -> None:
            for table, rows in tables.items():
                upsert(tx, table, rows)

        return write

    def load(self, tx: Tx, firsts: dict[UUID, int]) -> dict[UUID, tuple[BaobaoAggregate, int]]:
        """Each aggregate as it stood before the page's first event of it: kept in memory if
        at that version (whether or not the page that got it there was committed, the log is
        the same), else replayed from the log up to that version."""
        found: dict[UUID, tuple[BaobaoAggregate, int]] = {}
        replayed: dict[str, dict[str, BaobaoAggregate]] = {}
        for aggregate_id, version in firsts.items():
            if version <= 1:
                continue  # created in this page
            kept = self.cache.get(aggregate_id)
            if kept is not None and kept[0].version == version - 1:
                found[aggregate_id] = kept
                continue
            aggregate: BaobaoAggregate = self.app.repository.get(
                aggregate_id, version=version - 1, projector_func=replay
            )
            replayed.setdefault(MAIN_TABLE[type(aggregate)], {})[str(aggregate_id)] = aggregate
        for table, aggregates in replayed.items():
            wanted = sorted(aggregates)
            seqs: dict[str, int] = {}
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                rows = tx.all(
                    f"SELECT id, seq FROM {table} WHERE id IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
                seqs.update({str(i): int(seq) for i, seq in rows})
            for raw_id, aggregate in aggregates.items():
                if raw_id not in seqs:
                    log.warning("%s has no row in %s: its seq is lost", raw_id, table)
                found[aggregate.id] = (aggregate, seqs.get(raw_id, 0))
        return found

    def keep(self, touched: dict[UUID, tuple[BaobaoAggregate, int]]) -> None:
        for aggregate_id, state in touched.items():
            self.cache[aggregate_id] = state
            self.cache.move_to_end(aggregate_id)
        while len(self.cache) > self.cache_size:
            self.cache.popitem(last=False)

    @staticmethod
    def rows(touched: dict[UUID, tuple[BaobaoAggregate, int]]) -> dict[str, list[dict[str, Any]]]:
        tables: dict[str, list[dict[str, Any]]] = {}
        for aggregate, seq in touched.values():
            for table, rows in ROWS[type(aggregate)](aggregate, seq).items():
                tables.setdefault(table, []).extend(rows)
        return tables

    def digest(self, tx: Tx) -> str:
        parts = [table_digest(tx, t, c) for t, c in self.digest_columns.items()]
        return hashlib.sha256("".join(parts).encode()).hexdigest()
