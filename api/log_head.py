"""The log's head for many concurrent requests, read from the database once per batch.

On PostgreSQL the head is a round trip, made in a worker thread. Under load, most requests
would each make their own; here the requests that arrive while one read is in flight wait for
the next read together, which starts once that one is back. Every request is still answered
with a head read after it arrived: a write acknowledged before the request is never missed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool


class BatchedHead:
    """`await head()`: the value of a `read` that started after the call."""

    def __init__(self, read: Callable[[], int]) -> None:
        self.read = read
        self.reads = 0  # database reads made (for tests and curiosity)
        self._waiting: list[asyncio.Future[int]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reader: asyncio.Task[None] | None = None

    async def head(self) -> int:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # A new event loop (a restarted server, a test client): nothing carries over.
            self._loop, self._waiting, self._reader = loop, [], None
        mine: asyncio.Future[int] = loop.create_future()
        self._waiting.append(mine)
        if self._reader is None or self._reader.done():
            self._reader = loop.create_task(self._read_batches())
        return await mine

    async def _read_batches(self) -> None:
        """Read for whoever is waiting, batch after batch, until nobody is."""
        batch: list[asyncio.Future[int]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    self.reads += 1
                    value = await run_in_threadpool(self.read)
                except Exception as error:  # each waiter sees the database's fault
                    for waiter in batch:
                        if not waiter.done():
                            waiter.set_exception(error)
                else:
                    for waiter in batch:
                        if not waiter.done():
                            waiter.set_result(value)
                batch = []
        finally:
            # Stopped (the server shutting down): nobody waits forever.
            for waiter in batch + self._waiting:
                if not waiter.done():
                    waiter.cancel()
