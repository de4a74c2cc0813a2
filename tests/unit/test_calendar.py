"""Working-time arithmetic on the official calendar (SPEC §3)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import (
    SHANGHAI,
    Due,
    OfficeHours,
    WorkingCalendar,
    YearSchedule,
    library_schedules,
)

CALENDAR = WorkingCalendar({s.year: s for s in library_schedules()})
HOURS = OfficeHours()
PROPERTY = settings(max_examples=200, deadline=None)


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def firm(at: datetime) -> Due:
    return Due(at=at, provisional=False)


# --- the worked examples of SPEC §3 -------------------------------------------------------


def test_deadline_received_before_national_day_falls_after_it() -> None:
    assert CALENDAR.half_working_day_after(sh(2026, 9, 30, 16)) == firm(sh(2026, 10, 8, 10, 30))


def test_deadline_received_before_spring_festival_falls_on_adjusted_saturday() -> None:
    assert CALENDAR.half_working_day_after(sh(2026, 2, 13, 16)) == firm(sh(2026, 2, 14, 10, 30))


def test_deadline_received_on_sunday_runs_from_monday_morning() -> None:
    assert CALENDAR.half_working_day_after(sh(2026, 3, 1, 9)) == firm(sh(2026, 3, 2, 12))


def test_three_working_days_across_national_day_end_on_adjusted_saturday() -> None:
    assert CALENDAR.working_days_after(sh(2026, 9, 30, 10), 3) == firm(sh(2026, 10, 10, 17, 30))


def test_three_working_days_do_not_count_the_day_of_assignment() -> None:
    assert CALENDAR.working_days_after(sh(2026, 3, 2, 8, 31), 3) == firm(sh(2026, 3, 5, 17, 30))


# --- working days -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 14), True),
        (date(2026, 9, 20), True),
        (date(2026, 10, 10), True),
        (date(2026, 10, 1), False),
        (date(2026, 10, 7), False),
        (date(2026, 3, 7), False),
        (date(2026, 3, 9), True),
    ],
)
def test_working_days_follow_the_published_calendar(day: date, working: bool) -> None:
    assert CALENDAR.is_working_day(day) is working


@given(st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31)))
@PROPERTY
def test_published_years_agree_with_the_calendar_library(day: date) -> None:
    assert CALENDAR.is_working_day(day) is chinese_calendar.is_workday(day)


def test_library_publishes_every_year_it_covers() -> None:
    schedules = library_schedules()
    years = [s.year for s in schedules]
    assert years == list(range(2004, years[-1] + 1))
    assert years[-1] >= 2026
    assert all(s.source == f"chinesecalendar {chinese_calendar.__version__}" for s in schedules)
    assert date(2026, 10, 10) in schedules[2026 - 2004].workdays


# --- years without a published calendar ---------------------------------------------------


def test_unpublished_year_uses_statutory_holidays() -> None:
    assert not CALENDAR.is_published(2031)
    assert CALENDAR.is_published(2026)
    assert not CALENDAR.is_working_day(date(2031, 1, 1))
    assert not CALENDAR.is_working_day(date(2031, 10, 1))
    assert CALENDAR.is_working_day(date(2031, 10, 8))


def test_deadline_in_unpublished_year_is_provisional() -> None:
    # Tue 2031-09-30; National Day 1–3 Oct (Wed–Fri), then a weekend.
    due = CALENDAR.working_days_after(sh(2031, 9, 30, 10), 1)
    assert due == Due(at=sh(2031, 10, 6, 17, 30), provisional=True)


def test_deadline_crossing_into_unpublished_year_is_provisional() -> None:
    # Thu 2026-12-31 16:00: 1.5 h that day, New Year's Day off, resumes Mon 2027-01-04.
    due = CALENDAR.half_working_day_after(sh(2026, 12, 31, 16))
    assert due == Due(at=sh(2027, 1, 4, 10, 30), provisional=True)


def test_deadline_within_published_year_is_not_provisional_near_year_end() -> None:
    assert CALENDAR.half_working_day_after(sh(2026, 12, 31, 8, 30)) == firm(sh(2026, 12, 31, 12))


def test_publishing_the_year_makes_its_deadlines_firm() -> None:
    published = YearSchedule(
        year=2031,
        holidays=frozenset(date(2031, 10, d) for d in range(1, 8)),
        workdays=frozenset({date(2031, 10, 11)}),
        source="test notice",
    )
    calendar = WorkingCalendar({2031: published})
    due = calendar.working_days_after(sh(2031, 9, 30, 10), 1)
    assert due == firm(sh(2031, 10, 8, 17, 30))


def test_deadline_may_span_many_years() -> None:
    due = CALENDAR.working_days_after(sh(2026, 3, 2, 10), 2500)
    assert due.provisional
    assert due.at.year >= 2036
    assert CALENDAR.is_working_day(due.at.date())


# --- session boundaries -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (sh(2026, 3, 2, 8, 30), sh(2026, 3, 2, 12)),
        (sh(2026, 3, 2, 12), sh(2026, 3, 2, 17, 30)),
        (sh(2026, 3, 2, 14), sh(2026, 3, 2, 17, 30)),
        (sh(2026, 3, 2, 17, 30), sh(2026, 3, 3, 12)),
        (sh(2026, 3, 2, 7), sh(2026, 3, 2, 12)),
        (sh(2026, 3, 2, 12, 30), sh(2026, 3, 2, 17, 30)),
    ],
)
def test_half_day_starting_at_session_boundaries(start: datetime, due: datetime) -> None:
    assert CALENDAR.half_working_day_after(start) == firm(due)


@pytest.mark.parametrize(
    ("start", "effective"),
    [
        (sh(2026, 3, 2, 8, 30), sh(2026, 3, 2, 8, 30)),
        (sh(2026, 3, 2, 10), sh(2026, 3, 2, 10)),
        (sh(2026, 3, 2, 12), sh(2026, 3, 2, 14)),
        (sh(2026, 3, 2, 17, 30), sh(2026, 3, 3, 8, 30)),
        (sh(2026, 9, 30, 18), sh(2026, 10, 8, 8, 30)),
    ],
)
def test_zero_working_time_gives_the_moment_the_clock_starts(
    start: datetime, effective: datetime
) -> None:
    assert CALENDAR.add_working_time(start, timedelta(0)) == firm(effective)


def test_reaching_a_session_end_exactly_gives_the_session_end() -> None:
    due = CALENDAR.add_working_time(sh(2026, 3, 2, 10), timedelta(hours=2))
    assert due == firm(sh(2026, 3, 2, 12))


def test_full_working_day_is_seven_hours_by_default() -> None:
    assert HOURS.day_length() == timedelta(hours=7)
    assert CALENDAR.working_time_between(sh(2026, 3, 2), sh(2026, 3, 3)) == timedelta(hours=7)
    assert CALENDAR.working_time_between(sh(2026, 10, 1), sh(2026, 10, 8)) == timedelta(0)


def test_working_time_between_is_zero_when_end_precedes_start() -> None:
    assert CALENDAR.working_time_between(sh(2026, 3, 3), sh(2026, 3, 2)) == timedelta(0)


def test_custom_office_hours_set_the_half_day() -> None:
    calendar = WorkingCalendar({}, OfficeHours(sessions=((time(9), time(17)),)))
    assert calendar.half_working_day_after(sh(2031, 3, 3, 9)) == Due(sh(2031, 3, 3, 13), True)


@pytest.mark.parametrize(
    "sessions",
    [(), ((time(12), time(9)),), ((time(8), time(12)), (time(11), time(17)))],
)
def test_office_hours_must_be_ordered_non_empty_sessions(
    sessions: tuple[tuple[time, time], ...],
) -> None:
    with pytest.raises(ValueError, match="session"):
        OfficeHours(sessions=sessions)


# --- input validation ---------------------------------------------------------------------


def test_other_time_zones_are_converted_to_shanghai() -> None:
    due = CALENDAR.half_working_day_after(datetime(2026, 9, 30, 8, tzinfo=UTC))
    assert due == firm(sh(2026, 10, 8, 10, 30))
    assert due.at.tzinfo == SHANGHAI


def test_naive_times_are_rejected() -> None:
    naive = datetime(2026, 3, 2, 10)
    with pytest.raises(ValueError, match="naive"):
        CALENDAR.add_working_time(naive, timedelta(hours=1))
    with pytest.raises(ValueError, match="naive"):
        CALENDAR.working_days_after(naive, 1)
    with pytest.raises(ValueError, match="naive"):
        CALENDAR.working_time_between(naive, sh(2026, 3, 3))


def test_negative_amounts_and_zero_days_are_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        CALENDAR.add_working_time(sh(2026, 3, 2), timedelta(minutes=-1))
    with pytest.raises(ValueError, match="at least 1"):
        CALENDAR.working_days_after(sh(2026, 3, 2), 0)


# --- properties ---------------------------------------------------------------------------

ZONES = st.sampled_from(
    [SHANGHAI, UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=9))]
)
ANY_START = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=ZONES
)
ROUND_START = st.builds(
    lambda day, quarter: (
        datetime.combine(day, time(0), tzinfo=SHANGHAI) + quarter * timedelta(minutes=15)
    ),
    st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)),
    st.integers(min_value=0, max_value=95),
)
STARTS = st.one_of(ANY_START, ROUND_START)
POSITIVE = st.one_of(
    st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(hours=300)),
    st.integers(min_value=1, max_value=1200).map(lambda q: q * timedelta(minutes=15)),
)
AMOUNTS = st.one_of(st.just(timedelta(0)), POSITIVE)


@given(STARTS, POSITIVE)
@PROPERTY
def test_deadline_lies_inside_an_office_session_of_a_working_day(
    start: datetime, amount: timedelta
) -> None:
    due = CALENDAR.add_working_time(start, amount)
    local = due.at.astimezone(SHANGHAI)
    assert due.at.tzinfo == SHANGHAI
    assert CALENDAR.is_working_day(local.date())
    assert any(begin < local.time() <= end for begin, end in HOURS.sessions)


@given(STARTS, AMOUNTS)
@PROPERTY
def test_deadline_is_never_before_the_start(start: datetime, amount: timedelta) -> None:
    assert CALENDAR.add_working_time(start, amount).at >= start


@given(STARTS, AMOUNTS, POSITIVE)
@PROPERTY
def test_adding_working_time_in_two_steps_equals_adding_the_sum(
    start: datetime, first: timedelta, second: timedelta
) -> None:
    halfway = CALENDAR.add_working_time(start, first)
    stepwise = CALENDAR.add_working_time(halfway.at, second)
    assert stepwise.at == CALENDAR.add_working_time(start, first + second).at


@given(STARTS, AMOUNTS)
@PROPERTY
def test_working_time_until_the_deadline_is_the_amount_added(
    start: datetime, amount: timedelta
) -> None:
    due = CALENDAR.add_working_time(start, amount)
    assert CALENDAR.working_time_between(start, due.at) == amount


@given(STARTS, st.integers(min_value=1, max_value=30))
@PROPERTY
def test_n_working_days_end_at_close_of_the_nth_working_day_after(start: datetime, n: int) -> None:
    due = CALENDAR.working_days_after(start, n)
    first = start.astimezone(SHANGHAI).date()
    last = due.at.date()
    assert due.at.time() == time(17, 30)
    assert last > first
    assert CALENDAR.is_working_day(last)
    between = (first + timedelta(days=i) for i in range(1, (last - first).days + 1))
    assert sum(CALENDAR.is_working_day(d) for d in between) == n


@given(STARTS, POSITIVE)
@PROPERTY
def test_deadline_is_provisional_exactly_when_it_reaches_an_unpublished_year(
    start: datetime, amount: timedelta
) -> None:
    due = CALENDAR.add_working_time(start, amount)
    if due.at.year <= 2026:
        assert not due.provisional
    else:
        assert due.provisional
