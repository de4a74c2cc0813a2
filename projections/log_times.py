"""When each position of the log was recorded, so that a recorded time finds its position."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from projections.base import PositionedEvent, Write, table_digest
from projections.sql import Tx, ViewDatabase

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def microseconds(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


class LogTimesProjection:
    """Each position's recorded time (the event's timestamp), in microseconds since the epoch."""

    name = "log_times"
    tables = ("v_log_times",)
    ddl = (
        "CREATE TABLE IF NOT EXISTS v_log_times (id BIGINT PRIMARY KEY, recorded_us BIGINT)",
        "CREATE INDEX IF NOT EXISTS v_log_times_recorded ON v_log_times (recorded_us)",
    )

    # Every event, as a stamp: only its recorded time is read, which the stamp has.
    stamps = True

    def reads(self, _: type[Any]) -> bool:
        return False

    def apply(self, tx: Tx, events: Sequence[PositionedEvent]) -> None:
        self.stage(tx, events)(tx)

    def stage(self, _: Tx, events: Sequence[PositionedEvent]) -> Write:
        rows: list[tuple[Any, ...]] = [
            (position, microseconds(event.timestamp))  # type: ignore[attr-defined]
            for position, event in events
        ]
        return lambda tx: tx.insert_many(
            "v_log_times", ("id", "recorded_us"), rows, "ON CONFLICT (id) DO NOTHING"
        )

    def digest(self, tx: Tx) -> str:
        return hashlib.sha256(
            table_digest(tx, "v_log_times", ("id", "recorded_us")).encode()
        ).hexdigest()


def position_at(views: ViewDatabase, as_of: datetime) -> int:
    """The last position recorded at or before `as_of` (0 if none): the log as it stood then.
    Recorded times follow log order, except that late-arriving writers may interleave within
    the same instant; the greatest position recorded by then is what was visible then."""
    rows = views.read(
        "SELECT MAX(id) FROM v_log_times WHERE recorded_us <= ?", [microseconds(as_of)]
    )
    return int(rows[0][0] or 0)
