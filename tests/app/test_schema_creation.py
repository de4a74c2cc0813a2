"""Processes starting together on an empty database all start: the log's and the views'
tables are created once, whoever comes first, and nobody fails half-way."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

START = """
import os, sys, time
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
from api.services import Services
from api.settings import Settings
services = Services(Settings.from_env())
services.follower.catch_up()
services.stop()
print("started")
"""


def test_servers_starting_at_once_on_an_empty_database_all_start(
    database_url: str, tmp_path: Path
) -> None:
    env = {**os.environ, "BAOBAO_DATABASE_URL": database_url, "PYTHONPATH": os.getcwd()}
    at = time.time() + 3.0  # every process imported and waiting when the moment comes
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", START, str(at)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    outcomes = [p.communicate(timeout=120) for p in processes]
    failures = [err for p, (_, err) in zip(processes, outcomes, strict=True) if p.returncode]
    assert failures == []
    assert all(out.strip().endswith("started") for out, _ in outcomes)
