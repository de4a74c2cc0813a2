"""Catching up in several processes: groups of projections follow the log side by side, each
reading the log, decoding only the events its projections read, and writing its projections'
rows with their positions. A rebuild is then bounded by its largest group, not by the sum."""

from __future__ import annotations

import dataclasses
import json
import logging
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from eventsourcing.utils import get_topic, resolve_topic

from domain.application import ParkCore
from domain.storage import Database
from projections.base import Projection
from projections.sql import ViewDatabase

if TYPE_CHECKING:
    from projections.runner import Follower

log = logging.getLogger("baobao.follower")

# Fewer events than this to catch up on are caught up here: a process of its own starts in
# about half a second, as long as a few tens of thousands of events take in one.
PARALLEL_FROM = 50_000


def pays_to_split(behind: int) -> bool:
    """Whether a catch-up this many events behind is worth other processes."""
    return behind >= PARALLEL_FROM


# About what each projection costs to rebuild, relative to the lightest: replaying aggregates
# and writing matters' rows costs about as much as all the others together.
WEIGHTS = {"entities": 8}


def groups(projections: Sequence[Projection], jobs: int) -> list[list[Projection]]:
    """The projections in at most `jobs` groups of about equal weight, heaviest first."""
    bins: list[list[Projection]] = [[] for _ in range(jobs)]
    loads = [0] * jobs
    for projection in sorted(projections, key=lambda p: -WEIGHTS.get(p.name, 1)):
        lightest = loads.index(min(loads))
        bins[lightest].append(projection)
        loads[lightest] += WEIGHTS.get(projection.name, 1)
    return [group for group in bins if group]


class GroupFailedError(Exception):
    """A group of projections failed to catch up in its own process."""


def catch_up_in_parallel(
    follower: Follower, jobs: int, progress: Callable[[int], None] | None
) -> int | None:
    """Each group but the first catches up in a process of its own, the first in this one; the
    most positions any group covered. None if these projections cannot be followed elsewhere
    (a database in memory, a projection another process would not build the same) or are
    too little behind for other processes to pay."""
    from projections.runner import Follower, all_projections

    app = follower.app
    defaults = {p.name: type(p) for p in all_projections(app)}
    if app.database.kind == "memory" or any(
        defaults.get(p.name) is not type(p) for p in follower.projections
    ):
        return None
    behind = app.log_head() - min(follower.positions().values(), default=0)
    if not pays_to_split(behind):
        log.info("%s events behind: catching up in this process", behind)
        return None
    parts = groups(follower.projections, jobs)
    if len(parts) < 2:
        return None
    here, *elsewhere = parts
    log.info(
        "catching up %s here and %s in other processes",
        [p.name for p in here],
        [[p.name for p in group] for group in elsewhere],
    )
    children = []
    for group in elsewhere:
        order = {
            "app": get_topic(type(app)),
            "database": dataclasses.asdict(app.database),
            "names": [p.name for p in group],
            "page_size": follower.page_size,
            "catch_up_page_size": follower.catch_up_page_size,
        }
        # A fresh interpreter: nothing of this process (threads, pools, the caller's module).
        child = subprocess.Popen(
            [sys.executable, "-m", "projections.parallel"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdin is not None
        child.stdin.write(json.dumps(order))
        child.stdin.close()
        children.append((group, child))
    try:
        counts = [
            Follower(
                app, follower.views, here, follower.page_size, follower.catch_up_page_size
            ).catch_up(progress)
        ]
    except BaseException:
        # Each page lands with its position or not at all: stopping the others loses nothing.
        for _, child in children:
            child.kill()
            child.wait()
        raise
    for group, child in children:
        assert child.stdout is not None
        out = child.stdout.read()
        child.wait()
        if child.returncode != 0:
            names = ", ".join(p.name for p in group)
            msg = f"catching up {names} in another process failed (exit {child.returncode})"
            raise GroupFailedError(msg)
        counts.append(int(out.strip().splitlines()[-1]))
    return max(counts)


def follow(order: dict[str, Any]) -> int:
    """In a process of its own: catch the named projections up; the number of events read."""
    from projections.runner import Follower, all_projections

    database = Database(**order["database"])
    app: ParkCore = resolve_topic(order["app"])(database)
    views = ViewDatabase(database)
    try:
        chosen = [p for p in all_projections(app) if p.name in order["names"]]
        follower = Follower(app, views, chosen, order["page_size"], order["catch_up_page_size"])
        return follower.catch_up()
    finally:
        views.close()
        app.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    print(follow(json.loads(sys.stdin.read())))
