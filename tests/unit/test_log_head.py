"""Concurrent requests share reads of the log's head, and each gets a head read after it came."""

from __future__ import annotations

import asyncio
import threading

import pytest

from api.log_head import BatchedHead
from tests.conftest import run_coroutine


class SlowLog:
    """A log whose head is read in a worker thread and holds until released; each read sees
    the head as it is when the read starts."""

    def __init__(self) -> None:
        self.position = 0
        self.started = threading.Semaphore(0)
        self.go = threading.Semaphore(0)

    def read(self) -> int:
        seen = self.position
        self.started.release()
        self.go.acquire()
        return seen


async def in_thread(semaphore: threading.Semaphore) -> None:
    await asyncio.to_thread(semaphore.acquire)


def test_requests_during_a_read_wait_for_the_next_one_and_share_it() -> None:
    async def scenario() -> None:
        log = SlowLog()
        heads = BatchedHead(log.read)
        first = asyncio.create_task(heads.head())
        await in_thread(log.started)  # the first read has begun, at position 0
        log.position = 7  # a write acknowledged now, before the next requests arrive
        later = [asyncio.create_task(heads.head()) for _ in range(5)]
        await asyncio.sleep(0)
        log.go.release()
        assert await first == 0
        await in_thread(log.started)  # one more read, for all five
        log.go.release()
        assert await asyncio.gather(*later) == [7] * 5
        assert heads.reads == 2

    run_coroutine(scenario())


def test_a_failed_read_fails_its_batch_and_the_next_request_reads_again() -> None:
    calls = 0

    def flaky() -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("the database is unreachable")
        return 42

    async def scenario() -> None:
        heads = BatchedHead(flaky)
        with pytest.raises(OSError, match="unreachable"):
            await heads.head()
        assert await heads.head() == 42

    run_coroutine(scenario())


def test_a_request_that_gives_up_does_not_stop_the_others() -> None:
    async def scenario() -> None:
        log = SlowLog()
        heads = BatchedHead(log.read)
        log.position = 3
        leaving = asyncio.create_task(heads.head())
        staying = asyncio.create_task(heads.head())
        await in_thread(log.started)
        leaving.cancel()
        log.go.release()
        assert await staying == 3
        with pytest.raises(asyncio.CancelledError):
            await leaving

    run_coroutine(scenario())


def test_each_event_loop_starts_afresh() -> None:
    heads = BatchedHead(lambda: 5)
    assert run_coroutine(heads.head()) == 5
    assert run_coroutine(heads.head()) == 5
