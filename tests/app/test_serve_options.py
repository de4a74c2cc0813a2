"""`baobao serve` options for a busy deployment: each process on a CPU of its own
(`--pin-cpu`), no line per request (`--no-access-log`)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import httpx
import pytest

from tests.app import chaos
from tests.app.chaos import Server, child_env

pytestmark = pytest.mark.skipif(
    not hasattr(os, "sched_setaffinity"), reason="this system cannot keep a process on a CPU"
)


def test_each_worker_process_is_kept_on_a_cpu_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A process of its own (not a forked daemon child): the server starts worker processes.
    monkeypatch.setattr(chaos, "EXEC", True)
    env = {**child_env(f"sqlite:///{tmp_path}/pinned.db", tmp_path), "TMPDIR": str(tmp_path)}
    server = Server(env, tmp_path, "--no-watch", "--no-send", "--pin-cpu", "--workers", "2")
    server.start()
    try:
        assert httpx.get(f"{server.url}/v1/health", timeout=10).status_code == 200
        assert server.child is not None
        cpus = sorted(os.sched_getaffinity(0))
        said: list[tuple[str, str]] = []
        deadline = time.monotonic() + 60
        while len(said) < min(2, len(cpus)) and time.monotonic() < deadline:
            time.sleep(0.1)  # the second worker may still be starting
            said = re.findall(r"server process (\d+) kept on CPU (\d+)", server.child.output())
        assert len(said) == min(2, len(cpus)), server.child.output()
        assert len({cpu for _, cpu in said}) == len(said)  # no two on the same CPU
        for pid, cpu in said:
            assert os.sched_getaffinity(int(pid)) == {int(cpu)}
        claimed = sorted(p.name for p in (tmp_path / "baobao-cpus").iterdir())
        assert claimed == [f"{cpu}.lock" for cpu in cpus[:2]]
    finally:
        server.stop()


@pytest.mark.parametrize(("flag", "logged"), [("--access-log", True), ("--no-access-log", False)])
def test_a_line_per_request_only_when_asked(tmp_path: Path, flag: str, logged: bool) -> None:
    env = child_env(f"sqlite:///{tmp_path}/log.db", tmp_path)
    server = Server(env, tmp_path, "--no-watch", "--no-send", flag)
    server.start()
    try:
        assert httpx.get(f"{server.url}/v1/health?probe=1", timeout=10).status_code == 200
        time.sleep(0.3)
        assert server.child is not None
        assert ("/v1/health?probe=1" in server.child.output()) is logged, server.child.output()
    finally:
        server.stop()
