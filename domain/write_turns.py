"""Writers of one SQLite database take turns, across processes, by a lock on a file beside it.

SQLite lets one writer at a time in; a writer that finds the database locked waits in its busy
handler, which sleeps, longer each time it finds the lock still held (up to 100 ms a time), and
meanwhile anyone arriving later may take the lock first. With two server processes and a worker
writing all the time, the unlucky command waited many times longer than any write took. A
writer here first takes its turn on `<database>-writers` (flock): a process waiting for it is
woken as soon as the writer before it is done. SQLite's own lock and busy timeout still apply
underneath, to writers that do not take turns (another program, an older baobao).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext


class WriteTurns:
    """Turns at writing one database file, for every thread of every process that asks."""

    def __init__(self, database_path: str) -> None:
        self.path = database_path + "-writers"
        self.held = threading.local()  # how deep this thread is in writes of its own turn

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Wait for this thread's turn (at once if it has it: a write within a write)."""
        depth: int = getattr(self.held, "depth", 0)
        if depth:
            self.held.depth = depth + 1
            try:
                yield
            finally:
                self.held.depth = depth
            return
        # A descriptor of its own for each turn: flock excludes other descriptors of the file,
        # in this process as in others, so threads take turns too.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self.held.depth = 1
            try:
                yield
            finally:
                self.held.depth = 0
        finally:
            os.close(fd)  # lets the turn go


_turns: dict[str, WriteTurns] = {}
_turns_lock = threading.Lock()


def write_turns(database_path: str | None) -> WriteTurns | None:
    """The turns at writing a database file, shared by the log and the views of this process
    (a thread writing to one within a write to the other has its turn already); None for a
    database in memory."""
    if not database_path or database_path == ":memory:" or "mode=memory" in database_path:
        return None
    key = os.path.abspath(database_path.removeprefix("file:").split("?", 1)[0])
    with _turns_lock:
        turns = _turns.get(key)
        if turns is None:
            turns = _turns[key] = WriteTurns(key)
        return turns


def turn_if(turns: WriteTurns | None, write: bool) -> AbstractContextManager[None]:
    """A turn for a write to a database that has turns; nothing to wait for otherwise."""
    return turns.turn() if write and turns is not None else nullcontext()
