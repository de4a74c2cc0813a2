"""demo-<scale>: writing the demo history at city or province scale, against the park's rate.

.venv/bin/python -m bench.demo_scale --scale city|province [--until ISO] [--db sqlite|postgres]
                                     [--keep]

Each scale is written in a child process of its own (for its peak RSS) into a scratch database:
first the park (the baseline), then the scale asked for. Events per second of wall time and of
CPU time, peak RSS, and for a partial run (--until) the ETA of the whole year at that rate.
With --keep (SQLite), the history written is kept in the benchmarks' cache, where
`bench.catch_up --scale ...` reads it instead of writing it again.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from typing import Any

from bench.common import CACHE, UNTIL, print_table, scratch_database, write_result
from domain.calendar import SHANGHAI


def write(url: str, scale: str, until: datetime) -> dict[str, Any]:
    from api.demo import write_demo
    from domain.storage import parse_database_url

    started = time.perf_counter()
    ticks: list[tuple[float, int, int]] = []

    def progress(done: int, total: int) -> None:
        ticks.append((time.perf_counter() - started, done, total))

    summary = write_demo(parse_database_url(url), scale=scale, until=until, progress=progress)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "scale": scale,
        "until": until.isoformat(),
        "events": summary.events,
        "enterprises": summary.enterprises,
        "guarantors": summary.guarantors,
        "matters": summary.matters,
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "max_rss_mib": usage.ru_maxrss / 1024,
        "steps": ticks[-1][1] if ticks else 0,
    }


def child(url: str, scale: str, until: datetime) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.demo_scale", "--child", scale, "--url", url]
    command += ["--until", until.isoformat()]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["events_per_s"] = result["events"] / result["seconds"]
    result["events_per_cpu_s"] = result["events"] / result["cpu_seconds"]
    return result


def keep(url: str, scale: str, until: datetime) -> str:
    """Move the written history into the cache under the name `demo_into` looks for."""
    source = url.removeprefix("sqlite:///")
    with sqlite3.connect(source) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"{scale}-7-{until:%Y%m%d}.db"
    shutil.move(source, cached)
    return str(cached)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("city", "province"), default="city")
    parser.add_argument("--until", default=None, help="ISO time to stop at (default Nov 1)")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument(
        "--keep", action="store_true", help="keep the history in the cache (SQLite, seed 7)"
    )
    args = parser.parse_args()
    until = datetime.fromisoformat(args.until) if args.until else UNTIL
    if until.tzinfo is None:
        until = until.replace(tzinfo=SHANGHAI)
    if args.child:
        print(json.dumps(write(args.url, args.child, until)))
        return
    with scratch_database(args.db) as park_db:
        park = child(park_db.url, "park", UNTIL)
    with scratch_database(args.db) as scale_db:
        run = child(scale_db.url, args.scale, until)
        if args.keep and scale_db.kind == "sqlite":
            print(f"kept in {keep(scale_db.url, args.scale, until)}")
    # A partial run: the year's events at the park's mix, scaled by enterprises.
    year = park["events"] * (run["enterprises"] / park["enterprises"])
    run["year_events_estimate"] = round(year)
    run["eta_whole_year_s"] = round(year / run["events_per_s"])
    print_table(
        f"demo-{args.scale} ({args.db}) to {until:%Y-%m-%d}",
        ("scale", "events", "seconds", "events/s", "events/CPU-s", "peak RSS MiB"),
        [
            (
                r["scale"],
                r["events"],
                r["seconds"],
                r["events_per_s"],
                r["events_per_cpu_s"],
                r["max_rss_mib"],
            )
            for r in (park, run)
        ],
    )
    minutes = year / run["events_per_s"] / 60
    print(f"a whole year: ~{year:,.0f} events, ~{minutes:,.0f} min at this rate")
    name = f"demo-{args.scale}" + ("" if args.db == "sqlite" else f"-{args.db}")
    path = write_result(
        name,
        # Per CPU-second: the wall-clock rate of an hour-long run is the machine's load.
        value=run["events_per_cpu_s"],
        unit="events per CPU-second written (demo through the Application, batched)",
        baseline=park["events_per_cpu_s"],
        target="peak RSS ≤ 2 GiB",
        met=run["max_rss_mib"] < 2048,
        details={"park": park, "run": run},
    )
    print(f"\n{path}")


if __name__ == "__main__":
    main()
