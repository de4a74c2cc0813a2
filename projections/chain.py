"""The audit chain's records and hashes: what is sealed, what a checkpoint and a report are.

Canonical encoding of a stored record (all integers big-endian, two's complement)::

    canonical = b"baobao.event.v1\\n"
              || int64(position)            notification id in the log
              || int64(originator_version)
              || uint32(len(id))    || id    aggregate id, UTF-8; a UUID as str(UUID):
                                             lowercase, hyphenated
              || uint32(len(topic)) || topic UTF-8
              || uint32(len(state)) || state the stored state bytes, exactly as stored

    leaf_i  = SHA-256(canonical_i)
    chain_0 = 32 zero bytes
    chain_i = SHA-256(chain_{i-1} || leaf_i)

Each event's `leaf_hash` and `chain_hash` (hex) are kept in `audit_seals` by position; the
chain after `size` events is signed at checkpoints (see projections/signing.py).
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import Any

from domain.application import ParkCore

DOMAIN = b"baobao.event.v1\n"
GENESIS = bytes(32)


@dataclass(frozen=True)
class Record:
    """One stored event as the log holds it."""

    position: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes


def as_record(notification: Any) -> Record:
    state = notification.state
    return Record(
        position=int(notification.id),
        originator_id=str(notification.originator_id),
        originator_version=int(notification.originator_version),
        topic=str(notification.topic),
        state=state.encode() if isinstance(state, str) else bytes(state),
    )


def canonical(record: Record) -> bytes:
    parts = [DOMAIN, struct.pack(">qq", record.position, record.originator_version)]
    for field in (record.originator_id.encode(), record.topic.encode(), record.state):
        parts += [struct.pack(">I", len(field)), field]
    return b"".join(parts)


def leaf_hash(record: Record) -> bytes:
    return hashlib.sha256(canonical(record)).digest()


def extend(chain: bytes, leaf: bytes) -> bytes:
    return hashlib.sha256(chain + leaf).digest()


def read_records(app: ParkCore, after: int, limit: int, stop: int | None = None) -> list[Record]:
    """The next stored records after position `after` (at most up to `stop`)."""
    notifications = app.recorder.select_notifications(
        start=after, limit=limit, stop=stop, inclusive_of_start=False
    )
    return [as_record(n) for n in notifications]


@dataclass(frozen=True)
class Seal:
    """What was sealed at a position: the event's leaf hash and the chain after it."""

    position: int
    leaf: str
    chain: str


@dataclass(frozen=True)
class Checkpoint:
    """A stored signed checkpoint, as in `audit_checkpoints` (and a bundle's checkpoints.jsonl)."""

    size: int
    position: int
    head_hash: str
    note: str
    signature: str
    key_id: str
    created_at: str

    def summary(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "position": self.position,
            "head_hash": self.head_hash,
            "key_id": self.key_id,
            "created_at": self.created_at,
        }


@dataclass
class Report:
    """The outcome of a verification."""

    ok: bool
    events_checked: int
    sealed: int
    head: str
    checkpoint: dict[str, Any] | None
    first_bad_position: int | None
    problem: str | None

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))
