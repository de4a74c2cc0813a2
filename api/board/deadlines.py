"""Section 2: deadline steps overdue or nearly due as of the moment, by unit and by guarantor."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from api.routes.notices import supervision_notice
from api.services import Caller, Services
from domain.calendar import SHANGHAI, WorkingCalendar
from domain.scoring import Step
from projections.notices import STEP_NAMES

WINDOW = "企业服务中心"  # who holds a matter until it is assigned (as the supervision notice says)


@dataclass(frozen=True)
class DeadlineRow:
    """One open step: how far over its deadline (or how little is left), and who answers for it."""

    matter_id: str
    enterprise: str
    summary: str
    step: str
    due_at: datetime
    unit: str
    guarantors: tuple[str, ...]
    hours: float  # clock hours over the deadline (overdue) or left before it (nearly due)
    working_days: float  # the same on the working clock, in working days


@dataclass(frozen=True)
class Tally:
    name: str
    count: int
    worst_hours: float


@dataclass(frozen=True)
class DeadlineSection:
    overdue: list[DeadlineRow]
    nearly_due: list[DeadlineRow]
    by_unit: list[Tally]
    by_guarantor: list[Tally]
    horizon: datetime  # nearly due: due after the moment and by this time


def deadline_section(svc: Services, caller: Caller, moment: datetime) -> DeadlineSection:
    """Overdue steps exactly as GET /v1/notices/supervision?as_of= lists them, steps due within
    one working day, and both counted by undertaking unit and by guarantor."""
    report = supervision_notice(svc, caller, moment, None)
    calendar = svc.park.rules_at(moment).calendar
    horizon = calendar.add_working_time(moment, calendar.hours.day_length()).at
    answerable = Guarantors(svc)
    overdue = [
        DeadlineRow(
            str(i.matter_id),
            i.enterprise or "",
            i.summary or "",
            STEP_NAMES.get(i.step, i.step),
            i.due_at,
            i.unit,
            answerable.of(str(i.enterprise_id), i.due_at),
            i.overdue_hours,
            working_days(calendar, i.due_at, moment),
        )
        for i in report.items
    ]
    steps = open_steps_due(svc, moment, horizon)
    names = svc.drafter.names(steps)
    nearly = [
        DeadlineRow(
            step.matter_id,
            names["enterprises"].get(step.enterprise_id, {}).get("name", ""),
            names["matters"].get(step.matter_id, {}).get("summary", ""),
            STEP_NAMES.get(step.step, step.step),
            step.due_at,
            unit_of(step, names),
            answerable.of(step.enterprise_id, step.due_at),
            round((step.due_at - moment).total_seconds() / 3600, 1),
            working_days(calendar, moment, step.due_at),
        )
        for step in steps
    ]
    return DeadlineSection(overdue, nearly, tally(overdue, False), tally(overdue, True), horizon)


def working_days(calendar: WorkingCalendar, start: datetime, end: datetime) -> float:
    """The working time between two moments in working days (7 office hours make one)."""
    return round(calendar.working_time_between(start, end) / calendar.hours.day_length(), 1)


def open_steps_due(svc: Services, moment: datetime, horizon: datetime) -> list[Step]:
    """Steps not done at `moment` whose deadline falls after it and no later than `horizon`."""
    rows = svc.views.read(
        "SELECT id, matter_id, enterprise_id, step, due_at, met_at, cancelled_at FROM v_steps "
        "WHERE due>=? AND due<=? ORDER BY due, id",
        [int(moment.timestamp()), int(horizon.timestamp()) + 1],
    )
    found = []
    for i, m, e, s, due, met, cancelled in rows:
        done = [datetime.fromisoformat(t) for t in (met, cancelled) if t]
        due_at = datetime.fromisoformat(due)
        if (done and min(done) <= moment) or not moment <= due_at <= horizon:
            continue
        found.append(Step(str(i), str(m), str(e), str(s), due_at, None, None, ()))
    return found


def unit_of(step: Step, names: dict[str, dict[str, dict[str, Any]]]) -> str:
    matter = names["matters"].get(step.matter_id, {})
    unit_id = matter.get("unit_id") if step.step != "assign" else None
    name: str = names["units"].get(unit_id or "", {}).get("name", WINDOW)
    return name


class Guarantors:
    """Who covered an enterprise on a deadline's day (SPEC §9: the step counts for them)."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.names: dict[str, str] = {}

    def of(self, enterprise_id: str, due_at: datetime) -> tuple[str, ...]:
        day: date = due_at.astimezone(SHANGHAI).date()
        ids = [a["guarantor_id"] for a in self.svc.queries.assignments_on(enterprise_id, day)]
        missing = [g for g in ids if g not in self.names]
        for g, doc in self.svc.queries.docs("v_guarantors", missing).items():
            self.names[g] = str(doc["name"])
        return tuple(sorted({self.names.get(g, g) for g in ids}))


def tally(rows: list[DeadlineRow], by_guarantor: bool) -> list[Tally]:
    """Overdue steps per unit (or per guarantor), the most first, with the longest overdue."""
    counts: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        for name in row.guarantors if by_guarantor else (row.unit,):
            counts[name].append(row.hours)
    return sorted(
        (Tally(name, len(hours), max(hours)) for name, hours in counts.items()),
        key=lambda t: (-t.count, -t.worst_hours, t.name),
    )
