"""Steps for features/working_time.feature."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pytest_bdd import given, parsers, scenarios, then, when

from domain.calendar import SHANGHAI, Due, WorkingCalendar, library_schedules

scenarios("working_time.feature")

Rule = Callable[[datetime], Due]


def shanghai_time(text: str) -> datetime:
    """Parse 'Wed 2026-09-30 16:00' as Shanghai time, checking the weekday."""
    at = datetime.strptime(text, "%a %Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)
    assert at.strftime("%a") == text[:3], f"{text} is a {at:%A}"
    return at


@given(parsers.parse("the official calendar of {year:d} is published"), target_fixture="calendar")
def published_calendar(year: int) -> WorkingCalendar:
    calendar = WorkingCalendar({s.year: s for s in library_schedules()})
    assert calendar.is_published(year)
    return calendar


@given(
    parsers.parse("the official calendar of {year:d} is not yet published"),
    target_fixture="calendar",
)
def calendar_without(year: int) -> WorkingCalendar:
    calendar = WorkingCalendar({s.year: s for s in library_schedules() if s.year != year})
    assert not calendar.is_published(year)
    return calendar


@given("matters must be assigned within half a working day", target_fixture="rule")
def half_working_day(calendar: WorkingCalendar) -> Rule:
    return calendar.half_working_day_after


@given(
    parsers.re(r"matters must be handled within (?P<n>\d+) working days?"),
    target_fixture="rule",
)
def working_days(calendar: WorkingCalendar, n: str) -> Rule:
    return lambda at: calendar.working_days_after(at, int(n))


@when(parsers.re(r"a matter is (?:received|assigned) at (?P<at>.+)"), target_fixture="due")
def act(rule: Rule, at: str) -> Due:
    return rule(shanghai_time(at))


@then(parsers.parse("it is due by {deadline}"))
def due_by(due: Due, deadline: str) -> None:
    assert due.at == shanghai_time(deadline)


@then("the deadline is firm")
def firm(due: Due) -> None:
    assert not due.provisional


@then("the deadline is provisional")
def provisional(due: Due) -> None:
    assert due.provisional
