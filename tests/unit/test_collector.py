"""A server process's collector: what it holds at its start frozen, the youngest generation
collected rarely; cyclic garbage made later is still collected."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SERVING = """
import gc, weakref
from api.collector import YOUNGEST_AFTER, set_for_serving
held = [object() for _ in range(1000)]
set_for_serving()
assert gc.get_freeze_count() >= 1000, gc.get_freeze_count()
assert gc.get_threshold()[0] == YOUNGEST_AFTER, gc.get_threshold()

class Node:
    pass

a, b = Node(), Node()
a.other, b.other = b, a  # a cycle, garbage once the names go
gone = weakref.ref(a)
del a, b
for _ in range(3 * YOUNGEST_AFTER):
    [[]]  # allocations that outlive nothing, as requests make
    cycle = {}
    cycle["self"] = cycle
assert gone() is None, "a cycle made after the start was never collected"
print("ok")
"""


def test_a_serving_process_freezes_its_start_and_still_collects_later_cycles() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SERVING],
        check=False,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
