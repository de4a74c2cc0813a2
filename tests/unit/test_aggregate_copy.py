"""The copy a command gets of a cached aggregate: equal to it, and changing it changes nothing
of the original (only what cannot change is shared)."""

from __future__ import annotations

import copy
import pickle
from datetime import timedelta
from uuid import uuid4

from domain.base import IMMUTABLE, _frozen
from domain.calendar import WorkingCalendar, library_schedules
from domain.deadline import Deadline, Rules
from domain.matter import Matter
from domain.policy import AdoptedPolicy, PolicyDocument
from tests.conftest import Acts, Clock, sh

RULES = Rules(
    WorkingCalendar({s.year: s for s in library_schedules()}),
    24,
    AdoptedPolicy(1, "2000-01", PolicyDocument()),
)
UNIT = uuid4()


def assigned_matter(acts: Acts, clock: Clock) -> Matter:
    clock.set(sh(2026, 3, 2, 9))
    matter = Matter.receive(acts.clerk(), RULES, uuid4(), "用电增容", "要素保障", "window")
    clock.set(sh(2026, 3, 2, 10))
    matter.assign(acts.clerk(), RULES, str(UNIT))
    clock.set(sh(2026, 3, 3, 10))
    matter.request_extension(acts.unit(UNIT), sh(2026, 3, 20, 17), "需现场勘查")
    matter.collect_events()
    return matter


def test_a_copied_matter_equals_the_original(acts: Acts, clock: Clock) -> None:
    matter = assigned_matter(acts, clock)
    copied = copy.deepcopy(matter)
    assert copied is not matter
    assert type(copied) is Matter
    assert vars(copied) == vars(matter)
    assert pickle.loads(pickle.dumps(copied)).__dict__ == vars(matter)


def test_changing_a_copied_matter_leaves_the_original_as_it_was(acts: Acts, clock: Clock) -> None:
    matter = assigned_matter(acts, clock)
    before = copy.deepcopy(vars(matter))  # the library's plain deep copy of its fields
    copied = copy.deepcopy(matter)
    for name, value in vars(matter).items():
        if isinstance(value, list | dict):
            assert vars(copied)[name] is not value, name
    clock.set(sh(2026, 3, 4, 10))
    copied.resolve(acts.unit(UNIT), "已办结")
    copied.deadlines.append(copied.deadlines[0])
    copied.extension_requests.clear()
    assert vars(matter) == before
    assert copied.version == matter.version + 1


def test_only_what_cannot_change_is_shared() -> None:
    moment = sh(2026, 3, 2, 9)
    deadline = Deadline("assign", None, "half_working_day", moment, moment, False, 24, 1)
    assert _frozen(deadline)
    assert _frozen((1, "a", moment))
    assert not _frozen((1, ["a"]))
    assert not _frozen([deadline])
    assert timedelta in IMMUTABLE
    assert list not in IMMUTABLE
    assert dict not in IMMUTABLE
