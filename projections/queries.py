"""Reads over the views: documents by id, filtered pages, assignments on a date, gaps."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.errors import InvalidInputError
from projections.sql import ViewDatabase


class BadCursorError(InvalidInputError):
    """The cursor was not one this service handed out."""

    code = "bad_cursor"
    title = "Not a cursor this service handed out"
    status = 400


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"s:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return -1
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, value = text.split(":", 1)
        position = int(value)
        if kind != "s" or not 0 <= position < 2**63:
            raise ValueError(kind)
        return position
    except (ValueError, UnicodeDecodeError) as error:
        raise BadCursorError(
            f"cursor {cursor!r} is not valid; use next_cursor from a previous page"
        ) from error


@dataclass(frozen=True)
class Filter:
    """A WHERE clause fragment with its parameters."""

    clause: str
    params: tuple[Any, ...] = ()


class Queries:
    """Read-only access to the views."""

    def __init__(self, views: ViewDatabase) -> None:
        self.views = views

    def doc(self, table: str, doc_id: str) -> dict[str, Any] | None:
        rows = self.views.read(f"SELECT doc FROM {table} WHERE id=?", [doc_id])
        return json.loads(rows[0][0]) if rows else None

    def docs(self, table: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        unique = sorted(set(ids))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            rows = self.views.read(
                f"SELECT id, doc FROM {table} WHERE id IN ({','.join('?' * len(chunk))})", chunk
            )
            found.update({str(i): json.loads(d) for i, d in rows})
        return found

    def page(
        self, table: str, filters: Sequence[Filter], limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Documents in insertion order, after the cursor, at most `limit`."""
        after = decode_cursor(cursor)
        clauses = ["seq > ?", *(f.clause for f in filters)]
        params: list[Any] = [after]
        for f in filters:
            params.extend(f.params)
        rows = self.views.read(
            f"SELECT seq, doc FROM {table} WHERE {' AND '.join(clauses)} ORDER BY seq LIMIT ?",
            [*params, limit + 1],
        )
        items = [json.loads(doc) for _, doc in rows[:limit]]
        next_cursor = encode_cursor(int(rows[limit - 1][0])) if len(rows) > limit else None
        return items, next_cursor

    def next_due_from(self, moment: int) -> int | None:
        """The earliest next due time (epoch seconds) of an open matter at or after `moment`."""
        rows = self.views.read("SELECT MIN(next_due) FROM v_matters WHERE next_due >= ?", [moment])
        return int(rows[0][0]) if rows and rows[0][0] is not None else None

    def assignments_on(self, enterprise_id: str, day: date) -> list[dict[str, Any]]:
        d = day.isoformat()
        rows = self.views.read(
            "SELECT doc FROM v_assignments WHERE enterprise_id=? AND effective_from<=? "
            "AND (effective_to IS NULL OR effective_to>=?) ORDER BY role, effective_from",
            [enterprise_id, d, d],
        )
        return [json.loads(doc) for (doc,) in rows]

    def enterprise_of_assignment(self, assignment_id: str) -> str | None:
        rows = self.views.read(
            "SELECT enterprise_id FROM v_assignments WHERE id=?", [assignment_id]
        )
        return str(rows[0][0]) if rows else None

    def enterprises_of_guarantor(self, guarantor_id: str, day: date | None = None) -> list[str]:
        if day is None:
            rows = self.views.read(
                "SELECT DISTINCT enterprise_id FROM v_assignments WHERE guarantor_id=?",
                [guarantor_id],
            )
        else:
            d = day.isoformat()
            rows = self.views.read(
                "SELECT DISTINCT enterprise_id FROM v_assignments WHERE guarantor_id=? "
                "AND effective_from<=? AND (effective_to IS NULL OR effective_to>=?)",
                [guarantor_id, d, d],
            )
        return [str(r[0]) for r in rows]

    def gaps(
        self, day: date, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Listed enterprises lacking a lead leader or a department on `day`."""
        d = day.isoformat()
        after = decode_cursor(cursor)
        rows = self.views.read(
            "SELECT e.seq, e.id, e.doc, "
            "SUM(CASE WHEN a.role='lead_leader' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN a.role='department' THEN 1 ELSE 0 END) "
            "FROM v_enterprises e LEFT JOIN v_assignments a ON a.enterprise_id=e.id "
            "AND a.effective_from<=? AND (a.effective_to IS NULL OR a.effective_to>=?) "
            "WHERE e.listed=? AND e.listed_on<=? AND e.seq>? "
            "GROUP BY e.seq, e.id, e.doc "
            "HAVING SUM(CASE WHEN a.role='lead_leader' THEN 1 ELSE 0 END)=0 "
            "OR SUM(CASE WHEN a.role='department' THEN 1 ELSE 0 END)=0 "
            "ORDER BY e.seq LIMIT ?",
            [d, d, True, d, after, limit + 1],
        )
        items = []
        for _, enterprise_id, doc, leads, departments in rows[:limit]:
            enterprise = json.loads(doc)
            missing = [r for r, n in (("lead_leader", leads), ("department", departments)) if not n]
            items.append(
                {
                    "enterprise_id": enterprise_id,
                    "name": enterprise["name"],
                    "chain": enterprise["chain"],
                    "missing": missing,
                }
            )
        next_cursor = encode_cursor(int(rows[limit - 1][0])) if len(rows) > limit else None
        return items, next_cursor

    def provisional_matter_ids(self) -> list[str]:
        """Open matters with at least one provisional deadline (candidates for recomputation)."""
        rows = self.views.read(
            "SELECT id FROM v_matters WHERE status IN ('received','assigned','rectifying') "
            "AND (doc LIKE ? OR doc LIKE ?)",
            ['%"provisional":true%', '%"cap_provisional":true%'],
        )
        return [str(r[0]) for r in rows]
