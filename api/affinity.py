"""A server process kept on one CPU (`baobao serve --pin-cpu`, BAOBAO_PIN_CPU=1).

A server process runs Python on one core at a time (the interpreter's lock), but its threads
hand that lock to each other on every request: the event loop reads a command, a worker thread
runs it, the event loop sends the answer. Left to the scheduler, those threads run on different
cores, and each hand-off finds the other core's caches cold. On this project's 2-core benchmark
machine, `bench.write --quick` with the server kept on one core used 3.9–4.5 ms of CPU per
command instead of 5.0–5.8, served 0.45–0.51 × the bare Application's rate at 8–32 clients
instead of 0.37–0.44, and its p99 at 8 clients was 52–58 ms instead of 89–225.

Each process claims a CPU of those it may use by holding a lock on a file named after it (in
the temporary folder, shared by the baobao servers of the machine): a second process, or the
second of `--workers 2`, takes the next CPU; a lock is let go when its process ends, so a
restarted worker takes a free one again. When every CPU is claimed the process is not pinned.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path
from typing import IO


def claims_folder() -> Path:
    """Where the claims are: baobao-cpus in the temporary folder ($TMPDIR, read when asked)."""
    return Path(os.environ.get("TMPDIR") or tempfile.gettempdir()) / "baobao-cpus"


_HELD: list[IO[bytes]] = []  # the claim, kept open (and locked) for the process's life


def pin_server_process() -> str:
    """Pin this server process (see `pin_to_a_free_cpu`); what was done, to tell the operator."""
    cpu = pin_to_a_free_cpu()
    if cpu is None:
        return "BAOBAO_PIN_CPU: no free CPU to keep this server process on; it is not pinned"
    return f"server process {os.getpid()} kept on CPU {cpu}"


def pin_to_a_free_cpu(claims: Path | None = None) -> int | None:
    """Keep this process's threads, this one and those it starts later, on a CPU no other
    baobao server has claimed; that CPU, or None (already pinned, none free, or a system that
    cannot pin). Call it before the server starts its threads."""
    if _HELD or not hasattr(os, "sched_setaffinity"):
        return None
    claims = claims or claims_folder()
    try:
        claims.mkdir(mode=0o1777, parents=True, exist_ok=True)
    except OSError:
        return None
    for cpu in sorted(os.sched_getaffinity(0)):
        try:
            claim = (claims / f"{cpu}.lock").open("ab")
        except OSError:
            continue  # another user's claim file
        try:
            fcntl.flock(claim, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            claim.close()
            continue
        os.sched_setaffinity(0, {cpu})
        _HELD.append(claim)
        return cpu
    return None
