"""One process's services: the Application, the views, the follower, and their lifecycle."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from eventsourcing.sqlite import SQLiteApplicationRecorder

from api.idempotency import IdempotencyStore
from api.notify import Sender, make_sender
from api.read_cache import FastReads, ReadCache
from api.settings import Settings
from domain.base import Clock, utc_now
from domain.park import Park
from projections.assessment import Assessor
from projections.notices import NOTICE_INDEX_DDL, Drafter
from projections.queries import Queries
from projections.runner import Follower
from projections.sql import ViewDatabase

READ_WAIT_SECONDS = 2.0


@dataclass(frozen=True)
class Caller:
    """The authenticated principal of a request."""

    id: str
    name: str
    role: str
    scope: str | None


@dataclass
class PrincipalCache:
    """Tokens looked up recently (a revocation takes effect within `ttl` seconds)."""

    ttl: float = 30.0
    entries: dict[str, tuple[float, Caller | None]] = field(default_factory=dict)

    def get(self, token: str) -> tuple[bool, Caller | None]:
        hit = self.entries.get(token)
        if hit is None or hit[0] < time.monotonic():
            return False, None
        return True, hit[1]

    def put(self, token: str, caller: Caller | None) -> None:
        if len(self.entries) > 10_000:
            self.entries.clear()
        self.entries[token] = (time.monotonic() + self.ttl, caller)


class Services:
    """Everything a request needs, built once per process."""

    def __init__(self, settings: Settings, clock: Clock = utc_now) -> None:
        self.settings = settings
        self.clock = clock
        self.park = Park(settings.database, clock=clock)
        self.park.bootstrap()
        self.views = ViewDatabase(settings.database)
        self.follower = Follower(self.park, self.views)
        self.queries = Queries(self.views)
        self.assessor = Assessor(self.views, self.park)
        self.drafter = Drafter(self.views, self.assessor)
        self.idempotency = IdempotencyStore(self.views)
        with self.views.transaction() as tx:
            tx.lock_schema()
            tx.execute(NOTICE_INDEX_DDL)
        self.principals = PrincipalCache()
        self.pages = ReadCache()
        self.fast = FastReads()
        self.sender: Sender = make_sender(settings)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._others: list[threading.Thread] = []

    def start_follower(self) -> None:
        """Keep the projections following the log in a background thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self.follower.run, args=(self._stop,), daemon=True
            )
            self._thread.start()

    def start_background(self, name: str, run: Callable[[threading.Event], None]) -> None:
        """Run another loop (the watcher, the sender) beside the follower until stopped."""
        thread = threading.Thread(target=run, args=(self._stop,), name=name, daemon=True)
        self._others.append(thread)
        thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in [self._thread, *self._others]:
            if thread is not None:
                thread.join(timeout=5)
        self._thread = None
        self._others = []

    def caller_for(self, token: str) -> Caller | None:
        known, caller = self.principals.get(token)
        if known:
            return caller
        principal = self.park.principal_for(token)
        caller = (
            None
            if principal is None
            else Caller(str(principal.id), principal.name, principal.role, principal.scope)
        )
        self.principals.put(token, caller)
        return caller

    def log_head_is_local(self) -> bool:
        """Whether reading the log's head is a call into this process (SQLite), not a round
        trip to a server."""
        return isinstance(self.park.recorder, SQLiteApplicationRecorder)

    def log_head(self) -> int:
        """The log's head. On SQLite it is read on this thread's own connection: the event
        store's pool of readers costs several times as much per call, and every read asks."""
        recorder = self.park.recorder
        if isinstance(recorder, SQLiteApplicationRecorder):
            rows = self.views.read(recorder.select_max_notification_id_statement)
            return int(rows[0][0] or 0)
        return self.park.log_head()

    def settle(self, min_position: int | None = None) -> int:
        """Wait (briefly) until the views reflect the log up to `min_position` or the head.

        Returns the position the views have reached, under which what is read from them next
        may be kept: the head once they reach it (nothing newer was written), else where they
        stand (behind it when the wait timed out, perhaps beyond `min_position`)."""
        target = min_position if min_position is not None else self.log_head()
        if self._thread is None:
            self.follower.catch_up()
        if self.follower.wait_for(target, timeout=READ_WAIT_SECONDS) and min_position is None:
            return target
        return min(self.follower.positions().values(), default=0)
