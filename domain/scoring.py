"""Scoring policy v1 (SPEC §9): a pure function of the facts of a month and the policy in force.

Arithmetic is exact (rational numbers); only the final score is rounded, half-up to 2 places.
Every component carries its inputs and the ids of the events behind them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, TypeVar

from domain.calendar import SHANGHAI, WorkingCalendar
from domain.period import Period
from domain.policy import PolicyDocument

T = TypeVar("T")

COMPONENTS = ("sales", "timeliness", "satisfaction", "service")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Coverage:
    """An assignment of a guarantor to an enterprise (any role), first to last day inclusive."""

    guarantor_id: str
    enterprise_id: str
    first: date
    last: date | None
    event_id: str


@dataclass(frozen=True)
class Step:
    """A deadline step (assign, handle, rectify) of a matter."""

    id: str
    matter_id: str
    enterprise_id: str
    step: str
    due_at: datetime
    met_at: datetime | None
    cancelled_at: datetime | None
    event_ids: tuple[str, ...]


@dataclass(frozen=True)
class RatingFact:
    id: str
    matter_id: str
    enterprise_id: str
    rated_at: datetime
    level: int
    event_id: str


@dataclass(frozen=True)
class VisitFact:
    id: str
    guarantor_id: str
    enterprise_id: str
    visited_at: datetime
    event_id: str


@dataclass(frozen=True)
class SalesFact:
    """An enterprise's year-to-date sales through the month and the same months a year before."""

    enterprise_id: str
    ytd_fen: int | None
    base_fen: int | None
    reason: str | None
    event_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class MissedSlot:
    guarantor_id: str
    role: str
    first: date
    last: date
    event_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Guarantee:
    id: str
    name: str
    kind: str  # person | department


@dataclass
class Facts:
    """Everything a month's scores depend on."""

    guarantors: dict[str, Guarantee]
    coverage: list[Coverage]
    steps: list[Step]
    ratings: list[RatingFact]
    visits: list[VisitFact]
    sales: dict[str, SalesFact]
    missed_slots: list[MissedSlot]


@dataclass
class Score:
    """One guarantor's month: the score, its grade and rank, and how it was reached."""

    guarantor: Guarantee
    period: str
    policy_version: int
    score: Decimal | None
    grade: str | None
    rank: int | None
    values: dict[str, Fraction | None]
    explanation: dict[str, Any] = field(default_factory=dict)
    deduction_points: Fraction = Fraction(0)


def day_of(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def decimal(value: Fraction | None, places: int = 6) -> str | None:
    """A rational shown as a decimal (rounded half-up) for reading; exact value kept alongside."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    return str(
        (Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum, ROUND_HALF_UP)
    )


def exact(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def round_score(value: Fraction) -> Decimal:
    """Half-up to 2 decimals, exactly (no binary or decimal intermediate rounding)."""
    cents, remainder = divmod(value.numerator * 100, value.denominator)
    if 2 * remainder >= value.denominator:
        cents += 1
    return (Decimal(cents) / 100).quantize(CENT)


def grade(score: Decimal, policy: PolicyDocument) -> str:
    for name, threshold in sorted(policy.grade_thresholds.items(), key=lambda kv: -Decimal(kv[1])):
        if score >= Decimal(threshold):
            return name
    return "不合格"


class MonthScorer:
    """Scores every guarantor for one month under one policy, as of a moment."""

    def __init__(
        self,
        period: Period,
        policy: PolicyDocument,
        policy_version: int,
        calendar: WorkingCalendar,
        facts: Facts,
        now: datetime,
    ) -> None:
        assert period.kind == "month"
        self.period = period
        self.policy = policy
        self.policy_version = policy_version
        self.calendar = calendar
        self.facts = facts
        self.now = now
        self.covers: dict[tuple[str, str], list[Coverage]] = defaultdict(list)
        for c in facts.coverage:
            self.covers[(c.guarantor_id, c.enterprise_id)].append(c)
        self.portfolio: dict[str, list[str]] = defaultdict(list)
        for guarantor_id, enterprise_id in self.covers:
            self.portfolio[guarantor_id].append(enterprise_id)
        self.overdue_marks = overdue_marks(
            facts.steps, period, calendar, policy.criticism_overdue_working_days, now
        )
        # Each guarantor looks only at its own enterprises' facts (in their original order).
        self.steps_by_enterprise = group_by(facts.steps, lambda s: s.enterprise_id)
        self.ratings_by_enterprise = group_by(facts.ratings, lambda r: r.enterprise_id)
        self.marks_by_enterprise = group_by(self.overdue_marks, lambda m: m[0].enterprise_id)
        self.visits_by_guarantor = group_by(facts.visits, lambda v: v.guarantor_id)

    def of_portfolio(self, grouped: dict[str, list[tuple[int, T]]], guarantor_id: str) -> list[T]:
        """The guarantor's enterprises' items, in the order the facts list them."""
        enterprises = set(self.portfolio.get(guarantor_id, ()))
        mine = sorted(pair for e in enterprises for pair in grouped.get(e, ()))
        return [item for _, item in mine]

    def covered(self, guarantor_id: str, enterprise_id: str, day: date) -> bool:
        return any(
            c.first <= day and (c.last is None or day <= c.last)
            for c in self.covers.get((guarantor_id, enterprise_id), ())
        )

    def weight(self, guarantor_id: str, enterprise_id: str) -> tuple[int, Fraction]:
        """Covered days in the period (assignments' spans merged) over the period's days."""
        spans = sorted(
            (max(c.first, self.period.first), min(c.last or self.period.last, self.period.last))
            for c in self.covers.get((guarantor_id, enterprise_id), ())
        )
        days, reached = 0, self.period.first - timedelta(days=1)
        for first, end in spans:
            start = max(first, reached + timedelta(days=1))
            if end >= start:
                days += (end - start).days + 1
                reached = end
        return days, Fraction(days, self.period.days)

    def score_all(self) -> list[Score]:
        scores = [self.score(g) for g in sorted(self.facts.guarantors.values(), key=lambda g: g.id)]
        rank(scores)
        return [s for s in scores if s.explanation["counted"]]

    def score(self, guarantor: Guarantee) -> Score:
        weights = {
            e: self.weight(guarantor.id, e)
            for e in sorted(set(self.portfolio.get(guarantor.id, [])))
        }
        weights = {e: w for e, w in weights.items() if w[0] > 0}
        parts = {
            "sales": self.sales(weights),
            "timeliness": self.timeliness(guarantor.id),
            "satisfaction": self.satisfaction(guarantor.id),
            "service": self.service(guarantor.id, weights),
        }
        values: dict[str, Fraction | None] = {k: v.pop("_value") for k, v in parts.items()}
        deductions, points = self.deductions(guarantor.id)
        counted = {k: (self.policy.weights[k], v) for k, v in values.items() if v is not None}
        total: Fraction | None = None
        if counted:
            weighted = sum((w * v for w, v in counted.values()), Fraction(0))
            weight_sum = sum(w for w, _ in counted.values())
            total = max(Fraction(0), weighted / weight_sum - points)
        score = round_score(total) if total is not None else None
        explanation = {
            "period": str(self.period),
            "policy_version": self.policy_version,
            "enterprises": [
                {
                    "enterprise_id": e,
                    "covered_days": d,
                    "period_days": self.period.days,
                    "weight": exact(w),
                    "weight_decimal": decimal(w),
                }
                for e, (d, w) in weights.items()
            ],
            "components": {
                k: {
                    **parts[k],
                    "value": decimal(values[k]),
                    "value_exact": exact(values[k]),
                    "weight": self.policy.weights[k],
                    "counted": values[k] is not None,
                }
                for k in COMPONENTS
            },
            "deductions": deductions,
            "deduction_points": decimal(points, 2),
            "formula": "score = Σ(weight × value) / Σ(weight of counted components) − deductions, "
            "floor 0, rounded half-up to 2 decimals",
            "unrounded": decimal(total, 8),
            "counted": bool(counted) or bool(deductions),
        }
        return Score(
            guarantor,
            str(self.period),
            self.policy_version,
            score,
            grade(score, self.policy) if score is not None else None,
            None,
            values,
            explanation,
            points,
        )

    def sales(self, weights: dict[str, tuple[int, Fraction]]) -> dict[str, Any]:
        target = Fraction(self.policy.sales_target)
        used, excluded = [], []
        ytd = base = Fraction(0)
        for enterprise_id, (_, w) in weights.items():
            fact = self.facts.sales.get(enterprise_id)
            if fact is None or fact.ytd_fen is None or fact.base_fen is None or fact.reason:
                excluded.append(
                    {
                        "enterprise_id": enterprise_id,
                        "reason": fact.reason if fact else "no sales reported",
                    }
                )
                continue
            ytd += w * fact.ytd_fen
            base += w * fact.base_fen
            used.append(
                {
                    "enterprise_id": enterprise_id,
                    "weight": exact(w),
                    "ytd_fen": fact.ytd_fen,
                    "base_fen": fact.base_fen,
                    "event_ids": list(fact.event_ids),
                }
            )
        value = None
        growth = None
        if used and base > 0:
            growth = ytd / base - 1
            value = 100 * min(Fraction(1), max(Fraction(0), growth / target))
        return {
            "_value": value,
            "enterprises": used,
            "excluded": excluded,
            "weighted_ytd_fen": decimal(ytd, 4),
            "weighted_base_fen": decimal(base, 4),
            "growth": decimal(growth),
            "target": self.policy.sales_target,
            "rule": "100 × clamp(G / target, 0, 1), G = Σw·YTD(y) / Σw·YTD(y−1) − 1",
        }

    def timeliness(self, guarantor_id: str) -> dict[str, Any]:
        steps: list[dict[str, Any]] = []
        for s in self.of_portfolio(self.steps_by_enterprise, guarantor_id):
            day = day_of(s.due_at)
            if not self.period.contains(day) or s.due_at > self.now:
                continue
            if s.cancelled_at is not None and s.cancelled_at <= s.due_at:
                continue
            if not self.covered(guarantor_id, s.enterprise_id, day):
                continue
            in_time = s.met_at is not None and s.met_at <= s.due_at
            steps.append(
                {
                    "matter_id": s.matter_id,
                    "step": s.step,
                    "due_at": s.due_at.isoformat(),
                    "met_at": s.met_at.isoformat() if s.met_at else None,
                    "on_time": in_time,
                    "event_ids": list(s.event_ids),
                }
            )
        on_time = sum(1 for s in steps if s["on_time"])
        value = Fraction(100 * on_time, len(steps)) if steps else None
        return {
            "_value": value,
            "steps": steps,
            "on_time": on_time,
            "due": len(steps),
            "rule": "100 × on_time / due",
        }

    def satisfaction(self, guarantor_id: str) -> dict[str, Any]:
        ratings: list[dict[str, Any]] = [
            {
                "matter_id": r.matter_id,
                "level": r.level,
                "rated_at": r.rated_at.isoformat(),
                "event_ids": [r.event_id],
            }
            for r in self.of_portfolio(self.ratings_by_enterprise, guarantor_id)
            if self.period.contains(day_of(r.rated_at))
            and r.rated_at <= self.now
            and self.covered(guarantor_id, r.enterprise_id, day_of(r.rated_at))
        ]
        good = sum(1 for r in ratings if r["level"] >= 3)
        value = Fraction(100 * good, len(ratings)) if ratings else None
        return {
            "_value": value,
            "ratings": ratings,
            "good": good,
            "total": len(ratings),
            "rule": "100 × (ratings ≥ 3) / ratings",
        }

    def service(
        self, guarantor_id: str, weights: dict[str, tuple[int, Fraction]]
    ) -> dict[str, Any]:
        visits = [
            {
                "visit_id": v.id,
                "enterprise_id": v.enterprise_id,
                "visited_at": v.visited_at.isoformat(),
                "event_ids": [v.event_id],
            }
            for _, v in self.visits_by_guarantor.get(guarantor_id, ())
            if v.guarantor_id == guarantor_id
            and self.period.contains(day_of(v.visited_at))
            and v.visited_at <= self.now
        ]
        weight_sum = sum((w for _, w in weights.values()), Fraction(0))
        value = None
        if weight_sum > 0:
            value = 100 * min(Fraction(1), Fraction(len(visits)) / weight_sum)
        return {
            "_value": value,
            "visits": visits,
            "count": len(visits),
            "weight_sum": exact(weight_sum),
            "rule": "100 × min(1, visits / Σw)",
        }

    def deductions(self, guarantor_id: str) -> tuple[list[dict[str, Any]], Fraction]:
        found: list[dict[str, Any]] = []
        per_step = Fraction(self.policy.deduction_per_overdue_step)
        for s, moment in self.of_portfolio(self.marks_by_enterprise, guarantor_id):
            if not self.covered(guarantor_id, s.enterprise_id, day_of(moment)):
                continue
            found.append(
                {
                    "kind": "overdue_step",
                    "points": str(per_step),
                    "matter_id": s.matter_id,
                    "step": s.step,
                    "due_at": s.due_at.isoformat(),
                    "counted_at": moment.isoformat(),
                    "event_ids": list(s.event_ids),
                }
            )
        per_slot = Fraction(self.policy.deduction_per_missed_dispatch)
        for slot in self.facts.missed_slots:
            if slot.guarantor_id == guarantor_id and self.period.contains(slot.last):
                found.append(
                    {
                        "kind": "missed_dispatch",
                        "points": str(per_slot),
                        "role": slot.role,
                        "slot": f"{slot.first.isoformat()}/{slot.last.isoformat()}",
                        "event_ids": list(slot.event_ids),
                    }
                )
        points = sum((Fraction(d["points"]) for d in found), Fraction(0))
        return found, points


def overdue_marks(
    steps: Iterable[Step], period: Period, calendar: WorkingCalendar, days: int, now: datetime
) -> list[tuple[Step, datetime]]:
    """Steps still not done when `days` working days had passed after their deadline (the end of
    the last of those days), where that moment falls in the period and is not after `now`."""
    found = []
    for s in steps:
        if day_of(s.due_at) > period.last:
            continue
        moment = calendar.working_days_after(s.due_at, days).at
        if not period.contains(day_of(moment)) or moment > now:
            continue
        done = s.met_at or s.cancelled_at
        if done is not None and done <= moment:
            continue
        found.append((s, moment))
    return found


def group_by(items: Iterable[T], key: Callable[[T], str]) -> dict[str, list[tuple[int, T]]]:
    """Items grouped by a key, each with its place in the original order."""
    grouped: dict[str, list[tuple[int, T]]] = defaultdict(list)
    for index, item in enumerate(items):
        grouped[key(item)].append((index, item))
    return grouped


def rank(scores: Iterable[Score]) -> None:
    """Rank people and departments separately; equal scores share a rank (1, 2, 2, 4)."""
    by_kind: dict[str, list[Score]] = defaultdict(list)
    for s in scores:
        if s.score is not None:
            by_kind[s.guarantor.kind].append(s)
    for group in by_kind.values():
        # 1 + how many of the group scored strictly higher: the place of the first equal score.
        group.sort(key=lambda s: -(s.score or 0))
        first_place: dict[Decimal, int] = {}
        for place, s in enumerate(group, start=1):
            assert s.score is not None
            s.rank = first_place.setdefault(s.score, place)


def mean_of_months(period: Period, months: list[list[Score]]) -> list[Score]:
    """A quarter's or a year's score: the mean of its months' scores (months with none left out)."""
    per: dict[str, list[Score]] = defaultdict(list)
    for month in months:
        for s in month:
            per[s.guarantor.id].append(s)
    result = []
    for scores in per.values():
        scored = [s for s in scores if s.score is not None]
        mean = (
            sum((Fraction(s.score) for s in scored if s.score is not None), Fraction(0))
            / len(scored)
            if scored
            else None
        )
        values: dict[str, Fraction | None] = {}
        for k in COMPONENTS:
            present = [v for s in scores if (v := s.values.get(k)) is not None]
            values[k] = sum(present, Fraction(0)) / len(present) if present else None
        first = scores[0]
        score = round_score(mean) if mean is not None else None
        result.append(
            Score(
                first.guarantor,
                str(period),
                first.policy_version,
                score,
                None,
                None,
                values,
                {
                    "months": [
                        {
                            "period": s.period,
                            "score": str(s.score) if s.score is not None else None,
                            "policy_version": s.policy_version,
                        }
                        for s in scores
                    ],
                    "rule": "mean of the months' scores",
                    "counted": True,
                },
                sum((s.deduction_points for s in scores), Fraction(0)),
            )
        )
    return result
