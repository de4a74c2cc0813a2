"""Sealing: every stored event, in log order, into a hash chain whose head is signed.

The sealer follows the notification log like the projection follower, but it reads the
stored records as they are (it never decodes them) and writes no events. Each event's
`leaf_hash` and `chain_hash` (hex; see projections/chain.py) are kept in `audit_seals` by
position; the chain after `size` events is signed at checkpoints (projections/signing.py).
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.application import ParkCore
from domain.base import Clock, utc_now
from projections.chain import GENESIS, extend, leaf_hash, read_records
from projections.signing import sign_checkpoint
from projections.sql import Tx, ViewDatabase

log = logging.getLogger("baobao.sealer")


SEAL_DDL = (
    "CREATE TABLE IF NOT EXISTS audit_seals (position BIGINT PRIMARY KEY, "
    "leaf_hash TEXT NOT NULL, chain_hash TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS audit_progress (name TEXT PRIMARY KEY, position BIGINT NOT NULL, "
    "size BIGINT NOT NULL, head TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS audit_checkpoints (size BIGINT PRIMARY KEY, "
    "position BIGINT NOT NULL, head_hash TEXT NOT NULL, note TEXT NOT NULL, "
    "signature TEXT NOT NULL, key_id TEXT NOT NULL, created_at TEXT NOT NULL)",
)


class SealMovedError(Exception):
    """Another sealer sealed this page first; read the progress again."""


class Sealer:
    """Seals the log page by page; signs the chain head every `every` events and every
    `interval` seconds when anything new was sealed."""

    def __init__(
        self,
        app: ParkCore,
        views: ViewDatabase,
        key: Ed25519PrivateKey,
        *,
        page_size: int = 1000,
        every: int = 1000,
        interval: float = 60.0,
        clock: Clock = utc_now,
    ) -> None:
        self.app = app
        self.views = views
        self.key = key
        self.page_size = page_size
        self.every = every
        self.interval = interval
        self.clock = clock
        self.last_signed = time.monotonic()
        self.setup()

    def setup(self) -> None:
        with self.views.transaction() as tx:
            tx.lock_schema()
            for statement in SEAL_DDL:
                tx.execute(statement)
            tx.execute(
                "INSERT INTO audit_progress (name, position, size, head) VALUES ('chain', 0, 0, ?) "
                "ON CONFLICT (name) DO NOTHING",
                [GENESIS.hex()],
            )

    @staticmethod
    def progress(tx: Tx) -> tuple[int, int, bytes]:
        row = tx.one("SELECT position, size, head FROM audit_progress WHERE name='chain'")
        assert row is not None, "setup() inserts the progress row"
        return int(row[0]), int(row[1]), bytes.fromhex(row[2])

    def step(self) -> int:
        """Seal the next page (cut at checkpoint sizes); the number of events sealed."""
        with self.views.transaction(write=False) as tx:
            position, size, head = self.progress(tx)
        limit = min(self.page_size, self.every - size % self.every)
        records = read_records(self.app, position, limit)
        if not records:
            return 0
        rows: list[Sequence[Any]] = []
        chain = head
        for record in records:
            leaf = leaf_hash(record)
            chain = extend(chain, leaf)
            rows.append((record.position, leaf.hex(), chain.hex()))
        new_size = size + len(records)
        try:
            with self.views.transaction() as tx:
                moved = tx.execute(
                    "UPDATE audit_progress SET position=?, size=?, head=? "
                    "WHERE name='chain' AND position=?",
                    [records[-1].position, new_size, chain.hex(), position],
                )
                if moved != 1:
                    raise SealMovedError
                tx.executemany(
                    "INSERT INTO audit_seals (position, leaf_hash, chain_hash) VALUES (?, ?, ?)",
                    rows,
                )
                if new_size % self.every == 0:
                    self.sign(tx, new_size, records[-1].position, chain)
        except SealMovedError:
            return 0
        return len(records)

    def sign(self, tx: Tx, size: int, position: int, head: bytes) -> None:
        signed = sign_checkpoint(self.key, size, head)
        tx.execute(
            "INSERT INTO audit_checkpoints "
            "(size, position, head_hash, note, signature, key_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (size) DO NOTHING",
            [
                size,
                position,
                head.hex(),
                signed.note,
                base64.b64encode(signed.signature).decode(),
                signed.key_id,
                self.clock().isoformat(),
            ],
        )
        self.last_signed = time.monotonic()

    def checkpoint(self) -> int:
        """Sign the current head if it is not signed yet; the size signed (0: nothing)."""
        with self.views.transaction() as tx:
            position, size, head = self.progress(tx)
            row = tx.one("SELECT MAX(size) FROM audit_checkpoints")
            if size == 0 or (row is not None and row[0] is not None and int(row[0]) >= size):
                self.last_signed = time.monotonic()
                return 0
            self.sign(tx, size, position, head)
        return size

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        """Seal up to the log head and sign it; the number of events sealed."""
        total = 0
        while count := self.step():
            total += count
            if progress is not None:
                progress(count)
        self.checkpoint()
        return total

    def run(self, stop: threading.Event, interval: float = 0.2) -> None:
        """Seal as the log grows until stopped; sign what is new at the end."""
        while not stop.is_set():
            try:
                sealed = self.step()
                if time.monotonic() - self.last_signed >= self.interval:
                    self.checkpoint()
                if sealed == 0:
                    stop.wait(interval)
            except Exception:
                log.exception("sealing failed; retrying")
                stop.wait(1.0)
        try:
            self.checkpoint()
        except Exception:
            log.exception("could not sign the last checkpoint")
