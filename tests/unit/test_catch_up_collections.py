"""Catching up collects cyclic garbage rarely, and only while some thread is catching up."""

from __future__ import annotations

import gc
import threading

import pytest

from projections.runner import rare_collections


def test_collections_are_rare_while_catching_up_and_as_before_after() -> None:
    before = gc.get_threshold()
    with rare_collections():
        assert gc.get_threshold()[0] >= rare_collections.threshold
        assert gc.get_threshold()[1:] == before[1:]
    assert gc.get_threshold() == before


def test_the_setting_returns_when_the_last_of_several_threads_is_done() -> None:
    before = gc.get_threshold()
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
    assert gc.get_threshold()[0] >= rare_collections.threshold  # the others still catching up
    leave.set()
    for thread in threads:
        thread.join()
    assert gc.get_threshold() == before


def test_the_setting_returns_when_catching_up_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), rare_collections():
        raise RuntimeError
    assert gc.get_threshold() == before
