"""The official working calendar as events: one WorkingCalendarPublished per year (SPEC T3)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from domain.base import Act, BaobaoAggregate, create
from domain.calendar import OfficeHours, WorkingCalendar, YearSchedule
from domain.errors import InvalidInputError

CALENDAR_ID = uuid5(NAMESPACE_URL, "baobao:working-calendar")


class CalendarBook(BaobaoAggregate):
    """Every year's published schedule; its version is the calendar version of a deadline."""

    class Started(BaobaoAggregate.Created):
        pass

    class WorkingCalendarPublished(BaobaoAggregate.Event):
        year: int
        holidays: list[str]
        workdays: list[str]
        source: str

        def apply(self, aggregate: CalendarBook) -> None:
            aggregate.years[self.year] = YearSchedule(
                year=self.year,
                holidays=frozenset(date.fromisoformat(d) for d in self.holidays),
                workdays=frozenset(date.fromisoformat(d) for d in self.workdays),
                source=self.source,
            )

    def __init__(self) -> None:
        self.years: dict[int, YearSchedule] = {}

    @classmethod
    def start(cls, act: Act) -> CalendarBook:
        return create(cls, cls.Started, act, CALENDAR_ID)

    def publish(self, act: Act, schedule: YearSchedule) -> None:
        check_schedule(schedule)
        self.record(
            self.WorkingCalendarPublished,
            act,
            year=schedule.year,
            holidays=sorted(d.isoformat() for d in schedule.holidays),
            workdays=sorted(d.isoformat() for d in schedule.workdays),
            source=schedule.source,
        )

    def working_calendar(self, hours: OfficeHours) -> WorkingCalendar:
        return WorkingCalendar(dict(self.years), hours)

    def summary(self) -> dict[str, Any]:
        return {str(y): s.source for y, s in sorted(self.years.items())}


def check_schedule(schedule: YearSchedule) -> None:
    """A schedule names days of its own year; a workday is a weekend day, a holiday is not both."""
    if not 2000 <= schedule.year <= 2100:
        raise InvalidInputError(f"year {schedule.year} is out of range (2000–2100)")
    if not schedule.source.strip():
        raise InvalidInputError("a calendar needs its source, e.g. the State Council notice number")
    for day in schedule.holidays | schedule.workdays:
        if day.year != schedule.year:
            raise InvalidInputError(f"{day.isoformat()} is not in {schedule.year}")
    both = schedule.holidays & schedule.workdays
    if both:
        raise InvalidInputError(
            f"days both holiday and workday: {sorted(d.isoformat() for d in both)}"
        )
    weekdays = sorted(d.isoformat() for d in schedule.workdays if d.weekday() < 5)
    if weekdays:
        raise InvalidInputError(f"adjusted workdays must be weekend days: {weekdays}")
