"""write: matter commands through HTTP at 1, 8 and 32 clients against the bare Application.

.venv/bin/python -m bench.write [--db sqlite|postgres] [--quick] [--seconds S]
                                [--workers N] [--follow-in-server] [--no-pin-cpu]
                                [--access-log]

Each client runs receive (clerk) → assign (clerk) → resolve (the unit's own token) against a
real server; the baseline runs the same commands directly on a Park in this process, one
command per transaction, on the same database. The views are caught up and the log sealed
before either runs, as a server that has been running keeps them: what is measured is the
commands, not a first start's catch-up.

The server is deployed as a busy park would run it: `baobao serve --no-follow --pin-cpu
--no-access-log` (N processes with --workers, each kept on a CPU of its own, no line per
request: a proxy in front logs requests, and every event records its actor and request id)
beside one `baobao worker` that follows the log, keeps the views and seals (both on this
machine, sharing its cores with the clients). `--no-pin-cpu` leaves the server's processes
to the scheduler, `--access-log` logs each request; `--follow-in-server`
measures the single process that does both instead (`baobao serve` alone).

The clients are coroutines of one event loop in this process, each a closed loop on its own
kept-alive connection. The CPU they used, and the CPU of the server's processes (server and
worker) per command, are recorded beside the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from bench import spy
from bench.common import (
    RESULTS,
    UNTIL,
    cpu_seconds,
    demo_into,
    percentile,
    prepare,
    print_table,
    pyplot,
    scratch_database,
    server,
    token,
    write_result,
)
from domain.base import SYSTEM, Act, Actor, utc_now
from domain.calendar import SHANGHAI
from domain.park import Park
from domain.storage import parse_database_url

CLIENTS = (1, 8, 32)
CATEGORY, CHANNEL = "用工", "window"


def registry(url: str) -> tuple[list[UUID], list[UUID]]:
    """Enterprises listed (and not delisted) and units registered, from the log."""
    park = Park(parse_database_url(url))
    try:
        listed: dict[UUID, bool] = {}
        units: list[UUID] = []
        start = 0
        while True:
            page = park.recorder.select_notifications(
                start=start, limit=5000, inclusive_of_start=False
            )
            if not page:
                break
            for n in page:
                kind = n.topic.rsplit(":", 1)[1]
                if kind in ("Enterprise.Listed", "Enterprise.Relisted"):
                    listed[n.originator_id] = True
                elif kind == "Enterprise.Delisted":
                    listed[n.originator_id] = False
                elif kind == "Unit.Registered":
                    units.append(n.originator_id)
            start = page[-1].id
        return [e for e, now in listed.items() if now][:200], units
    finally:
        park.close()


def bare(url: str, enterprises: list[UUID], units: list[UUID], seconds: float) -> dict[str, Any]:
    """The same commands called on a Park, one save per command: events per second."""
    park = Park(parse_database_url(url))
    actor = Actor(principal_id=SYSTEM, role="clerk", request_id="bench")
    commands = 0
    latencies: list[float] = []
    cpu = os.times()
    started = time.perf_counter()
    n = 0
    while time.perf_counter() - started < seconds:
        e, u = enterprises[n % len(enterprises)], units[n % len(units)]
        n += 1
        for step in ("receive", "assign", "resolve"):
            t = time.perf_counter()
            act = Act.now(actor, utc_now)
            if step == "receive":
                matter = park.receive_matter(act, e, f"基准测试诉求{n}", CATEGORY, CHANNEL)
            elif step == "assign":
                park.assign_matter(act, matter.id, u)
            else:
                unit = Actor(principal_id=SYSTEM, role="unit", request_id="bench", scope=str(u))
                park.resolve_matter(Act.now(unit, utc_now), matter.id, "已办结")
            latencies.append((time.perf_counter() - t) * 1000)
            commands += 1
    elapsed = time.perf_counter() - started
    used = os.times()
    park.close()
    return {
        "events_per_s": commands / elapsed,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "commands": commands,
        "cpu_ms_per_command": round(
            1000 * (used.user + used.system - cpu.user - cpu.system) / max(commands, 1), 3
        ),
    }


class Connection:
    """One kept-alive HTTP/1.1 connection on asyncio's streams: a request written in one go,
    the answer read by its Content-Length. Much cheaper per request than httpx, so that the
    clients, which share the machine's two cores with the server, take little of its CPU."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, bearer: str, body: dict[str, str]) -> tuple[int, bytes]:
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        content = json.dumps(body).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {bearer}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(content)}\r\n\r\n"
        )
        self.writer.write(head.encode() + content)
        answer = await self.reader.readuntil(b"\r\n\r\n")
        lines = answer.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = None
        close = False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        if length is None:
            raise RuntimeError(f"an answer without Content-Length: {lines[0]}")
        payload = await self.reader.readexactly(length)
        if close:
            self.close()
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def client_loop(
    base: str,
    clerk: str,
    unit: tuple[UUID, str],
    enterprises: list[UUID],
    until: float,
    latencies: list[float],
    errors: list[str],
) -> None:
    """One closed-loop client on its own connection: the next command when the last answer
    has been read in full."""
    unit_id, unit_token = unit
    address = urlsplit(base)
    http = Connection(address.hostname or "127.0.0.1", address.port or 80)
    try:
        n = 0
        while time.perf_counter() < until:
            n += 1
            e = enterprises[(n * 7 + hash(unit_id)) % len(enterprises)]
            calls = [
                (
                    clerk,
                    "/v1/matters",
                    {
                        "enterprise_id": str(e),
                        "summary": f"基准测试诉求{n}",
                        "category": CATEGORY,
                        "channel": CHANNEL,
                    },
                ),
                (clerk, "/v1/matters/{id}/assign", {"unit_id": str(unit_id)}),
                (unit_token, "/v1/matters/{id}/resolve", {"reply": "已办结"}),
            ]
            matter_id = ""
            for bearer, path, body in calls:
                t = time.perf_counter()
                status, answer = await http.post(path.format(id=matter_id), bearer, body)
                latencies.append((time.perf_counter() - t) * 1000)
                if status >= 300:
                    errors.append(f"{status} {answer[:200]!r}")
                    break
                matter_id = json.loads(answer)["id"]
    finally:
        http.close()


def through_http(
    base: str,
    clerk: str,
    units: list[tuple[UUID, str]],
    enterprises: list[UUID],
    clients: int,
    seconds: float,
    server_pid: int | None = None,
    worker_pid: int | None = None,
) -> dict[str, Any]:
    """`clients` closed loops in one thread's event loop, for `seconds`; the CPU used by the
    clients (this process), the server's processes and the worker's is recorded."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []

    async def run(until: float) -> None:
        await asyncio.gather(
            *(
                client_loop(
                    base, clerk, units[i % len(units)], enterprises, until, latencies[i], errors
                )
                for i in range(clients)
            )
        )

    mine = os.times()
    serving, following = cpu_seconds(server_pid), cpu_seconds(worker_pid)
    started = time.perf_counter()
    asyncio.run(run(started + seconds))
    elapsed = time.perf_counter() - started
    used = os.times()
    serving = cpu_seconds(server_pid) - serving
    following = cpu_seconds(worker_pid) - following
    every = [x for each in latencies for x in each]
    commands = max(len(every), 1)
    return {
        "clients": clients,
        "events_per_s": len(every) / elapsed,
        "p50_ms": percentile(every, 50),
        "p99_ms": percentile(every, 99),
        "commands": len(every),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "client_cpu_per_s": round((used.user + used.system - mine.user - mine.system) / elapsed, 3),
        "server_cpu_per_s": round(serving / elapsed, 3),
        "worker_cpu_per_s": round(following / elapsed, 3),
        # Both: the server's processes' and the worker's, per command.
        "server_cpu_ms_per_command": round(1000 * (serving + following) / commands, 3),
        "worker_cpu_ms_per_command": round(1000 * following / commands, 3),
    }


def chart(name: str, base: dict[str, Any], runs: list[dict[str, Any]]) -> None:
    plt = pyplot()
    if plt is None:
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    clients = [r["clients"] for r in runs]
    left.plot(clients, [r["events_per_s"] for r in runs], "o-", label="HTTP")
    left.axhline(base["events_per_s"], color="grey", ls="--", label="bare Application")
    left.axhline(base["events_per_s"] / 2, color="red", ls=":", label="target 0.5×")
    left.set(
        xscale="log",
        xlabel="concurrent clients",
        ylabel="commands (events) / s",
        title="throughput",
    )
    left.set_xticks(clients, [str(c) for c in clients])
    left.legend()
    right.plot(clients, [r["p50_ms"] for r in runs], "o-", label="p50")
    right.plot(clients, [r["p99_ms"] for r in runs], "o-", label="p99")
    right.axhline(50, color="red", ls=":", label="target p99")
    right.set(xscale="log", xlabel="concurrent clients", ylabel="ms", title="latency")
    right.set_xticks(clients, [str(c) for c in clients])
    right.legend()
    fig.suptitle(name)
    fig.tight_layout()
    fig.savefig(RESULTS / f"{name}.png", dpi=100)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="a park's first month, 4 s a run")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--profile", action="store_true", help="py-spy the server at 8 clients")
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    parser.add_argument(
        "--no-pin-cpu",
        action="store_true",
        help="serve without --pin-cpu (the server's threads on any core)",
    )
    parser.add_argument(
        "--access-log", action="store_true", help="serve with uvicorn's line per request"
    )
    parser.add_argument(
        "--follow-in-server",
        action="store_true",
        help="one `baobao serve` that also follows and seals (not serve --no-follow + worker)",
    )
    args = parser.parse_args()
    seconds = args.seconds or (4.0 if args.quick else 15.0)
    until = datetime(2026, 2, 1, tzinfo=SHANGHAI) if args.quick else UNTIL
    name = (
        f"write-{args.db}"
        + (f"-workers{args.workers}" if args.workers > 1 else "")
        + ("-follow-in-server" if args.follow_in_server else "")
        + ("-unpinned" if args.no_pin_cpu else "")
        + ("-access-log" if args.access_log else "")
    )
    # How the server's processes are set (the `baobao serve` options beside --workers).
    options = (() if args.no_pin_cpu else ("--pin-cpu",)) + (
        () if args.access_log else ("--no-access-log",)
    )
    shown = "".join(f" {option}" for option in options)
    deployment = (
        f"one `baobao serve{shown}` process that also follows the log and seals it"
        if args.follow_in_server
        else f"`baobao serve --no-follow{shown}` ({args.workers} process"
        + ("es" if args.workers > 1 else "")
        + ") beside one `baobao worker --no-watch --no-send` that keeps the views and seals"
    )
    with scratch_database(args.db) as scratch:
        data = demo_into(scratch, "park", until)
        prepare(scratch)
        enterprises, units = registry(scratch.url)
        clerk = token(scratch.url, "clerk")
        unit_tokens = [(u, token(scratch.url, "unit", str(u))) for u in units]
        base = bare(scratch.url, enterprises, units, seconds)
        runs = []
        extra = (("--workers", str(args.workers)) if args.workers > 1 else ()) + options
        with server(scratch, *extra, worker=not args.follow_in_server) as url:
            pids = (scratch.server_pid, scratch.worker_pid)
            through_http(url, clerk, unit_tokens, enterprises, 4, 2.0)  # warm up
            for clients in CLIENTS:
                spying = None
                if args.profile and clients == 8 and scratch.server_pid is not None:
                    profile = RESULTS / f"{name}-profile.txt"
                    spying = spy.record(scratch.server_pid, seconds, profile)
                runs.append(
                    through_http(url, clerk, unit_tokens, enterprises, clients, seconds, *pids)
                )
                if spying is not None:
                    spying.join()
                    print(f"profile: {profile}")
    print_table(
        f"{name}: matter commands (receive → assign → resolve), {seconds:.0f} s each",
        (
            "path",
            "clients",
            "events/s",
            "× bare",
            "p50 ms",
            "p99 ms",
            "errors",
            "CPU ms/cmd (worker)",
            "client CPU s/s",
        ),
        [
            (
                "bare Application",
                1,
                base["events_per_s"],
                1.0,
                base["p50_ms"],
                base["p99_ms"],
                0,
                base["cpu_ms_per_command"],
                "",
            )
        ]
        + [
            (
                "HTTP",
                r["clients"],
                r["events_per_s"],
                r["events_per_s"] / base["events_per_s"],
                r["p50_ms"],
                r["p99_ms"],
                r["errors"],
                f"{r['server_cpu_ms_per_command']:.2f} ({r['worker_cpu_ms_per_command']:.2f})",
                r["client_cpu_per_s"],
            )
            for r in runs
        ],
    )
    print(f"server: {deployment}")
    busy = [r for r in runs if r["clients"] >= 8]
    value = min(r["events_per_s"] for r in busy)
    p99 = max(r["p99_ms"] for r in busy)
    met = value >= 0.5 * base["events_per_s"] and p99 <= 50
    path = write_result(
        name,
        value=value,
        unit="events/s (HTTP commands, worst of 8 and 32 clients)",
        baseline=base["events_per_s"],
        target="ratio ≥ 0.5 and p99 ≤ 50 ms at 8–32 clients",
        met=met,
        details={
            "p99_ms": p99,
            "data": data,
            "server_workers": args.workers,
            "pin_cpu": not args.no_pin_cpu,
            "access_log": args.access_log,
            "deployment": deployment,
            "seconds_per_run": seconds,
            "bare": base,
            "runs": runs,
        },
    )
    chart(name, base, runs)
    print(
        f"\n{path}: ratio {value / base['events_per_s']:.2f}, p99 {p99:.1f} ms, target met: {met}"
    )


if __name__ == "__main__":
    main()
