"""Dispatch cadence at its edges (SPEC §6 D3): slots, tenure, Shanghai dates, as-of time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from domain.cadence import Convened, Slot, Tenure, compliance, slots_for
from domain.calendar import SHANGHAI
from domain.errors import InvalidInputError

PERSON = uuid4()


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def tenure(role: str, start: date, end: date | None = None, person: UUID = PERSON) -> Tenure:
    return Tenure(uuid4(), person, role, start, end)


def held(at: datetime, person: UUID = PERSON) -> Convened:
    return Convened(uuid4(), person, at)


def statuses(
    member: Tenure, dispatches: list[Convened], period: str, now: datetime
) -> list[tuple[bool, str]]:
    (result,) = compliance([member], dispatches, period, now)
    return [(s.required, s.status) for s in result.slots]


DEPUTY = tenure("deputy_group_leader", date(2025, 1, 1))
LEADER = tenure("group_leader", date(2025, 1, 1))
AFTER_MARCH = sh(2026, 4, 1, 9)


# -- slots ---------------------------------------------------------------------------------


def test_a_group_leader_owes_one_dispatch_per_calendar_month() -> None:
    assert slots_for("group_leader", "2026-03") == [Slot(date(2026, 3, 1), date(2026, 3, 31))]


@pytest.mark.parametrize(
    ("period", "last"),
    [("2026-02", 28), ("2028-02", 29), ("2026-04", 30), ("2026-03", 31), ("2026-12", 31)],
)
def test_the_second_half_month_runs_to_the_last_day_of_the_month(period: str, last: int) -> None:
    first_half, second_half = slots_for("deputy_group_leader", period)
    year, month = int(period[:4]), int(period[5:])
    assert first_half == Slot(date(year, month, 1), date(year, month, 15))
    assert second_half == Slot(date(year, month, 16), date(year, month, last))


@pytest.mark.parametrize("period", ["2026-13", "2026-00", "26-03", "2026-3", "march"])
def test_a_period_that_is_not_a_month_is_refused(period: str) -> None:
    with pytest.raises(InvalidInputError):
        slots_for("group_leader", period)


def test_an_unknown_role_has_no_slots() -> None:
    with pytest.raises(InvalidInputError):
        slots_for("chain_leader", "2026-03")


# -- the 15th/16th boundary and Shanghai dates ----------------------------------------------


def test_a_dispatch_late_on_the_15th_counts_for_the_first_half() -> None:
    dispatch = held(sh(2026, 3, 15, 23, 59))
    assert statuses(DEPUTY, [dispatch], "2026-03", AFTER_MARCH) == [
        (True, "held"),
        (True, "missed"),
    ]


def test_a_dispatch_at_midnight_of_the_16th_counts_for_the_second_half() -> None:
    dispatch = held(sh(2026, 3, 16, 0, 0))
    assert statuses(DEPUTY, [dispatch], "2026-03", AFTER_MARCH) == [
        (True, "missed"),
        (True, "held"),
    ]


def test_the_half_month_is_decided_by_the_shanghai_date_not_utc() -> None:
    # 2026-03-15T16:30Z is 2026-03-16 00:30 in Shanghai: the second half.
    dispatch = held(datetime(2026, 3, 15, 16, 30, tzinfo=UTC))
    assert statuses(DEPUTY, [dispatch], "2026-03", AFTER_MARCH) == [
        (True, "missed"),
        (True, "held"),
    ]


def test_a_dispatch_late_on_the_31st_shanghai_time_belongs_to_march() -> None:
    dispatch = held(datetime(2026, 3, 31, 15, 30, tzinfo=UTC))  # 23:30 +08:00
    assert dispatch.held_at == sh(2026, 3, 31, 23, 30)
    assert statuses(LEADER, [dispatch], "2026-03", AFTER_MARCH) == [(True, "held")]
    assert statuses(LEADER, [dispatch], "2026-04", sh(2026, 5, 1)) == [(True, "missed")]


def test_a_dispatch_at_shanghai_midnight_of_april_1st_belongs_to_april() -> None:
    dispatch = held(datetime(2026, 3, 31, 16, 0, tzinfo=UTC))  # 2026-04-01 00:00 +08:00
    assert statuses(LEADER, [dispatch], "2026-03", AFTER_MARCH) == [(True, "missed")]
    assert statuses(LEADER, [dispatch], "2026-04", sh(2026, 5, 1)) == [(True, "held")]


def test_february_2026_second_half_ends_on_the_28th() -> None:
    dispatch = held(sh(2026, 2, 28, 17))
    assert statuses(DEPUTY, [dispatch], "2026-02", sh(2026, 3, 1)) == [
        (True, "missed"),
        (True, "held"),
    ]


# -- open, missed and the time asked -------------------------------------------------------


def test_a_slot_still_running_without_a_dispatch_is_open() -> None:
    assert statuses(DEPUTY, [], "2026-03", sh(2026, 3, 15, 23, 59)) == [
        (True, "open"),
        (True, "open"),
    ]


def test_a_slot_is_missed_from_the_first_moment_after_its_last_day() -> None:
    assert statuses(DEPUTY, [], "2026-03", sh(2026, 3, 16, 0, 0)) == [
        (True, "missed"),
        (True, "open"),
    ]


def test_a_month_slot_ends_with_its_last_day_in_shanghai() -> None:
    still_march = datetime(2026, 3, 31, 15, 59, tzinfo=UTC)  # 23:59 +08:00
    april = datetime(2026, 3, 31, 16, 0, tzinfo=UTC)  # 2026-04-01 00:00 +08:00
    assert statuses(LEADER, [], "2026-03", still_march) == [(True, "open")]
    assert statuses(LEADER, [], "2026-03", april) == [(True, "missed")]


def test_only_the_members_own_dispatches_count() -> None:
    someone_else = held(sh(2026, 3, 10), person=uuid4())
    assert statuses(LEADER, [someone_else], "2026-03", AFTER_MARCH) == [(True, "missed")]


def test_several_dispatches_in_one_slot_are_all_listed() -> None:
    first, second = held(sh(2026, 3, 3, 10)), held(sh(2026, 3, 20, 10))
    (result,) = compliance([LEADER], [first, second], "2026-03", AFTER_MARCH)
    assert result.slots[0].dispatch_ids == (first.dispatch_id, second.dispatch_id)
    assert (result.held, result.missed) == (1, 0)


# -- tenure --------------------------------------------------------------------------------


def test_tenure_starting_mid_slot_does_not_require_that_slot() -> None:
    deputy = tenure("deputy_group_leader", date(2026, 3, 10))
    assert statuses(deputy, [], "2026-03", AFTER_MARCH) == [
        (False, "not_required"),
        (True, "missed"),
    ]


def test_tenure_starting_on_the_16th_requires_the_second_half() -> None:
    deputy = tenure("deputy_group_leader", date(2026, 3, 16))
    assert statuses(deputy, [], "2026-03", AFTER_MARCH) == [
        (False, "not_required"),
        (True, "missed"),
    ]


def test_tenure_ending_mid_slot_does_not_require_that_slot() -> None:
    deputy = tenure("deputy_group_leader", date(2025, 1, 1), date(2026, 3, 20))
    assert statuses(deputy, [], "2026-03", AFTER_MARCH) == [
        (True, "missed"),
        (False, "not_required"),
    ]


def test_tenure_ending_on_the_last_day_of_the_slot_requires_it() -> None:
    leader = tenure("group_leader", date(2026, 3, 1), date(2026, 3, 31))
    assert statuses(leader, [], "2026-03", AFTER_MARCH) == [(True, "missed")]


def test_a_leader_appointed_mid_month_owes_nothing_that_month() -> None:
    leader = tenure("group_leader", date(2026, 3, 2))
    dispatch = held(sh(2026, 3, 5))
    (result,) = compliance([leader], [dispatch], "2026-03", AFTER_MARCH)
    assert [(s.required, s.status) for s in result.slots] == [(False, "not_required")]
    assert result.slots[0].dispatch_ids == (dispatch.dispatch_id,)
    assert (result.held, result.missed) == (0, 0)


def test_members_out_of_office_all_month_are_not_listed() -> None:
    before = tenure("group_leader", date(2025, 1, 1), date(2026, 2, 28))
    after = tenure("group_leader", date(2026, 4, 1))
    assert compliance([before, after], [], "2026-03", AFTER_MARCH) == []


def test_held_and_missed_count_required_slots() -> None:
    dispatch = held(sh(2026, 3, 2, 10))
    (result,) = compliance([DEPUTY], [dispatch], "2026-03", AFTER_MARCH)
    assert (result.held, result.missed) == (1, 1)


def test_the_time_asked_must_carry_an_offset() -> None:
    with pytest.raises(InvalidInputError):
        compliance([LEADER], [], "2026-03", datetime(2026, 4, 1))
