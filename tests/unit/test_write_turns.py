"""Writers of one SQLite database take turns across threads and processes; a write within a
write of the same thread has its turn already."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from domain.write_turns import write_turns

HOLD = """
import sys
from domain.write_turns import write_turns
with write_turns(sys.argv[1]).turn():
    print("holding", flush=True)
    sys.stdin.read()  # until the test closes it
"""


def test_a_thread_waits_while_another_has_the_turn(tmp_path: Path) -> None:
    turns = write_turns(str(tmp_path / "park.db"))
    assert turns is not None
    taken, leave, entered = threading.Event(), threading.Event(), threading.Event()

    def writer() -> None:
        with turns.turn():
            taken.set()
            leave.wait()

    def later_writer() -> None:
        taken.wait()
        with turns.turn():
            entered.set()

    threads = [threading.Thread(target=writer), threading.Thread(target=later_writer)]
    for thread in threads:
        thread.start()
    taken.wait()
    assert not entered.wait(0.2)  # still the first writer's turn
    leave.set()
    assert entered.wait(10)
    for thread in threads:
        thread.join()


def test_a_process_waits_while_another_has_the_turn(tmp_path: Path) -> None:
    path = str(tmp_path / "park.db")
    turns = write_turns(path)
    assert turns is not None
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, path], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdin is not None
    assert holder.stdout.readline().strip() == "holding"
    entered = threading.Event()

    def writer() -> None:
        with turns.turn():
            entered.set()

    thread = threading.Thread(target=writer)
    thread.start()
    assert not entered.wait(0.2)  # the other process's turn
    holder.stdin.close()
    holder.wait(10)
    assert entered.wait(10)
    thread.join()


def test_a_write_within_a_write_of_the_same_thread_does_not_wait(tmp_path: Path) -> None:
    turns = write_turns(str(tmp_path / "park.db"))
    assert turns is not None
    done = threading.Event()

    def nested() -> None:
        with turns.turn(), turns.turn(), turns.turn():
            pass
        with turns.turn():  # and the turn is let go after the outermost
            done.set()

    thread = threading.Thread(target=nested, daemon=True)
    thread.start()
    assert done.wait(10)


def test_the_log_and_the_views_of_a_file_share_its_turns(tmp_path: Path) -> None:
    assert write_turns(str(tmp_path / "park.db")) is write_turns(f"{tmp_path}/./park.db")
    assert write_turns(str(tmp_path / "park.db")) is not write_turns(str(tmp_path / "other.db"))
    assert write_turns(None) is None
    assert write_turns(":memory:") is None
    assert write_turns("file:park?mode=memory&cache=shared") is None
