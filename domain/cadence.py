"""Dispatch cadence (SPEC §6 D3): which slots each member must fill, and whether they did.

A `group_leader` owes one dispatch per calendar month, a `deputy_group_leader` one per
half-month (1st–15th, 16th–end). A slot counts only if the whole slot lies inside the
member's tenure. Days are Asia/Shanghai dates.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from domain.base import require_aware
from domain.calendar import SHANGHAI
from domain.leading_group import Dispatch, GroupMember, check_role
from domain.policy import check_month

HELD = "held"
MISSED = "missed"
OPEN = "open"
NOT_REQUIRED = "not_required"


@dataclass(frozen=True)
class Slot:
    """A span of days (both inclusive) in which a member must hold a dispatch."""

    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Tenure:
    """A member's role and days in office, as compliance needs them."""

    member_id: UUID
    person_id: UUID
    role: str
    effective_from: date
    effective_to: date | None = None

    @classmethod
    def of(cls, member: GroupMember) -> Tenure:
        return cls(
            member.id, member.person_id, member.role, member.effective_from, member.effective_to
        )

    def covers(self, slot: Slot) -> bool:
        """Whether the whole slot lies inside the tenure."""
        return self.effective_from <= slot.start and (
            self.effective_to is None or slot.end <= self.effective_to
        )

    def overlaps(self, first: date, last: date) -> bool:
        return self.effective_from <= last and (
            self.effective_to is None or self.effective_to >= first
        )


@dataclass(frozen=True)
class Convened:
    """A dispatch as compliance needs it: who convened it and when."""

    dispatch_id: UUID
    convener_id: UUID
    held_at: datetime

    @classmethod
    def of(cls, dispatch: Dispatch) -> Convened:
        return cls(dispatch.id, dispatch.convener_id, dispatch.held_at)

    @property
    def held_on(self) -> date:
        return self.held_at.astimezone(SHANGHAI).date()


@dataclass(frozen=True)
class SlotCompliance:
    """One slot of one member: required or not, and held, missed or still open."""

    slot: Slot
    required: bool
    status: str  # held | missed | open | not_required
    dispatch_ids: tuple[UUID, ...]


@dataclass(frozen=True)
class MemberCompliance:
    """A member's slots in a period."""

    tenure: Tenure
    slots: tuple[SlotCompliance, ...]

    @property
    def held(self) -> int:
        return sum(1 for s in self.slots if s.status == HELD)

    @property
    def missed(self) -> int:
        return sum(1 for s in self.slots if s.status == MISSED)


def month_bounds(period: str) -> tuple[date, date]:
    """The first and last day of a month given as yyyy-mm."""
    check_month(period)
    year, month = int(period[:4]), int(period[5:])
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


def slots_for(role: str, period: str) -> list[Slot]:
    """The slots a member in `role` owes a dispatch in the month `period` (yyyy-mm)."""
    check_role(role)
    first, last = month_bounds(period)
    if role == "group_leader":
        return [Slot(first, last)]
    middle = first.replace(day=15)
    return [Slot(first, middle), Slot(middle.replace(day=16), last)]


def slot_status(
    tenure: Tenure, slot: Slot, dispatches: Iterable[Convened], today: date
) -> SlotCompliance:
    ids = tuple(
        d.dispatch_id
        for d in dispatches
        if d.convener_id == tenure.person_id and slot.contains(d.held_on)
    )
    required = tenure.covers(slot)
    if not required:
        status = NOT_REQUIRED
    elif ids:
        status = HELD
    elif slot.end < today:
        status = MISSED
    else:
        status = OPEN
    return SlotCompliance(slot, required, status, ids)


def compliance(
    members: Iterable[Tenure], dispatches: Iterable[Convened], period: str, now: datetime
) -> list[MemberCompliance]:
    """Each member in office at some time in `period`, with its slots as of `now`."""
    require_aware(now, "now")
    today = now.astimezone(SHANGHAI).date()
    first, last = month_bounds(period)
    held = [d for d in dispatches if first <= d.held_on <= last]
    return [
        MemberCompliance(
            tenure,
            tuple(slot_status(tenure, s, held, today) for s in slots_for(tenure.role, period)),
        )
        for tenure in members
        if tenure.overlaps(first, last)
    ]
