"""Publishing a year's calendar, then recomputing the provisional deadlines it settles (SPEC T4)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from api.services import Services
from domain.base import Act
from domain.calendar import YearSchedule
from domain.errors import InvalidInputError


def publish_year(
    svc: Services, act: Act, year: int, holidays: list[date], workdays: list[date], source: str
) -> tuple[int, int]:
    """Publish, then recompute open provisional deadlines: (calendar version, matters changed)."""
    if len(set(holidays)) != len(holidays) or len(set(workdays)) != len(workdays):
        raise InvalidInputError("a day is listed twice")
    schedule = YearSchedule(year, frozenset(holidays), frozenset(workdays), source.strip())
    book = svc.park.publish_calendar(act, schedule)
    # Every matter whose deadline could depend on this year was written before the publication.
    svc.settle(svc.park.log_head())
    ids = [UUID(i) for i in svc.queries.provisional_matter_ids()]
    changed = svc.park.recompute_provisional(act, ids)
    return book.version, changed
