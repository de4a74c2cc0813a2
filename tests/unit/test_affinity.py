"""A server process kept on a CPU no other baobao server process holds."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not hasattr(os, "sched_setaffinity"), reason="this system cannot keep a process on a CPU"
)

# A process that pins itself, says where, and holds its claim until told to stop.
HOLDER = """
import os, sys
from pathlib import Path
from api.affinity import pin_to_a_free_cpu
cpu = pin_to_a_free_cpu(Path(sys.argv[1]))
print(cpu, sorted(os.sched_getaffinity(0)), flush=True)
sys.stdin.read()
"""


def start(claims: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(claims)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def stop(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.close()
    process.wait(timeout=10)


def test_each_server_process_takes_a_cpu_of_its_own_and_lets_it_go_when_it_ends(
    tmp_path: Path,
) -> None:
    cpus = sorted(os.sched_getaffinity(0))
    first, said = start(tmp_path)
    assert said == f"{cpus[0]} [{cpus[0]}]"  # pinned: it may run on that CPU only
    second, said_second = start(tmp_path)
    if len(cpus) > 1:
        assert said_second == f"{cpus[1]} [{cpus[1]}]"
    else:
        assert said_second == f"None {cpus}"  # nothing free: left where it was
    stop(first)
    time.sleep(0.1)
    third, said_third = start(tmp_path)
    assert said_third == f"{cpus[0]} [{cpus[0]}]"  # the first one's CPU, free again
    stop(second)
    stop(third)
