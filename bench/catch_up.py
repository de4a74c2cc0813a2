"""catch-up: every projection rebuilt from position 0 against reading and decoding the log.

.venv/bin/python -m bench.catch_up [--db sqlite|postgres] [--quick] [--scale park|city]
                                   [--jobs N] [--profile]

Each side runs in a child process of its own (for its peak RSS): `decode` reads the notification
log in pages of the follower's size and decodes every event (mapper.to_domain_event); `rebuild`
resets every projection (Follower.reset) and catches up (Follower.catch_up(jobs=N), default 2:
groups of projections in N processes). The rebuild's peak RSS and CPU time are its own plus
those of the processes it started (the sum of the peaks, an upper bound of the joint peak).
"""

from __future__ import annotations

import argparse
import inspect
import json
import resource
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.common import (
    RESULTS,
    UNTIL,
    demo_into,
    print_table,
    pyplot,
    scratch_database,
    write_result,
)
from domain.calendar import SHANGHAI

TARGET_RATE = 40_000
TARGET_RATIO = 0.33
# Peak RSS of a province-scale rebuild.
TARGET_RSS_MIB = 2048


def decode(url: str) -> dict[str, Any]:
    from domain.park import Park
    from domain.storage import parse_database_url
    from projections.runner import Follower

    park = Park(parse_database_url(url))
    # The page the follower reads when catching up.
    page_size = inspect.signature(Follower).parameters["catch_up_page_size"].default
    started = time.perf_counter()
    position, events = 0, 0
    while True:
        page = park.recorder.select_notifications(
            start=position, limit=page_size, inclusive_of_start=False
        )
        if not page:
            break
        for n in page:
            park.mapper.to_domain_event(n)
        events += len(page)
        position = page[-1].id
    return {"events": events, "seconds": time.perf_counter() - started, "page_size": page_size}


def rebuild(url: str, jobs: int) -> dict[str, Any]:
    from domain.park import Park
    from domain.storage import parse_database_url
    from projections.parallel import pays_to_split
    from projections.runner import Follower
    from projections.sql import ViewDatabase

    database = parse_database_url(url)
    park = Park(database)
    follower = Follower(park, ViewDatabase(database))
    started = time.perf_counter()
    for projection in follower.projections:
        follower.reset(projection.name)
    events = follower.catch_up(jobs=jobs)
    return {
        "events": events,
        "seconds": time.perf_counter() - started,
        "page_size": follower.catch_up_page_size,
        # From position 0 the whole log is to go: in one process if it is short.
        "jobs": jobs if pays_to_split(park.log_head()) else 1,
    }


def child(kind: str, url: str, profile: Path | None, jobs: int = 1) -> dict[str, Any]:
    """Run one side in a fresh process; its figures and its peak RSS."""
    command = [sys.executable, "-m", "bench.catch_up", "--child", kind, "--url", url]
    command += ["--jobs", str(jobs)]
    if profile is not None:
        command += ["--profile-to", str(profile)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["events_per_s"] = result["events"] / result["seconds"]
    result["events_per_cpu_s"] = result["events"] / result["cpu_seconds"]
    return result


def run_child(kind: str, url: str, profile_to: str | None, jobs: int) -> None:
    def run() -> dict[str, Any]:
        return decode(url) if kind == "decode" else rebuild(url, jobs)

    if profile_to:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.002)
        profiler.start()
        result = run()
        profiler.stop()
        Path(profile_to).write_text(profiler.output_text(unicode=True, show_all=False))
    else:
        result = run()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["max_rss_mib"] = (usage.ru_maxrss + children.ru_maxrss) / 1024
    result["children_max_rss_mib"] = children.ru_maxrss / 1024
    # CPU time of the whole child (imports included) and of the processes it started: on a
    # busy machine wall time is not ours.
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime
    print(json.dumps(result))


def chart(name: str, base: dict[str, Any], built: dict[str, Any]) -> None:
    plt = pyplot()
    if plt is None:
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    labels = ["read + decode", "rebuild all"]
    left.bar(labels, [base["events_per_s"], built["events_per_s"]], color=["grey", "tab:blue"])
    left.axhline(TARGET_RATE, color="red", ls=":", label=f"target {TARGET_RATE:,}/s")
    left.axhline(base["events_per_s"] * TARGET_RATIO, color="orange", ls=":", label="0.33 × decode")
    left.set(ylabel="events / s", title=f"{built['events']:,} events")
    left.legend()
    right.bar(labels, [base["max_rss_mib"], built["max_rss_mib"]], color=["grey", "tab:blue"])
    right.set(ylabel="peak RSS, MiB", title="memory")
    fig.suptitle(name)
    fig.tight_layout()
    fig.savefig(RESULTS / f"{name}.png", dpi=100)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="the park's year")
    parser.add_argument("--scale", default=None, help="park, city, province (default city)")
    parser.add_argument("--until", default=None, help="ISO time the history ends (default Nov 1)")
    parser.add_argument("--profile", action="store_true", help="pyinstrument the rebuild")
    parser.add_argument("--jobs", type=int, default=2, help="processes of the rebuild")
    parser.add_argument("--child", choices=("decode", "rebuild"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.url, args.profile_to, args.jobs)
        return
    scale = args.scale or ("park" if args.quick else "city")
    until = datetime.fromisoformat(args.until) if args.until else UNTIL
    if until.tzinfo is None:
        until = until.replace(tzinfo=SHANGHAI)
    # The province's history is its own result: the city's stays the headline.
    name = f"catch-up-{args.db}" + ("-province" if scale == "province" else "")
    profile = RESULTS / f"{name}-profile.txt" if args.profile else None
    with scratch_database(args.db) as scratch:
        data = demo_into(scratch, scale, until)
        base = child("decode", scratch.url, None)
        built = child("rebuild", scratch.url, profile, args.jobs)
    ratio = built["events_per_s"] / base["events_per_s"]
    print_table(
        f"{name}: {built['events']:,} events ({scale} to {until:%Y-%m-%d}), "
        f"rebuilt in {built['jobs']} process(es)",
        ("path", "events", "seconds", "events/s", "× decode", "events/CPU-s", "peak RSS MiB"),
        [
            (
                "read + decode",
                base["events"],
                base["seconds"],
                base["events_per_s"],
                1.0,
                base["events_per_cpu_s"],
                base["max_rss_mib"],
            ),
            (
                "rebuild all projections",
                built["events"],
                built["seconds"],
                built["events_per_s"],
                ratio,
                built["events_per_cpu_s"],
                built["max_rss_mib"],
            ),
        ],
    )
    met = ratio >= TARGET_RATIO and built["events_per_s"] >= TARGET_RATE
    if scale == "province":
        met = met and built["max_rss_mib"] <= TARGET_RSS_MIB
    path = write_result(
        name,
        value=built["events_per_s"],
        unit="events/s (all projections rebuilt from 0)",
        baseline=base["events_per_s"],
        target=f"ratio ≥ {TARGET_RATIO} and ≥ {TARGET_RATE:,} events/s"
        + (", peak RSS ≤ 2 GiB" if scale == "province" else ""),
        met=met,
        details={
            "peak_rss_mib": built["max_rss_mib"],
            "data": data,
            "decode": base,
            "rebuild": built,
        },
    )
    chart(name, base, built)
    print(f"\n{path}: ratio {ratio:.2f}, {built['events_per_s']:,.0f} events/s, target met: {met}")
    if profile is not None:
        print(f"profile: {profile}")


if __name__ == "__main__":
    main()
