"""Catching up collects cyclic garbage between pages, not while a page is worked out, and only
while some thread is catching up."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

from projections.runner import RareCollections, rare_collections


class Node:
    """An object that can be part of a reference cycle."""

    def __init__(self) -> None:
        self.other: Any = None


@pytest.fixture
def collections_seen() -> Iterator[list[int]]:
    """The generation of every collection that starts while the test runs."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(int(info["generation"]))

    gc.callbacks.append(note)
    yield seen
    gc.callbacks.remove(note)


def cycle() -> weakref.ref[Node]:
    """A reference cycle no one holds; only the cyclic collector frees it."""
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_no_automatic_collection_while_catching_up_and_as_before_after() -> None:
    assert gc.isenabled()
    with rare_collections():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_garbage_left_by_a_page_is_collected_when_the_page_is_done() -> None:
    with rare_collections():
        left = cycle()
        assert left() is not None  # no collection while the page is worked out
        rare_collections.page_done()
        assert left() is None


def test_the_old_generation_is_collected_only_every_so_many_pages(
    collections_seen: list[int],
) -> None:
    collections = RareCollections(full_every=3)
    with collections():
        for _ in range(7):
            collections.page_done()
    assert collections_seen == [1, 1, 2, 1, 1, 2, 1]


def test_the_setting_returns_when_the_last_of_several_threads_is_done() -> None:
    inside, leave = threading.Barrier(3), threading.Event()

    def catch_up() -> None:
        with rare_collections():
            inside.wait()
            leave.wait()

    threads = [threading.Thread(target=catch_up) for _ in range(2)]
    for thread in threads:
        thread.start()
    with rare_collections():
        inside.wait()
    assert not gc.isenabled()  # the others still catching up
    leave.set()
    for thread in threads:
        thread.join()
    assert gc.isenabled()


def test_the_setting_returns_when_catching_up_fails() -> None:
    with pytest.raises(RuntimeError), rare_collections():
        raise RuntimeError
    assert gc.isenabled()


def test_a_process_that_collected_nothing_before_still_collects_nothing_after() -> None:
    gc.disable()
    try:
        with rare_collections():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
