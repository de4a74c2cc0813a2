"""Deadlines of a matter's steps, and the rules (calendar and policy) they are computed under."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from domain.calendar import Due, WorkingCalendar
from domain.policy import AdoptedPolicy

HALF_DAY = "half_working_day"


@dataclass(frozen=True)
class Rules:
    """The calendar and policy versions in force for an act."""

    calendar: WorkingCalendar
    calendar_version: int
    policy: AdoptedPolicy

    def due(self, rule: str, start: datetime) -> Due:
        """Apply a deadline rule: half a working day, or N working days (`working_days:N`)."""
        if rule == HALF_DAY:
            return self.calendar.half_working_day_after(start)
        return self.calendar.working_days_after(start, int(rule.split(":", 1)[1]))


def working_days(n: int) -> str:
    return f"working_days:{n}"


@dataclass(frozen=True)
class Deadline:
    """One step's time limit (assign, handle, rectify), with the versions it was computed under."""

    step: str
    unit_id: str | None
    rule: str
    started_at: datetime
    due_at: datetime
    provisional: bool
    calendar_version: int
    policy_version: int
    met_at: datetime | None = None
    cancelled_at: datetime | None = None
    extended_from: datetime | None = None
    reminded_at: datetime | None = None
    missed_at: datetime | None = None
    # Versions of the matter's events that set this deadline and that met (or cancelled) it.
    set_by: int = 0
    met_by: int = 0

    @classmethod
    def compute(
        cls, step: str, unit_id: str | None, rule: str, start: datetime, rules: Rules, *, by: int
    ) -> Deadline:
        due = rules.due(rule, start)
        return cls(
            step=step,
            unit_id=unit_id,
            rule=rule,
            started_at=start,
            due_at=due.at,
            provisional=due.provisional,
            calendar_version=rules.calendar_version,
            policy_version=rules.policy.version,
            set_by=by,
        )

    @property
    def open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None

    def met(self, at: datetime, by: int) -> Deadline:
        return self._with(met_at=at, met_by=by)

    def cancelled(self, at: datetime, by: int) -> Deadline:
        return self._with(cancelled_at=at, met_by=by)

    def _with(self, **changes: Any) -> Deadline:
        """dataclasses.replace without its walk over the fields' definitions: every replay of
        a matter closes its steps."""
        return Deadline(**(self.__dict__ | changes))

    def open_at(self, moment: datetime) -> bool:
        """Whether the step was still to be done at `moment` (as the log knows it now)."""
        if self.started_at > moment:
            return False
        done = self.met_at or self.cancelled_at
        return done is None or done > moment

    def extended(self, to: datetime, by: int) -> Deadline:
        return replace(
            self,
            set_by=by,
            due_at=to,
            extended_from=self.extended_from or self.due_at,
            provisional=False,
            reminded_at=None,
            missed_at=None,
        )

    def recomputed(self, rules: Rules, by: int) -> Deadline:
        """The same rule from the same start under newer calendar and policy versions."""
        due = rules.due(self.rule, self.started_at)
        return replace(
            self,
            due_at=due.at,
            provisional=due.provisional,
            calendar_version=rules.calendar_version,
            set_by=by,
            reminded_at=None if due.at != self.due_at else self.reminded_at,
            missed_at=None if due.at != self.due_at else self.missed_at,
        )

    def state(self, now: datetime, reminded: bool = False) -> str:
        """pending | reminded | met | missed | cancelled, as of `now`."""
        if self.cancelled_at is not None:
            return "cancelled"
        if self.met_at is not None:
            return "met"
        if now > self.due_at:
            return "missed"
        return "reminded" if reminded or self.reminded_at is not None else "pending"
