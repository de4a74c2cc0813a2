"""Sampling another process with py-spy and summing up where its CPU went.

Only the thread holding the interpreter's lock is sampled (`--gil`): a server's threads that
wait (for a turn at the lock, a socket, the database) would otherwise count as busy, and the
shares would not say where the process spends its core."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def py_spy() -> str | None:
    found = Path(sys.executable).parent / "py-spy"
    return str(found) if found.exists() else shutil.which("py-spy")


def record(pid: int, seconds: float, output: Path) -> threading.Thread | None:
    """Start sampling `pid` for `seconds` in the background; the summary goes to `output`."""
    spy = py_spy()
    if spy is None:
        print("(py-spy not installed: pip install py-spy for --profile)")
        return None
    raw = output.with_suffix(".raw")

    def run() -> None:
        options = ["--duration", str(int(seconds)), "--rate", "200", "--format", "raw", "--gil"]
        subprocess.run(
            [spy, "record", "--pid", str(pid), *options, "--output", str(raw), "--nonblocking"],
            check=False,
            capture_output=True,
        )
        if raw.exists():
            output.write_text(summarise(raw.read_text()))
            raw.unlink()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def name(frame: str) -> str:
    match = FRAME.match(frame.strip())
    if match is None:
        return frame.strip()
    where = match["file"]
    for marker in ("site-packages/", "/work/main/", "python3.11/"):
        if marker in where:
            where = where.split(marker, 1)[1]
    return f"{match['function']} ({where})"


def summarise(collapsed: str, top: int = 40) -> str:
    """Inclusive and self shares of the samples, by function, from py-spy's collapsed stacks."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        # py-spy leaves out threads that are not running (waiting on a lock, a socket, ...).
        frames = [name(f) for f in stack.split(";")]
        total += n
        for f in set(frames):
            inclusive[f] += n
        own[frames[-1]] += n
    lines = [f"{total} samples of running threads", "", "inclusive:"]
    lines += [f"{100 * n / total:5.1f}%  {f}" for f, n in inclusive.most_common(top)]
    lines += ["", "self:"]
    lines += [f"{100 * n / total:5.1f}%  {f}" for f, n in own.most_common(top)]
    return "\n".join(lines) + "\n"
