"""Helpers for the audit tests: services on a test database, a small history, and raw access
to the tables as someone with write access to the database would have it."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

from api.services import Services
from api.settings import Settings
from domain.base import Act, Actor, Clock
from domain.storage import parse_database_url
from projections.chain import GENESIS, extend, leaf_hash, read_records
from projections.seal import Sealer
from projections.signing import load_or_create_key


@contextmanager
def open_services(url: str, tmp_path: Path, clock: Clock) -> Iterator[Services]:
    settings = Settings(
        database=parse_database_url(url),
        signing_key_path=str(tmp_path / "signing.key"),
        sms_sender=f"file:{tmp_path}/sms.log",
    )
    services = Services(settings, clock=clock)
    try:
        yield services
    finally:
        services.stop()
        services.park.close()
        services.views.close()


def write_history(svc: Services, units: int = 12, guarantors: int = 11) -> int:
    """Units and guarantors registered one by one (one event each); the log head."""
    act = Act.now(Actor("p-admin", "admin", "req-audit"), svc.clock)
    for n in range(units):
        svc.park.register_unit(act, f"单位{n}")
    for n in range(guarantors):
        svc.park.register_guarantor(act, "person", f"包保人{n}", "副主任", "管委会")
    return svc.park.log_head()


def sealer(svc: Services, every: int = 5) -> Sealer:
    return Sealer(
        svc.park, svc.views, load_or_create_key(svc.settings.signing_key_path), every=every
    )


class RawLog:
    """The event table and the audit tables, edited directly (as an attacker would)."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.views = svc.views
        self.table = svc.park.recorder.events_table_name
        self.position = "notification_id" if svc.views.postgres else "rowid"

    def execute(self, statement: str, params: list[Any] | None = None) -> int:
        with self.views.transaction() as tx:
            return tx.execute(statement.format(t=self.table, p=self.position), params or [])

    def state(self, at: int) -> bytes:
        with self.views.transaction(write=False) as tx:
            row = tx.one(f"SELECT state FROM {self.table} WHERE {self.position}=?", [at])
        assert row is not None, at
        return bytes(row[0])

    def change_byte(self, at: int) -> None:
        state = self.state(at)
        middle = len(state) // 2
        changed = state[:middle] + bytes([state[middle] ^ 0x01]) + state[middle + 1 :]
        assert self.execute("UPDATE {t} SET state=? WHERE {p}=?", [changed, at]) == 1

    def delete(self, at: int) -> None:
        assert self.execute("DELETE FROM {t} WHERE {p}=?", [at]) == 1

    def swap(self, first: int, second: int) -> None:
        with self.views.transaction() as tx:
            for old, new in ((first, -1), (second, first), (-1, second)):
                statement = f"UPDATE {self.table} SET {self.position}=? WHERE {self.position}=?"
                assert tx.execute(statement, [new, old]) == 1

    def insert_at(self, at: int) -> None:
        """Move every event from `at` on one place up and put a made-up event at `at`."""
        state = self.state(at)
        with self.views.transaction(write=False) as tx:
            row = tx.one(f"SELECT topic FROM {self.table} WHERE {self.position}=?", [at])
        assert row is not None
        far = 1_000_000
        self.execute("UPDATE {t} SET {p}={p}+? WHERE {p}>=?", [far, at])
        self.execute("UPDATE {t} SET {p}={p}-? WHERE {p}>=?", [far - 1, far + at])
        new_id: Any = uuid4() if self.views.postgres else uuid4().hex
        self.execute(
            "INSERT INTO {t} ({p}, originator_id, originator_version, topic, state) "
            "VALUES (?, ?, 1, ?, ?)",
            [at, new_id, row[0], state],
        )

    def reseal(self) -> None:
        """Recompute every seal and the progress from the (edited) log, as an attacker can."""
        chain, rows, after = GENESIS, [], 0
        while records := read_records(self.svc.park, after, 1000):
            for record in records:
                leaf = leaf_hash(record)
                chain = extend(chain, leaf)
                rows.append([record.position, leaf.hex(), chain.hex()])
            after = records[-1].position
        with self.views.transaction() as tx:
            tx.execute("DELETE FROM audit_seals")
            tx.executemany(
                "INSERT INTO audit_seals (position, leaf_hash, chain_hash) VALUES (?, ?, ?)", rows
            )
            tx.execute(
                "UPDATE audit_progress SET position=?, size=?, head=?",
                [after, len(rows), chain.hex()],
            )

    def forge_checkpoint(self, size: int) -> int:
        """Make checkpoint `size` claim another head (its signature kept); its position."""
        with self.views.transaction(write=False) as tx:
            row = tx.one("SELECT note, position FROM audit_checkpoints WHERE size=?", [size])
        assert row is not None
        lines = str(row[0]).split("\n")
        lines[2] = base64.b64encode(bytes(range(32))).decode()
        self.execute(
            "UPDATE audit_checkpoints SET note=?, head_hash=? WHERE size=?",
            ["\n".join(lines), bytes(range(32)).hex(), size],
        )
        return int(row[1])
