"""Group commit: commands committing at the same moment share one transaction; a conflict in
the shared write costs only the commands that lost it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from eventsourcing.persistence import OperationalError

from domain.enterprise import Enterprise
from domain.errors import VersionConflictError
from domain.matter import Matter
from domain.park import Park
from domain.registry import Unit
from tests.conftest import Acts


@pytest.fixture
def park(database_url: str, open_park: Callable[[str], Park]) -> Park:
    return open_park(database_url)


class HeldWrites:
    """Counts the transactions written and holds the first until released, so that the
    commands arriving meanwhile queue behind it."""

    def __init__(
        self, park: Park, monkeypatch: pytest.MonkeyPatch, *, then_fail: bool = False
    ) -> None:
        self.park = park
        self.sizes: list[int] = []
        self.release = threading.Event()
        put = park.events.put

        def held_put(events: Any, **kwargs: Any) -> Any:
            self.sizes.append(len(events))
            if len(self.sizes) == 1:
                self.release.wait(10)
            elif then_fail:
                raise OperationalError("database is locked")
            return put(events, **kwargs)

        monkeypatch.setattr(park.events, "put", held_put)

    def wait_until_writing(self) -> None:
        deadline = time.monotonic() + 10
        while not self.sizes:
            assert time.monotonic() < deadline, "the first command did not write"
            time.sleep(0.005)

    def wait_until_queued(self, count: int) -> None:
        deadline = time.monotonic() + 10
        while len(self.park._group._queue) < count:
            assert time.monotonic() < deadline, "the commands did not queue"
            time.sleep(0.005)


def run(target: Callable[[], Any], outcomes: list[Any]) -> threading.Thread:
    def attempt() -> None:
        try:
            outcomes.append(target())
        except (VersionConflictError, OperationalError) as error:
            outcomes.append(error)

    thread = threading.Thread(target=attempt)
    thread.start()
    return thread


def test_commands_arriving_together_are_written_in_one_transaction(
    park: Park, acts: Acts, enterprise: Enterprise, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = HeldWrites(park, monkeypatch)
    head = park.log_head()
    outcomes: list[Any] = []

    def receive(n: int) -> Callable[[], Matter]:
        return lambda: park.receive_matter(
            acts.clerk(), enterprise.id, f"诉求{n}", "用工", "window"
        )

    threads = [run(receive(0), outcomes)]
    held.wait_until_writing()
    threads += [run(receive(n), outcomes) for n in range(1, 6)]
    held.wait_until_queued(5)
    held.release.set()
    for thread in threads:
        thread.join()

    assert held.sizes == [1, 5]
    assert all(isinstance(o, Matter) for o in outcomes)
    recorded = park.recorder.select_notifications(head, 100, inclusive_of_start=False)
    assert sorted(n.originator_id for n in recorded) == sorted(o.id for o in outcomes)
    for matter in outcomes:
        assert park.load(Matter, matter.id).summary == matter.summary


def test_a_conflict_in_a_shared_write_refuses_only_the_loser(
    park: Park,
    acts: Acts,
    enterprise: Enterprise,
    unit: Unit,
    other_unit: Unit,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    contested = park.receive_matter(acts.clerk(), enterprise.id, "争用", "用工", "window")
    held = HeldWrites(park, monkeypatch)
    head = park.log_head()
    outcomes: list[Any] = []
    first = run(
        lambda: park.receive_matter(acts.clerk(), enterprise.id, "先到", "用工", "window"),
        outcomes,
    )
    held.wait_until_writing()
    # Both assign the contested matter from its version 1; a third command is unrelated.
    threads = [
        run(lambda: park.assign_matter(acts.clerk(), contested.id, unit.id, 1), outcomes),
        run(lambda: park.assign_matter(acts.clerk(), contested.id, other_unit.id, 1), outcomes),
        run(
            lambda: park.receive_matter(acts.clerk(), enterprise.id, "无关", "用工", "window"),
            outcomes,
        ),
    ]
    held.wait_until_queued(3)
    held.release.set()
    for thread in [first, *threads]:
        thread.join()

    # The held one; the three together, refused; then each alone.
    assert held.sizes == [1, 3, 1, 1, 1]
    conflicts = [o for o in outcomes if isinstance(o, VersionConflictError)]
    saved = [o for o in outcomes if isinstance(o, Matter)]
    assert len(conflicts) == 1
    assert len(saved) == 3
    recorded = park.recorder.select_notifications(head, 100, inclusive_of_start=False)
    assert len(recorded) == 3  # the first, the assignment that won, the unrelated intake
    assert park.load(Matter, contested.id).version == 2


def test_a_failed_shared_write_is_told_to_every_command_in_it(
    park: Park, acts: Acts, enterprise: Enterprise, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = HeldWrites(park, monkeypatch, then_fail=True)
    head = park.log_head()
    outcomes: list[Any] = []

    def receive(n: int) -> Callable[[], Matter]:
        return lambda: park.receive_matter(acts.clerk(), enterprise.id, f"诉{n}", "用工", "window")

    threads = [run(receive(0), outcomes)]
    held.wait_until_writing()
    threads += [run(receive(n), outcomes) for n in range(1, 4)]
    held.wait_until_queued(3)
    held.release.set()
    for thread in threads:
        thread.join()

    assert held.sizes == [1, 3]  # the failed write is not tried again command by command
    assert sum(isinstance(o, Matter) for o in outcomes) == 1
    assert sum(isinstance(o, OperationalError) for o in outcomes) == 3
    assert len(park.recorder.select_notifications(head, 100, inclusive_of_start=False)) == 1
