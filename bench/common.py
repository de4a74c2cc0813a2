"""What the benchmarks share: scratch databases, demo data, the server, results and charts."""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from domain.calendar import SHANGHAI

RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES = os.environ.get("BAOBAO_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
# Demo databases are written once per (scale, seed, until) and copied for each run.
CACHE = Path(os.environ.get("BAOBAO_BENCH_CACHE", Path(tempfile.gettempdir()) / "baobao-bench"))
# A fixed end, so that every run benchmarks the same history: January to October 2026.
UNTIL = datetime(2026, 11, 1, tzinfo=SHANGHAI)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank) of the values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def machine() -> dict[str, Any]:
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    found: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        with psycopg.connect(POSTGRES, connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            found["postgres"] = row[0] if row else None
    except psycopg.Error:
        found["postgres"] = None
    return found


def write_result(
    name: str,
    *,
    value: float,
    unit: str,
    baseline: float,
    target: str,
    details: dict[str, Any],
    met: bool,
) -> Path:
    """bench/results/<name>.json: the headline figure, its baseline and target, and the rest."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    doc = {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "baseline": round(baseline, 3),
        "ratio": round(value / baseline, 3) if baseline else None,
        "target": target,
        "met": met,
        "measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        **details,
    }
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    return path


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(h) for h in header], *[[fmt(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"\n{title}")
    for n, row in enumerate(cells):
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 100 else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def pyplot() -> Any:
    """matplotlib's pyplot without a display, or None if the `bench` extra is not installed."""
    try:
        import matplotlib as mpl

        mpl.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib not installed: pip install -e '.[bench]' for the charts)")
        return None
    return plt


# -- databases -----------------------------------------------------------------------------


@dataclass
class Scratch:
    """A database made for one run and removed after it."""

    url: str
    kind: str
    folder: Path
    server_pid: int | None = None
    worker_pid: int | None = None


@contextmanager
def scratch_database(kind: str) -> Iterator[Scratch]:
    """An empty SQLite file in a temporary folder, or a new PostgreSQL database (dropped after)."""
    folder = Path(tempfile.mkdtemp(prefix="baobao-bench-"))
    if kind == "sqlite":
        try:
            yield Scratch(f"sqlite:///{folder}/bench.db", kind, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    name = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES.rsplit("/", 1)[0]
    try:
        yield Scratch(f"{base}/{name}", kind, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def demo_into(scratch: Scratch, scale: str, until: datetime, seed: int = 7) -> dict[str, Any]:
    """Fill the scratch database with the demo history; SQLite copies come from a cache."""
    from api.demo import write_demo
    from domain.storage import parse_database_url

    started = time.perf_counter()
    if scratch.kind == "sqlite":
        CACHE.mkdir(parents=True, exist_ok=True)
        cached = CACHE / f"{scale}-{seed}-{until:%Y%m%d}.db"
        if not cached.exists():
            partial = cached.with_suffix(".partial")
            partial.unlink(missing_ok=True)
            summary = write_demo(
                parse_database_url(f"sqlite:///{partial}"), seed=seed, scale=scale, until=until
            )
            with sqlite3.connect(partial) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            partial.rename(cached)
            print(f"wrote {cached} ({summary.events:,} events)")
        target = scratch.url.removeprefix("sqlite:///")
        shutil.copyfile(cached, target)
    else:
        write_demo(parse_database_url(scratch.url), seed=seed, scale=scale, until=until)
    return {
        "scale": scale,
        "seed": seed,
        "until": until.isoformat(),
        "seconds": round(time.perf_counter() - started, 1),
    }


def prepare(scratch: Scratch) -> None:
    """Catch the views up and seal the log with the key `server` uses: the server then starts
    as one that has been running, and what is measured is not a first start's catch-up."""
    from api.audit import seal_database
    from api.services import Services
    from api.settings import Settings

    os.environ["BAOBAO_DATABASE_URL"] = scratch.url
    os.environ["BAOBAO_SIGNING_KEY"] = str(scratch.folder / "signing.key")
    settings = Settings.from_env()
    svc = Services(settings)
    try:
        svc.follower.catch_up()
    finally:
        svc.stop()
        svc.park.close()
    seal_database(settings)


# -- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def server(scratch: Scratch, *extra: str, worker: bool = False) -> Iterator[str]:
    """`baobao serve` in a subprocess (no watcher, no sender) until the block ends; with
    `worker`, served with --no-follow beside a `baobao worker` (no watcher, no sender) that
    follows the log and seals it, as a deployment with the views kept in their own process."""
    port = free_port()
    env = {
        **os.environ,
        "BAOBAO_DATABASE_URL": scratch.url,
        "BAOBAO_SIGNING_KEY": str(scratch.folder / "signing.key"),
        "BAOBAO_SMS_SENDER": f"file:{scratch.folder}/sms.log",
    }
    baobao = Path(sys.executable).parent / "baobao"
    command = [str(baobao), "serve", "--port", str(port), "--no-watch", "--no-send", *extra]
    if worker:
        command.append("--no-follow")
    log = (scratch.folder / "server.log").open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    follower = None
    if worker:
        follower = subprocess.Popen(
            [str(baobao), "worker", "--no-watch", "--no-send"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        scratch.worker_pid = follower.pid
    scratch.server_pid = process.pid
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"server did not start: {(scratch.folder / 'server.log').read_text()}"
                )
            time.sleep(0.2)
        yield url
    finally:
        for each in (process, follower):
            if each is None:
                continue
            each.terminate()
            try:
                each.wait(timeout=20)
            except subprocess.TimeoutExpired:
                each.kill()
                each.wait()
        scratch.server_pid = scratch.worker_pid = None
        log.close()


def cpu_seconds(pid: int | None) -> float:
    """CPU (user + system) used so far by a process and its live descendants, from /proc."""
    if pid is None:
        return 0.0
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    total = 0.0
    tree = [pid]
    while tree:
        current = tree.pop()
        total += times.get(current, 0.0)
        tree.extend(child for child, parent in parents.items() if parent == current)
    return total


def token(url: str, role: str, scope: str | None = None) -> str:
    """A bearer token issued by the Application, as `baobao token create` does."""
    from api.cli import cli_act
    from domain.park import Park
    from domain.storage import parse_database_url

    park = Park(parse_database_url(url))
    try:
        _, issued = park.issue_token(cli_act(), f"bench {role}", role, scope)
        return str(issued)
    finally:
        park.close()
