"""Working-time arithmetic on the official Chinese working calendar (SPEC §3)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays
from chinese_calendar import constants as cc_constants

SHANGHAI = ZoneInfo("Asia/Shanghai")

_ZERO = timedelta(0)
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class YearSchedule:
    """One year's official schedule, as published (a WorkingCalendarPublished event)."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str


def _since_midnight(t: time) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


@dataclass(frozen=True)
class OfficeHours:
    """Office sessions of a working day (policy)."""

    sessions: tuple[tuple[time, time], ...] = (
        (time(8, 30), time(12, 0)),
        (time(14, 0), time(17, 30)),
    )
    # The sessions as offsets from midnight, derived once.
    _spans: tuple[tuple[timedelta, timedelta], ...] = field(
        init=False, repr=False, compare=False, default=()
    )

    def __post_init__(self) -> None:
        spans = tuple((_since_midnight(s), _since_midnight(e)) for s, e in self.sessions)
        if not spans:
            raise ValueError("office hours need at least one session")
        previous_end = _ZERO
        for begin, end in spans:
            if not previous_end <= begin < end:
                raise ValueError("sessions must be non-empty, ordered and non-overlapping")
            previous_end = end
        object.__setattr__(self, "_spans", spans)

    def day_length(self) -> timedelta:
        return sum((end - begin for begin, end in self._spans), _ZERO)

    def spans(self) -> tuple[tuple[timedelta, timedelta], ...]:
        return self._spans


@dataclass(frozen=True)
class Due:
    """A computed deadline instant and whether any day it depends on lies in an unpublished year."""

    at: datetime
    provisional: bool


def _local(moment: datetime) -> tuple[date, timedelta]:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime not accepted: {moment.isoformat()}")
    local = moment.astimezone(SHANGHAI)
    return local.date(), _since_midnight(local.time())


def _at(day: date, offset: timedelta) -> datetime:
    return datetime.combine(day, time(0), tzinfo=SHANGHAI) + offset


class WorkingCalendar:
    """The working clock: office sessions on the working days of published or provisional years."""

    def __init__(
        self, schedules: Mapping[int, YearSchedule], hours: OfficeHours = OfficeHours()
    ) -> None:
        self._schedules = dict(schedules)
        self._hours = hours
        self._spans = hours.spans()
        self._length = hours.day_length()
        self._days: dict[int, tuple[date, ...]] = {}
        self._day_sets: dict[int, frozenset[date]] = {}

    @property
    def hours(self) -> OfficeHours:
        return self._hours

    def is_published(self, year: int) -> bool:
        return year in self._schedules

    def is_working_day(self, day: date) -> bool:
        self._working_days(day.year)
        return day in self._day_sets[day.year]

    def add_working_time(self, start: datetime, amount: timedelta) -> Due:
        if amount < _ZERO:
            raise ValueError("amount of working time must not be negative")
        day, now = _local(start)
        years: set[int] = set()
        if now < self._spans[-1][1]:
            years.add(day.year)
            if self.is_working_day(day):
                for begin, end in self._spans:
                    if now >= end:
                        continue
                    now = max(now, begin)
                    if amount <= end - now:
                        return self._due(_at(day, now + amount), years)
                    amount -= end - now
        # Whole working days first, then walk the sessions of the final day; the
        # remainder is kept in (0, day length] so a session's end is never skipped.
        if amount == _ZERO:
            day = self._nth_working_day_after(day, 1, years)
            return self._due(_at(day, self._spans[0][0]), years)
        whole = (amount - _TICK) // self._length
        remainder = amount - whole * self._length
        day = self._nth_working_day_after(day, whole + 1, years)
        for begin, end in self._spans:
            if remainder <= end - begin:
                return self._due(_at(day, begin + remainder), years)
            remainder -= end - begin
        raise AssertionError("remainder exceeded the day length")  # pragma: no cover

    def half_working_day_after(self, start: datetime) -> Due:
        return self.add_working_time(start, self._length / 2)

    def working_days_after(self, start: datetime, n: int) -> Due:
        if n < 1:
            raise ValueError("number of working days must be at least 1")
        day, _ = _local(start)
        years: set[int] = set()
        last = self._nth_working_day_after(day, n, years)
        return self._due(_at(last, self._spans[-1][1]), years)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        first, since = _local(start)
        last, until = _local(end)
        if end <= start:
            return _ZERO
        if first == last:
            return self._worked_in_day(first, since, until)
        total = self._worked_in_day(first, since, timedelta(days=1))
        total += self._worked_in_day(last, _ZERO, until)
        return total + self._count_working_days_between(first, last) * self._length

    def working_time_before(self, end: datetime, amount: timedelta) -> datetime:
        """The first instant from which no more than `amount` of working time remains until `end`
        (to the second)."""
        if amount <= _ZERO:
            return end.astimezone(SHANGHAI)
        low = end - timedelta(days=1)
        while self.working_time_between(low, end) <= amount:
            low -= (end - low) * 2
        high = end
        # working_time_between(t, end) falls as t rises: find the first t where it is <= amount.
        while high - low > timedelta(seconds=1):
            middle = low + (high - low) / 2
            if self.working_time_between(middle, end) <= amount:
                high = middle
            else:
                low = middle
        rounded = high.replace(microsecond=0)
        if self.working_time_between(rounded, end) > amount:
            rounded += timedelta(seconds=1)
        return rounded.astimezone(SHANGHAI)

    def _worked_in_day(self, day: date, since: timedelta, until: timedelta) -> timedelta:
        if not self.is_working_day(day):
            return _ZERO
        return sum(
            (max(_ZERO, min(end, until) - max(begin, since)) for begin, end in self._spans), _ZERO
        )

    def _count_working_days_between(self, first: date, last: date) -> int:
        """Working days strictly between two dates."""
        count = 0
        for year in range(first.year, last.year + 1):
            days = self._working_days(year)
            low = bisect_right(days, first) if year == first.year else 0
            high = bisect_left(days, last) if year == last.year else len(days)
            count += max(0, high - low)
        return count

    def _nth_working_day_after(self, day: date, n: int, years: set[int]) -> date:
        """The n-th working day strictly after day, noting every year consulted."""
        year = day.year
        while True:
            if day < date(year, 12, 31):
                years.add(year)
                days = self._working_days(year)
                index = bisect_right(days, day)
                if n <= len(days) - index:
                    return days[index + n - 1]
                n -= len(days) - index
            year += 1
            day = date(year - 1, 12, 31)

    def _working_days(self, year: int) -> tuple[date, ...]:
        cached = self._days.get(year)
        if cached is not None:
            return cached
        schedule = self._schedules.get(year)
        if schedule is not None:
            off, on = schedule.holidays, schedule.workdays
        else:
            off, on = _statutory_holidays(year), frozenset()
        first = date(year, 1, 1)
        every = (first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days))
        days = tuple(d for d in every if d in on or (d.weekday() < 5 and d not in off))
        self._days[year] = days
        self._day_sets[year] = frozenset(days)
        return days

    def _due(self, at: datetime, years: set[int]) -> Due:
        return Due(at=at, provisional=any(y not in self._schedules for y in years))


def _statutory_holidays(year: int) -> frozenset[date]:
    """Provisional rule (SPEC T4): the statutory holidays as the holidays package computes them."""
    return frozenset(holidays.country_holidays("CN", years=year).keys())


def library_schedules() -> list[YearSchedule]:
    """One schedule per year the installed chinese_calendar package covers."""
    source = f"chinesecalendar {chinese_calendar.__version__}"
    off: dict[date, str] = cc_constants.holidays
    on: dict[date, str] = cc_constants.workdays
    first, last = 2004, max(d.year for d in off)
    return [
        YearSchedule(
            year=year,
            holidays=frozenset(d for d in off if d.year == year),
            workdays=frozenset(d for d in on if d.year == year),
            source=source,
        )
        for year in range(first, last + 1)
    ]
