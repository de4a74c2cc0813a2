"""Assessment periods: a month, a quarter or a year (SPEC §9)."""

from __future__ import annotations

import calendar as gregorian
import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from domain.errors import InvalidInputError


@dataclass(frozen=True)
class Period:
    """A calendar month (yyyy-mm), quarter (yyyy-Qn) or year (yyyy)."""

    kind: str  # month | quarter | year
    year: int
    number: int = 0  # month 1–12 or quarter 1–4; 0 for a year

    @classmethod
    def parse(cls, text: str) -> Period:
        if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
            period = cls("month", int(match[1]), int(match[2]))
            valid = 1 <= period.number <= 12
        elif match := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
            period, valid = cls("quarter", int(match[1]), int(match[2])), True
        elif match := re.fullmatch(r"(\d{4})", text):
            period, valid = cls("year", int(match[1])), True
        else:
            valid = False
        if not valid or not 2000 <= period.year <= 2100:
            raise InvalidInputError(f"period {text!r} is not yyyy-mm, yyyy-Qn or yyyy (2000–2100)")
        return period

    def __str__(self) -> str:
        if self.kind == "month":
            return f"{self.year:04d}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year:04d}-Q{self.number}"
        return f"{self.year:04d}"

    @cached_property
    def first(self) -> date:
        return self.months()[0].first_day()

    @cached_property
    def last(self) -> date:
        return self.months()[-1].last_day()

    def first_day(self) -> date:
        return date(self.year, self.number if self.kind == "month" else 1, 1)

    def last_day(self) -> date:
        month = self.months()[-1].number
        return date(self.year, month, gregorian.monthrange(self.year, month)[1])

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def months(self) -> list[Period]:
        if self.kind == "month":
            return [self]
        if self.kind == "quarter":
            start = 3 * (self.number - 1) + 1
            return [Period("month", self.year, m) for m in range(start, start + 3)]
        return [Period("month", self.year, m) for m in range(1, 13)]

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last
