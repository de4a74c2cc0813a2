"""Verification: recompute the chain from the stored events and hold it against the seals
and every signed checkpoint; name the first position where they part."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.application import ParkCore
from projections.chain import (
    GENESIS,
    Checkpoint,
    Record,
    Report,
    Seal,
    extend,
    leaf_hash,
    read_records,
)
from projections.seal import SEAL_DDL
from projections.signing import BadCheckpointError, key_id, open_checkpoint
from projections.sql import ViewDatabase

CHECKPOINT_COLUMNS = ("size", "position", "head_hash", "note", "signature", "key_id", "created_at")


class ChainChecker:
    """Fed the records in log order; compares them with the seals and the checkpoints."""

    def __init__(
        self,
        seals: Iterable[Seal],
        checkpoints: Sequence[Checkpoint],
        public: Ed25519PublicKey | None,
    ) -> None:
        self.seals: Iterator[Seal] = iter(seals)
        self.next_seal = next(self.seals, None)
        self.chain = GENESIS
        self.count = self.sealed = self.last_position = 0
        self.range_start: int | None = None  # the first position after the last good checkpoint
        self.verified: Checkpoint | None = None
        self.bad: tuple[int, str] | None = None  # the first problem in the log itself
        self.forged: tuple[int, str] | None = None  # the first checkpoint that does not verify
        self.pending = [
            c for c in sorted(checkpoints, key=lambda c: c.size) if self.genuine(c, public)
        ]

    def genuine(self, cp: Checkpoint, public: Ed25519PublicKey | None) -> bool:
        """Whether the checkpoint's signature verifies and its columns say what it signs."""
        if public is None:
            problem = "no public key to check the checkpoint signatures"
        elif cp.key_id != key_id(public):
            problem = f"checkpoint {cp.size} names key {cp.key_id}, not {key_id(public)}"
        else:
            try:
                size, head = open_checkpoint(cp.note, public)
            except BadCheckpointError as error:
                problem = f"checkpoint {cp.size} is forged: {error}"
            else:
                if size == cp.size and head.hex() == cp.head_hash:
                    return True
                problem = f"checkpoint {cp.size} is forged: it disagrees with its signed note"
        if self.forged is None:
            self.forged = (cp.position, problem)
        return False

    def fail(self, position: int, problem: str) -> bool:
        self.bad = (position, problem)
        return False

    def feed(self, records: Iterable[Record]) -> bool:
        """Check the next records; False once a problem is found."""
        return all(self.check(record) for record in records)

    def check(self, record: Record) -> bool:
        position = record.position
        if self.bad is not None:
            return False
        if position <= self.last_position:
            return self.fail(position, f"position {position} comes after {self.last_position}")
        seal = self.next_seal
        if seal is not None and seal.position < position:
            return self.fail(seal.position, f"the event sealed at position {seal.position} is gone")
        leaf = leaf_hash(record)
        self.chain = extend(self.chain, leaf)
        self.count += 1
        self.last_position = position
        if self.range_start is None:
            self.range_start = position
        if seal is not None and seal.position == position:
            self.next_seal = next(self.seals, None)
            self.sealed += 1
            if seal.leaf != leaf.hex():
                return self.fail(
                    position, f"the event at position {position} is not the one sealed there"
                )
            if seal.chain != self.chain.hex():
                return self.fail(
                    position,
                    f"the chain hash at position {position} does not follow from the events "
                    "before it (an event deleted before it, or the hashes edited)",
                )
        elif seal is not None:
            return self.fail(
                position, f"the event at position {position} was never sealed: it was inserted"
            )
        while self.pending and self.pending[0].size == self.count:
            if not self.reach(self.pending.pop(0), position):
                return False
        return True

    def reach(self, cp: Checkpoint, position: int) -> bool:
        if cp.head_hash != self.chain.hex() or cp.position != position:
            start = self.range_start or position
            return self.fail(
                start,
                f"the log does not match signed checkpoint {cp.size}: "
                f"something changed between positions {start} and {position}",
            )
        self.verified = cp
        self.range_start = None
        return True

    def finish(self) -> Report:
        if self.bad is None and self.next_seal is not None:
            gone = self.next_seal.position
            self.fail(gone, f"the event sealed at position {gone} is gone")
        if self.bad is None and self.pending:
            cp = self.pending[0]
            self.fail(
                cp.position,
                f"checkpoint {cp.size} signs {cp.size} events up to position {cp.position}; "
                f"the log has {self.count} (events deleted)",
            )
        found = [p for p in (self.bad, self.forged) if p is not None]
        position, problem = min(found) if found else (None, None)
        return Report(
            ok=not found,
            events_checked=self.count,
            sealed=self.sealed,
            head=self.chain.hex(),
            checkpoint=self.verified.summary() if self.verified else None,
            first_bad_position=position,
            problem=problem,
        )


def read_checkpoints(views: ViewDatabase) -> list[Checkpoint]:
    rows = views.read(
        f"SELECT {', '.join(CHECKPOINT_COLUMNS)} FROM audit_checkpoints ORDER BY size"
    )
    return [Checkpoint(int(r[0]), int(r[1]), *(str(v) for v in r[2:])) for r in rows]


def read_seals(views: ViewDatabase, stop: int, page_size: int = 1000) -> Iterator[Seal]:
    after = 0
    while True:
        rows = views.read(
            "SELECT position, leaf_hash, chain_hash FROM audit_seals "
            "WHERE position>? AND position<=? ORDER BY position LIMIT ?",
            [after, stop, page_size],
        )
        yield from (Seal(int(p), str(leaf), str(chain)) for p, leaf, chain in rows)
        if len(rows) < page_size:
            return
        after = int(rows[-1][0])


_READY: weakref.WeakSet[ViewDatabase] = weakref.WeakSet()


def ensure_tables(views: ViewDatabase) -> None:
    """Create the audit tables if no sealer has yet (once per views object)."""
    if views in _READY:
        return
    with views.transaction() as tx:
        for statement in SEAL_DDL:
            tx.execute(statement)
    _READY.add(views)


def verify_log(
    app: ParkCore,
    views: ViewDatabase,
    public: Ed25519PublicKey | None,
    progress: Callable[[int], None] | None = None,
    page_size: int = 1000,
) -> Report:
    """Recompute the whole chain from the stored events (up to the head at the start)."""
    ensure_tables(views)
    checkpoints = read_checkpoints(views)
    stop = app.log_head()
    checker = ChainChecker(read_seals(views, stop, page_size), checkpoints, public)
    after = 0
    while checker.bad is None:
        records = read_records(app, after, page_size, stop=stop)
        if not records:
            break
        checker.feed(records)
        after = records[-1].position
        if progress is not None:
            progress(len(records))
    return checker.finish()
