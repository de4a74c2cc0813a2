"""The SMS outbox: each message the log gives rise to, and what became of it (SPEC N2, N4)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.matter import Matter
from domain.messages import COMPOSERS, Message, compose
from domain.notification import Delivery
from domain.registry import Unit
from projections.base import PositionedEvent, table_digest
from projections.queries import BadCursorError
from projections.sql import Tx, ViewDatabase

COLUMNS = (
    "id",
    "seq",
    "notice_key",
    "recipient",
    "text",
    "source_event",
    "created_at",
    "status",
    "attempts",
    "last_error",
    "next_attempt",
    "channel",
    "reference",
    "delivered_at",
)
STATUSES = ("pending", "delivered", "failed")
# status, attempts, last_error, next_attempt (due at once), channel, reference, delivered_at
FRESH = ("pending", 0, None, 0, None, None, None)


class TxSubjects:
    """Summaries and unit names as earlier events recorded them: those of the page being
    applied, then those read in its transaction."""

    def __init__(self, tx: Tx, recent: dict[str, str]) -> None:
        self.tx = tx
        self.recent = recent

    def text(self, key: str) -> str | None:
        if key in self.recent:
            return self.recent[key]
        row = self.tx.one("SELECT text FROM v_outbox_subjects WHERE id=?", [key])
        return None if row is None else str(row[0])

    def summary(self, matter_id: UUID) -> str | None:
        return self.text(str(matter_id))

    def unit_name(self, unit_id: str) -> str | None:
        return self.text(unit_id)


# What a message names an event's aggregate by: a matter's summary, a unit's name.
SUBJECT_OF: dict[type[Any], Callable[[Any], str]] = {
    Matter.Received: lambda event: str(event.summary),
    Unit.Registered: lambda event: str(event.name),
}


def epoch(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


class OutboxProjection:
    """Messages to send, one row per notice and recipient, with their delivery state."""

    name = "outbox"
    tables = ("v_outbox", "v_outbox_subjects")
    ddl = (
        "CREATE TABLE IF NOT EXISTS v_outbox (id TEXT PRIMARY KEY, seq BIGINT, notice_key TEXT, "
        "recipient TEXT, text TEXT, source_event TEXT, created_at TEXT, status TEXT, "
        "attempts INTEGER, last_error TEXT, next_attempt BIGINT, channel TEXT, reference TEXT, "
        "delivered_at TEXT)",
        "CREATE INDEX IF NOT EXISTS v_outbox_due ON v_outbox (status, next_attempt)",
        "CREATE INDEX IF NOT EXISTS v_outbox_seq ON v_outbox (seq, id)",
        "CREATE INDEX IF NOT EXISTS v_outbox_recipient ON v_outbox (recipient, seq)",
        "CREATE TABLE IF NOT EXISTS v_outbox_subjects (id TEXT PRIMARY KEY, text TEXT)",
    )

    def __init__(self) -> None:
        self.handlers: dict[type[Any], Callable[[Tx, int, Any], None]] = {
            Delivery.Failed: self.delivery_failed,
            Delivery.Delivered: self.delivered,
        }

    def reads(self, event_class: type[Any]) -> bool:
        return event_class in SUBJECT_OF or event_class in self.handlers or event_class in COMPOSERS

    def apply(self, tx: Tx, events: Sequence[PositionedEvent]) -> None:
        # The page's subjects are written together at its end (one statement, not one round
        # trip each on PostgreSQL); messages composed meanwhile find them here.
        subjects: dict[str, str] = {}
        for position, event in events:
            subject_of = SUBJECT_OF.get(type(event))
            handler = self.handlers.get(type(event))
            if subject_of is not None:
                subjects[str(event.originator_id)] = subject_of(event)
            elif handler is not None:
                handler(tx, position, event)
            elif type(event) in COMPOSERS:
                self.messages(tx, position, event, TxSubjects(tx, subjects))
        tx.insert_many(
            "v_outbox_subjects",
            ("id", "text"),
            list(subjects.items()),
            "ON CONFLICT (id) DO UPDATE SET text=excluded.text",
        )

    def messages(self, tx: Tx, position: int, event: Any, subjects: TxSubjects) -> None:
        messages = compose(event, subjects)
        if not messages:
            return
        source = f"{event.originator_id}/{event.originator_version}"
        created = event.timestamp.astimezone(UTC).isoformat()
        tx.executemany(
            f"INSERT INTO v_outbox ({', '.join(COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(COLUMNS))}) ON CONFLICT (id) DO NOTHING",
            [
                [str(m.id), position, m.notice_key, m.recipient, m.text, source, created, *FRESH]
                for m in messages
            ],
        )

    def delivery_failed(self, tx: Tx, _: int, event: Any) -> None:
        tx.execute(
            "UPDATE v_outbox SET status=?, attempts=?, last_error=?, next_attempt=? "
            "WHERE id=? AND status<>'delivered'",
            [
                "failed" if event.permanent else "pending",
                event.attempt,
                event.error,
                epoch(event.retry_at),
                str(event.originator_id),
            ],
        )

    def delivered(self, tx: Tx, _: int, event: Any) -> None:
        tx.execute(
            "UPDATE v_outbox SET status='delivered', attempts=?, next_attempt=NULL, channel=?, "
            "reference=?, delivered_at=? WHERE id=?",
            [
                event.attempts,
                event.channel,
                event.gateway_reference,
                event.timestamp.astimezone(UTC).isoformat(),
                str(event.originator_id),
            ],
        )

    def digest(self, tx: Tx) -> str:
        parts = [
            table_digest(tx, "v_outbox", COLUMNS),
            table_digest(tx, "v_outbox_subjects", ("id", "text")),
        ]
        return hashlib.sha256("".join(parts).encode()).hexdigest()


# -- reading the outbox -------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxEntry:
    """A row of the outbox."""

    message: Message
    seq: int
    source_event: str
    created_at: datetime
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    channel: str | None
    reference: str | None
    delivered_at: datetime | None


def entry(row: Sequence[Any]) -> OutboxEntry:
    values = dict(zip(COLUMNS, row, strict=True))
    next_attempt = values["next_attempt"]
    delivered = values["delivered_at"]
    return OutboxEntry(
        message=Message(values["notice_key"], values["recipient"], values["text"]),
        seq=int(values["seq"]),
        source_event=values["source_event"],
        created_at=datetime.fromisoformat(values["created_at"]),
        status=values["status"],
        attempts=int(values["attempts"]),
        last_error=values["last_error"],
        next_attempt_at=None
        if next_attempt is None
        else datetime.fromtimestamp(int(next_attempt), UTC),
        channel=values["channel"],
        reference=values["reference"],
        delivered_at=None if delivered is None else datetime.fromisoformat(delivered),
    )


def encode_cursor(last: OutboxEntry) -> str:
    raw = f"o:{last.seq}:{last.message.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[int, str]:
    if not cursor:
        return -1, ""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, seq, last_id = text.split(":", 2)
        if kind != "o":
            raise ValueError(kind)
        return int(seq), str(UUID(last_id))
    except (ValueError, UnicodeDecodeError) as error:
        raise BadCursorError(
            f"cursor {cursor!r} is not valid; use next_cursor from a previous page"
        ) from error


def outbox_page(
    views: ViewDatabase,
    *,
    status: str | None = None,
    recipient: str | None = None,
    due_by: datetime | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> tuple[list[OutboxEntry], str | None]:
    """Outbox rows in the order they arose, filtered; `due_by`: pending and due by then."""
    after_seq, after_id = decode_cursor(cursor)
    clauses = ["(seq > ? OR (seq = ? AND id > ?))"]
    params: list[Any] = [after_seq, after_seq, after_id]
    if status is not None:
        clauses.append("status=?")
        params.append(status)
    if recipient is not None:
        clauses.append("recipient=?")
        params.append(recipient)
    if due_by is not None:
        clauses.append("status='pending' AND next_attempt <= ?")
        params.append(epoch(due_by))
    rows = views.read(
        f"SELECT {', '.join(COLUMNS)} FROM v_outbox WHERE {' AND '.join(clauses)} "
        "ORDER BY seq, id LIMIT ?",
        [*params, limit + 1],
    )
    entries = [entry(row) for row in rows[:limit]]
    next_cursor = encode_cursor(entries[-1]) if len(rows) > limit else None
    return entries, next_cursor
