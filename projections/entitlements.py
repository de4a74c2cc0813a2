"""The entitlements read model: one row per 免申即享 entitlement, its arithmetic and approval."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.entitlement import (
    BRANDING_CAP_FEN,
    EXHIBITION,
    EXHIBITION_CAP_FEN,
    Entitlement,
    SubsidyLedger,
)
from domain.money import fen_to_yuan
from projections.base import PositionedEvent, Write, dumps, nothing, table_digest, upsert
from projections.documents import deadline_doc, local
from projections.sql import Tx, ViewDatabase

COLUMNS = (
    "id",
    "seq",
    "enterprise_id",
    "year",
    "ledger_id",
    "kind",
    "amount_fen",
    "recorded_us",
    "started",
    "due",
    "approved_at",
    "doc",
)
GRANTED = (SubsidyLedger.ExhibitionSubsidyGranted, SubsidyLedger.PromotionSubsidyGranted)
CHANGED = (SubsidyLedger.Approved, SubsidyLedger.ApprovalReminded, SubsidyLedger.ApprovalMissed)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)

RULES = {
    "exhibition": "F1: amount = min(fee_paid × 0.5 rounded down to the fen, exhibition_cap_left, "
    "branding_cap_left). 园区“四上”企业参加省、市、园区统一组织的展销会，园区财政给予不超过参展费用"
    "50%的补贴，每家企业每年最高30万元；每个年度单个企业补贴上限200万元。",
    "promotion": "F2: amount = min(cost - province_subsidy - city_subsidy, branding_cap_left). "
    "“精品安徽”央视宣传：在省市财政补贴的基础上，剩余企业自付部分园区给予100%补贴；"
    "每个年度单个企业补贴上限200万元。",
}


def yuan(fen: int | None) -> str | None:
    return None if fen is None else fen_to_yuan(fen)


def microseconds(moment: datetime) -> int:
    """An instant as whole microseconds since the epoch (exact, for as-of comparisons)."""
    return (moment - EPOCH) // MICROSECOND


def arithmetic_doc(e: Entitlement) -> dict[str, Any]:
    """How the amount was reached, every figure in yuan."""
    exhibition = e.kind == EXHIBITION
    remaining = None
    if e.cost_fen is not None:
        remaining = e.cost_fen - (e.province_subsidy_fen or 0) - (e.city_subsidy_fen or 0)
    return {
        "fee_paid": yuan(e.fee_paid_fen),
        "cost": yuan(e.cost_fen),
        "province_subsidy": yuan(e.province_subsidy_fen),
        "city_subsidy": yuan(e.city_subsidy_fen),
        "remaining": yuan(remaining),
        "rate": "0.5" if exhibition else "1",
        "uncapped": fen_to_yuan(e.uncapped_fen),
        "exhibition_cap": yuan(EXHIBITION_CAP_FEN) if exhibition else None,
        "exhibition_cap_left": yuan(e.exhibition_cap_left_fen),
        "branding_cap": fen_to_yuan(BRANDING_CAP_FEN),
        "branding_cap_left": fen_to_yuan(e.branding_cap_left_fen),
        "amount": fen_to_yuan(e.amount_fen),
        "rule": RULES[e.kind],
    }


def entitlement_doc(e: Entitlement, enterprise_id: UUID | str) -> dict[str, Any]:
    """An entitlement as the API shows it (its approval state is added when read)."""
    return {
        "id": str(e.id),
        "enterprise_id": str(enterprise_id),
        "year": e.held_on.year,
        "kind": e.kind,
        "subject": e.subject,
        "organiser_level": e.organiser_level,
        "held_on": e.held_on.isoformat(),
        "amount": fen_to_yuan(e.amount_fen),
        "capped": e.capped,
        "arithmetic": arithmetic_doc(e),
        "granted_at": local(e.approval.started_at),
        "approval": deadline_doc(e.approval),
        "approved_at": local(e.approved_at),
        "approved_by": e.approved_by,
        "version": e.changed_by,
    }


def ledger_docs(ledger: SubsidyLedger) -> dict[str, dict[str, Any]]:
    return {key: entitlement_doc(e, ledger.enterprise_id) for key, e in ledger.entitlements.items()}


class EntitlementsProjection:
    """Every entitlement: amount, arithmetic, approval deadline and approval."""

    name = "entitlements"
    tables = ("v_entitlements",)
    ddl = (
        "CREATE TABLE IF NOT EXISTS v_entitlements (id TEXT PRIMARY KEY, seq BIGINT, "
        "enterprise_id TEXT, year INTEGER, ledger_id TEXT, kind TEXT, amount_fen BIGINT, "
        "recorded_us BIGINT, started BIGINT, due BIGINT, approved_at TEXT, doc TEXT)",
        "CREATE INDEX IF NOT EXISTS v_entitlements_enterprise "
        "ON v_entitlements (enterprise_id, year, seq)",
        "CREATE INDEX IF NOT EXISTS v_entitlements_due ON v_entitlements (approved_at, due)",
    )

    def reads(self, event_class: type[Any]) -> bool:
        return event_class in GRANTED + CHANGED

    def apply(self, tx: Tx, events: Sequence[PositionedEvent]) -> None:
        self.stage(tx, events)(tx)

    def stage(self, tx: Tx, events: Sequence[PositionedEvent]) -> Write:
        relevant = [(p, e) for p, e in events if isinstance(e, GRANTED + CHANGED)]
        if not relevant:
            return nothing
        ids = {str(e.entitlement_id) for _, e in relevant if isinstance(e, CHANGED)}
        rows = self.load(tx, ids)
        touched: set[str] = set()
        for position, event in relevant:
            if isinstance(event, GRANTED):
                row = self.granted(position, event)
            else:
                row = rows[str(event.entitlement_id)]
                self.changed(row, event)
            rows[row["id"]] = row
            touched.add(row["id"])
        stored = [self.stored(rows[key]) for key in sorted(touched)]
        return lambda tx: upsert(tx, "v_entitlements", stored)

    @staticmethod
    def granted(position: int, event: Any) -> dict[str, Any]:
        e: Entitlement = event.entitlement
        return {
            "id": str(e.id),
            "seq": position,
            "enterprise_id": str(event.enterprise_id),
            "year": e.held_on.year,
            "ledger_id": str(event.originator_id),
            "kind": e.kind,
            "amount_fen": e.amount_fen,
            "recorded_us": microseconds(event.timestamp),
            "started": int(e.approval.started_at.timestamp()),
            "due": int(e.approval.due_at.timestamp()),
            "approved_at": None,
            "doc": entitlement_doc(e, event.enterprise_id),
        }

    @staticmethod
    def changed(row: dict[str, Any], event: Any) -> None:
        """What the ledger's apply does to the entitlement, on its document."""
        doc = row["doc"]
        at = local(event.occurred_at)
        if isinstance(event, SubsidyLedger.Approved):
            doc["approval"]["met_at"] = at
            doc["approved_at"] = at
            doc["approved_by"] = event.actor.principal_id
            row["approved_at"] = at
        elif isinstance(event, SubsidyLedger.ApprovalReminded):
            doc["approval"]["reminded_at"] = at
        else:
            doc["approval"]["missed_at"] = at
        doc["version"] = event.originator_version

    def load(self, tx: Tx, ids: set[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        wanted = sorted(ids)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = tx.all(
                f"SELECT {', '.join(COLUMNS)} FROM v_entitlements "
                f"WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            for values in rows:
                row = dict(zip(COLUMNS, values, strict=True))
                row["doc"] = json.loads(row["doc"])
                found[str(row["id"])] = row
        return found

    @staticmethod
    def stored(row: dict[str, Any]) -> dict[str, Any]:
        return {**row, "doc": dumps(row["doc"])}

    def digest(self, tx: Tx) -> str:
        return table_digest(tx, "v_entitlements", COLUMNS)


# -- reading -------------------------------------------------------------------------------------


def entitlement_candidates(
    views: ViewDatabase, as_of: datetime, horizon: timedelta, *, live: bool
) -> list[UUID]:
    """Entitlements the watcher should look at: unapproved ones due before the horizon; for a
    past `as_of`, every one granted by then (it may have been awaiting approval then)."""
    if live:
        rows = views.read(
            "SELECT id FROM v_entitlements WHERE approved_at IS NULL AND due < ? ORDER BY seq",
            [int((as_of + horizon).timestamp())],
        )
    else:
        rows = views.read(
            "SELECT id FROM v_entitlements WHERE started <= ? ORDER BY seq",
            [int(as_of.timestamp())],
        )
    return [UUID(str(r[0])) for r in rows]


def granted_by(
    views: ViewDatabase,
    as_of: datetime,
    clauses: Sequence[str],
    params: Sequence[Any],
    after: int,
    limit: int,
) -> list[tuple[int, str, str]]:
    """(seq, id, ledger id) of the entitlements recorded by `as_of`, after a cursor position."""
    where = ["recorded_us <= ?", "seq > ?", *clauses]
    rows = views.read(
        f"SELECT seq, id, ledger_id FROM v_entitlements WHERE {' AND '.join(where)} "
        "ORDER BY seq LIMIT ?",
        [microseconds(as_of), after, *params, limit],
    )
    return [(int(seq), str(i), str(ledger)) for seq, i, ledger in rows]
