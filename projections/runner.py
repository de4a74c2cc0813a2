"""The follower: reads the notification log page by page and keeps every projection up to date."""

from __future__ import annotations

import gc
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from domain.application import ParkCore
from projections.base import POSITIONS_DDL, PositionedEvent, Projection, Write
from projections.dispatch import DispatchProjection
from projections.entities import EntitiesProjection
from projections.entitlements import EntitlementsProjection
from projections.log_times import LogTimesProjection
from projections.notices import NoticesProjection
from projections.outbox import OutboxProjection
from projections.pages import PageReader
from projections.sales import SalesProjection
from projections.sql import Tx, ViewDatabase
from projections.visits import VisitsProjection

log = logging.getLogger("baobao.follower")

SCHEMAS_DDL = (
    "CREATE TABLE IF NOT EXISTS view_schemas (name TEXT PRIMARY KEY, fingerprint TEXT NOT NULL)"
)


class RareCollections:
    """Cyclic garbage collected between pages while any thread of the process is catching up,
    not as objects are made: a page's events and rows live until the page is written, so each
    automatic collection during a page scanned them again and again (a tenth of the entities
    projection's rebuild went to it). After each page the young generations are collected
    (what the page left is small); every `full_every` pages, all of them (the old generation
    holds the aggregates kept in memory, costly to scan, so rarely)."""

    def __init__(self, full_every: int) -> None:
        self.full_every = full_every
        self.lock = threading.Lock()
        self.users = 0
        self.pages = 0
        self.was_enabled = gc.isenabled()

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self.lock:
            if self.users == 0:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.users += 1
        try:
            yield
        finally:
            with self.lock:
                self.users -= 1
                if self.users == 0 and self.was_enabled:
                    gc.enable()

    def page_done(self) -> None:
        """Collect what the page just written left behind."""
        with self.lock:
            self.pages += 1
            full = self.pages % self.full_every == 0
        gc.collect(2 if full else 1)


# A full collection every million events or so, at the pages a rebuild reads.
rare_collections = RareCollections(full_every=50)


class PositionMovedError(Exception):
    """Another follower wrote this page first; re-read the positions and go on."""


def all_projections(app: ParkCore) -> list[Projection]:
    return [
        EntitiesProjection(app),
        DispatchProjection(),
        SalesProjection(),
        VisitsProjection(),
        OutboxProjection(),
        NoticesProjection(),
        LogTimesProjection(),
        EntitlementsProjection(),
    ]


class Follower:
    """Applies each page of the log to every projection, with its new position, in one go."""

    def __init__(
        self,
        app: ParkCore,
        views: ViewDatabase,
        projections: Sequence[Projection] | None = None,
        page_size: int = 5000,
        catch_up_page_size: int = 20_000,
    ) -> None:
        self.app = app
        self.views = views
        self.projections = list(projections if projections is not None else all_projections(app))
        self.page_size = page_size
        # Far behind (a rebuild, a start), larger pages cost less per event: an aggregate's
        # events fall in fewer pages, so its rows are written fewer times.
        self.catch_up_page_size = max(page_size, catch_up_page_size)
        self.caught_up = threading.Condition()
        # Threads of one process (follower, watcher, sender, requests) take turns applying pages.
        self._stepping = threading.Lock()
        self.reader = PageReader(app, self.projections)
        self.setup()

    def setup(self) -> None:
        """Create the views; a projection whose schema changed is dropped and rebuilt from 0."""
        with self.views.transaction() as tx:
            tx.lock_schema()
            tx.execute(POSITIONS_DDL)
            tx.execute(SCHEMAS_DDL)
            for projection in self.projections:
                fingerprint = hashlib.sha256("\n".join(projection.ddl).encode()).hexdigest()
                row = tx.one("SELECT fingerprint FROM view_schemas WHERE name=?", [projection.name])
                if row is not None and row[0] != fingerprint:
                    log.warning(
                        "schema of %s changed: rebuilding it from position 0", projection.name
                    )
                    for table in projection.tables:
                        tx.execute(f"DROP TABLE IF EXISTS {table}")
                    tx.execute("DELETE FROM view_positions WHERE name=?", [projection.name])
                tx.execute(
                    "INSERT INTO view_schemas (name, fingerprint) VALUES (?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET fingerprint=excluded.fingerprint",
                    [projection.name, fingerprint],
                )
                for statement in projection.ddl:
                    tx.execute(statement)
                tx.execute(
                    "INSERT INTO view_positions (name, position) VALUES (?, 0) "
                    "ON CONFLICT (name) DO NOTHING",
                    [projection.name],
                )

    def positions(self) -> dict[str, int]:
        rows = self.views.read("SELECT name, position FROM view_positions")
        known = {str(name): int(position) for name, position in rows}
        return {p.name: known.get(p.name, 0) for p in self.projections}

    def step(self, page_size: int | None = None) -> int:
        """Apply the next page; how many positions of the log it covered (0 when caught up):
        the events read, where the log has no gaps and the projections read every event."""
        with self._stepping:
            return self._step(page_size or self.page_size)

    def _step(self, page_size: int) -> int:
        positions = self.positions()
        low = min(positions.values(), default=0)
        page = self.reader.read(low, page_size)
        if page.end <= low:
            return 0
        events = self.reader.decode(page.notifications)
        last = page.end
        moving: dict[str, list[PositionedEvent]] = {}
        for projection in self.projections:
            at = positions[projection.name]
            if at >= last:
                continue  # ahead of the others, past this page
            # The whole page, unless this projection was ahead of the others.
            moving[projection.name] = (
                events if not events or events[0][0] > at else [pe for pe in events if pe[0] > at]
            )
        pages = {name: mine for name, mine in moving.items() if mine}
        try:
            staged = {} if self.views.postgres else self.stage(positions, pages)
            with self.views.transaction() as tx:
                for projection in self.projections:
                    at = positions[projection.name]
                    if projection.name not in moving:
                        continue
                    # Hold the position first: a reset or another follower waits, or we see it
                    # moved and leave the page to whoever moved it.
                    lock = " FOR UPDATE" if tx.postgres else ""
                    held = tx.one(
                        f"SELECT position FROM view_positions WHERE name=?{lock}", [projection.name]
                    )
                    if held is None or int(held[0]) != at:
                        raise PositionMovedError(projection.name)
                    write = staged.get(projection.name)
                    if write is not None:
                        write(tx)
                    elif projection.name in pages:
                        projection.apply(tx, pages[projection.name])
                    moved = tx.execute(
                        "UPDATE view_positions SET position=? WHERE name=? AND position=?",
                        [last, projection.name, at],
                    )
                    if moved != 1:
                        raise PositionMovedError(projection.name)
        except PositionMovedError:
            return last - low
        with self.caught_up:
            self.caught_up.notify_all()
        return last - low

    def stage(
        self, positions: dict[str, int], pages: dict[str, list[PositionedEvent]]
    ) -> dict[str, Write]:
        """On SQLite, work out the rows of the projections that can (`Staged`) before the write
        transaction, from a snapshot in which each is still at its position: the database is
        then locked only while they are written, and other processes (the server, followers of
        other projections) write meanwhile. The position is checked again when written."""
        staged: dict[str, Write] = {}
        with self.views.transaction(write=False) as tx:
            for projection in self.projections:
                stage: Callable[[Tx, list[PositionedEvent]], Write] | None = getattr(
                    projection, "stage", None
                )
                if stage is None or projection.name not in pages:
                    continue
                held = tx.one("SELECT position FROM view_positions WHERE name=?", [projection.name])
                if held is None or int(held[0]) != positions[projection.name]:
                    raise PositionMovedError(projection.name)
                staged[projection.name] = stage(tx, pages[projection.name])
        return staged

    def catch_up(self, progress: Callable[[int], None] | None = None, jobs: int = 1) -> int:
        """Apply pages until the log is exhausted; the positions covered (as `step`). With
        `jobs` > 1, groups of projections catch up side by side in that many processes, then
        together."""
        if jobs > 1:
            from projections.parallel import catch_up_in_parallel

            done = catch_up_in_parallel(self, jobs, progress)
            if done is not None:
                return done + self.catch_up(progress)
        total = 0
        with rare_collections():
            while True:
                count = self.step(self.catch_up_page_size)
                if count == 0:
                    return total
                total += count
                rare_collections.page_done()
                if progress is not None:
                    progress(count)

    def run(self, stop: threading.Event, interval: float = 0.05) -> None:
        """Follow the log until stopped; errors are logged and retried, never fatal."""
        while not stop.is_set():
            try:
                if self.step() == 0:
                    stop.wait(interval)
            except Exception:
                log.exception("follower step failed; retrying")
                stop.wait(1.0)

    def wait_for(self, position: int, timeout: float = 5.0) -> bool:
        """Block until every projection has applied the log up to `position`."""
        deadline = time.monotonic() + timeout
        while True:
            if min(self.positions().values(), default=0) >= position:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self.caught_up:
                self.caught_up.wait(min(remaining, 0.02))

    def reset(self, name: str) -> None:
        """Empty one projection's views and set it back to position 0 (rebuild from the start)."""
        projection = self.projection(name)
        with self.views.transaction() as tx:
            # The position first, as followers take it first: no page lands half-way.
            tx.execute("UPDATE view_positions SET position=0 WHERE name=?", [name])
            for table in projection.tables:
                tx.execute(f"DELETE FROM {table}")

    def projection(self, name: str) -> Projection:
        for projection in self.projections:
            if projection.name == name:
                return projection
        known = ", ".join(p.name for p in self.projections)
        msg = f"no projection {name!r}; known: {known}"
        raise KeyError(msg)
