"""What a projection is, and the table of positions it keeps with its views."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any, Protocol
from uuid import UUID

import orjson
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Notification

from projections.sql import Tx

PositionedEvent = tuple[int, DomainEventProtocol[Any]]

POSITIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS view_positions (name TEXT PRIMARY KEY, position BIGINT NOT NULL)"
)

ORJSON_OPTIONS = (
    orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


class Projection(Protocol):
    """A read model: a function of the event stream, written page by page with its position."""

    @property
    def name(self) -> str: ...
    @property
    def tables(self) -> Sequence[str]: ...
    @property
    def ddl(self) -> Sequence[str]: ...

    def apply(self, tx: Tx, events: Sequence[PositionedEvent]) -> None: ...


# What a page changes in a projection's views, worked out beforehand, to be written in the
# transaction that moves its position.
Write = Callable[[Tx], None]


def nothing(tx: Tx) -> None:
    """The write of a page that changes none of a projection's views."""


class Staged(Protocol):
    """A projection that works out a page's rows first, reading its views as they stand at its
    position, and writes them after: `apply` is `stage` then the write, in one transaction."""

    def stage(self, tx: Tx, events: Sequence[PositionedEvent]) -> Write: ...


class Selective(Protocol):
    """A projection that says which events it reads in full. It is given the others as stamps
    if it says so (`stamps = True`); otherwise it may not be given them at all."""

    def reads(self, event_class: type[Any]) -> bool: ...


class Stamp:
    """An event no projection of a follower reads in full, for one that asks for stamps: whose
    and which it is, and, read from its stored state only if asked, when it was recorded."""

    __slots__ = ("notification", "time_of")

    def __init__(
        self, notification: Notification, time_of: Callable[[Notification], datetime]
    ) -> None:
        self.notification = notification
        self.time_of = time_of

    @property
    def originator_id(self) -> UUID | str:
        return self.notification.originator_id

    @property
    def originator_version(self) -> int:
        return self.notification.originator_version

    @property
    def timestamp(self) -> datetime:
        return self.time_of(self.notification)


def upsert(tx: Tx, table: str, rows: Sequence[dict[str, Any]], *, keep: Sequence[str] = ()) -> None:
    """Insert or replace rows by their `id`; columns in `keep` keep their first value."""
    if not rows:
        return
    columns = list(rows[0])
    updates = ", ".join(f"{c}=excluded.{c}" for c in columns if c != "id" and c not in keep)
    values = itemgetter(*columns)
    tx.insert_many(
        table,
        columns,
        once_each(columns, [values(row) for row in rows], keep),
        f"ON CONFLICT (id) DO UPDATE SET {updates}",
    )


def once_each(
    columns: Sequence[str], rows: Sequence[tuple[Any, ...]], keep: Sequence[str]
) -> Sequence[tuple[Any, ...]]:
    """One row per id, as the rows upserted one after another would leave it: the columns in
    `keep` as the id's first row had them, the others as its last."""
    key = columns.index("id")
    first: dict[Any, int] = {}
    merged: list[tuple[Any, ...]] = []
    for row in rows:
        at = first.get(row[key])
        if at is None:
            first[row[key]] = len(merged)
            merged.append(row)
            continue
        earlier = merged[at]
        merged[at] = tuple(
            earlier[i] if column in keep else row[i] for i, column in enumerate(columns)
        )
    return merged if len(merged) < len(rows) else rows


def dumps(doc: Any) -> str:
    """A view document as stored: compact JSON, keys sorted, text as is (not \\u-escaped)."""
    try:
        # The same text as json.dumps below, several times faster, for documents without
        # floats, which views never hold (money is fen or a yuan string).
        return orjson.dumps(doc, option=ORJSON_OPTIONS).decode()
    except orjson.JSONEncodeError:
        # Integers beyond 64 bits, keys that are not text; and what json refuses (datetimes,
        # dataclasses) is refused here too.
        return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def table_digest(tx: Tx, table: str, columns: Sequence[str]) -> str:
    """A SHA-256 over a table's rows in key order: equal content, equal digest."""
    digest = hashlib.sha256()
    for row in tx.all(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id"):
        digest.update(dumps([str(v) if v is not None else None for v in row]).encode())
        digest.update(b"\n")
    return digest.hexdigest()
