"""The sales read model: one row per enterprise and month, with the month's history."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from domain.money import fen_to_yuan
from domain.sales import SalesEntry, SalesLedger
from projections.base import PositionedEvent, Write, dumps, nothing, table_digest, upsert
from projections.documents import local
from projections.sql import Tx, ViewDatabase

KINDS = (SalesLedger.MonthReported, SalesLedger.MonthCorrected)
COLUMNS = ("id", "enterprise_id", "month", "amount_fen", "source", "corrections", "doc")


def month_key(enterprise_id: str, month: str) -> str:
    return f"{enterprise_id}|{month}"


def entry_doc(entry: SalesEntry) -> dict[str, Any]:
    """One report or correction as the API shows it."""
    return {
        "kind": "reported" if entry.previous_fen is None else "corrected",
        "amount": entry.amount,
        "amount_fen": entry.amount_fen,
        "source": entry.source,
        "reason": entry.reason,
        "previous_amount": None if entry.previous_fen is None else fen_to_yuan(entry.previous_fen),
        "recorded_at": local(entry.recorded_at),
        "occurred_at": local(entry.occurred_at),
        "actor": {"principal_id": entry.principal_id, "role": entry.role},
        "version": entry.version,
    }


def month_doc(enterprise_id: str, month: str, history: list[dict[str, Any]]) -> dict[str, Any]:
    """A month's figure in force (the last entry) with its whole history."""
    last = history[-1]
    return {
        "enterprise_id": enterprise_id,
        "month": month,
        "amount": last["amount"],
        "amount_fen": last["amount_fen"],
        "source": last["source"],
        "corrections": len(history) - 1,
        "reported_at": history[0]["recorded_at"],
        "corrected_at": last["recorded_at"] if len(history) > 1 else None,
        "version": last["version"],
        "history": history,
    }


def ledger_month_doc(ledger: SalesLedger, month: str) -> dict[str, Any]:
    return month_doc(str(ledger.enterprise_id), month, [entry_doc(e) for e in ledger.months[month]])


class SalesProjection:
    """Monthly sales of every enterprise: the figure in force, its source and corrections."""

    name = "sales"
    tables = ("v_sales_months",)
    ddl = (
        "CREATE TABLE IF NOT EXISTS v_sales_months (id TEXT PRIMARY KEY, enterprise_id TEXT, "
        "month TEXT, amount_fen BIGINT, source TEXT, corrections INTEGER, doc TEXT)",
        "CREATE INDEX IF NOT EXISTS v_sales_months_enterprise "
        "ON v_sales_months (enterprise_id, month)",
        "CREATE INDEX IF NOT EXISTS v_sales_months_month ON v_sales_months (month)",
    )

    def reads(self, event_class: type[Any]) -> bool:
        return event_class in KINDS

    def apply(self, tx: Tx, events: Sequence[PositionedEvent]) -> None:
        self.stage(tx, events)(tx)

    def stage(self, tx: Tx, events: Sequence[PositionedEvent]) -> Write:
        relevant = [(str(e.enterprise_id), e) for _, e in events if isinstance(e, KINDS)]
        if not relevant:
            return nothing
        docs = self.load(tx, {month_key(enterprise_id, e.month) for enterprise_id, e in relevant})
        touched: set[str] = set()
        for enterprise_id, event in relevant:
            key = month_key(enterprise_id, event.month)
            history = docs[key]["history"] if key in docs else []
            docs[key] = month_doc(enterprise_id, event.month, [*history, entry_doc(event.entry())])
            touched.add(key)
        rows = [self.row(key, docs[key]) for key in sorted(touched)]
        return lambda tx: upsert(tx, "v_sales_months", rows)

    def load(self, tx: Tx, keys: set[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        wanted = sorted(keys)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = tx.all(
                f"SELECT id, doc FROM v_sales_months WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            found.update({str(i): json.loads(d) for i, d in rows})
        return found

    @staticmethod
    def row(key: str, doc: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": key,
            "enterprise_id": doc["enterprise_id"],
            "month": doc["month"],
            "amount_fen": doc["amount_fen"],
            "source": doc["source"],
            "corrections": doc["corrections"],
            "doc": dumps(doc),
        }

    def digest(self, tx: Tx) -> str:
        return table_digest(tx, "v_sales_months", COLUMNS)


class SalesQueries:
    """Reads over v_sales_months."""

    def __init__(self, views: ViewDatabase) -> None:
        self.views = views

    def months_of(
        self, enterprise_id: str, year: int | None, after: str, limit: int
    ) -> list[dict[str, Any]]:
        """An enterprise's months after `after` (yyyy-mm or ""), in order, at most `limit`."""
        clauses = ["enterprise_id=?", "month>?"]
        params: list[Any] = [enterprise_id, after]
        if year is not None:
            clauses.append("month>=? AND month<=?")
            params.extend([f"{year:04d}-01", f"{year:04d}-12"])
        rows = self.views.read(
            f"SELECT doc FROM v_sales_months WHERE {' AND '.join(clauses)} ORDER BY month LIMIT ?",
            [*params, limit],
        )
        return [json.loads(doc) for (doc,) in rows]

    def amounts(self, first: str, last: str) -> dict[str, dict[str, int]]:
        """Fen by month by enterprise for the months from `first` to `last` (yyyy-mm)."""
        rows = self.views.read(
            "SELECT enterprise_id, month, amount_fen FROM v_sales_months "
            "WHERE month>=? AND month<=?",
            [first, last],
        )
        found: dict[str, dict[str, int]] = {}
        for enterprise_id, month, amount_fen in rows:
            found.setdefault(str(enterprise_id), {})[str(month)] = int(amount_fen)
        return found

    def listed_enterprises(
        self, chain: str | None, guarantor_id: str | None
    ) -> list[dict[str, Any]]:
        """Listed enterprises in listing order, of a chain or of a guarantor if given."""
        clauses = ["listed=?"]
        params: list[Any] = [True]
        if chain is not None:
            clauses.append("chain=?")
            params.append(chain)
        if guarantor_id is not None:
            clauses.append("id IN (SELECT enterprise_id FROM v_assignments WHERE guarantor_id=?)")
            params.append(guarantor_id)
        rows = self.views.read(
            f"SELECT doc FROM v_enterprises WHERE {' AND '.join(clauses)} ORDER BY seq", params
        )
        return [json.loads(doc) for (doc,) in rows]
