"""Assessments (考核): the facts of a month read from the views, scored under a policy (SPEC §9).

Scores are a pure function of the views (themselves a function of the log), the policy and the
moment of asking, so rebuilding the views from position 0 gives byte-identical scores.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar
from uuid import UUID

from domain.application import ParkCore
from domain.cadence import MISSED, Convened, Tenure, compliance
from domain.calendar import SHANGHAI, WorkingCalendar
from domain.calendar_book import CALENDAR_ID, CalendarBook
from domain.growth import ytd_growth
from domain.period import Period
from domain.policy import POLICY_ID, AdoptedPolicy, PolicyBook
from domain.sales import SalesLedger
from domain.scoring import (
    Coverage,
    Facts,
    Guarantee,
    MissedSlot,
    MonthScorer,
    RatingFact,
    SalesFact,
    Score,
    Step,
    VisitFact,
    grade,
    mean_of_months,
    rank,
)
from projections.dispatch import convened_of, tenure_of
from projections.documents import event_id
from projections.sql import ViewDatabase

# A step's 5-working-day overdue mark can fall up to this long after its deadline.
DEDUCTION_REACH = timedelta(days=45)
# Periods' scores kept (each month's, at city scale, some megabytes), and pages and explanations
# kept per period's scores (beyond that, drawn afresh).
MAX_KEPT = 64
MAX_DRAWN = 1024

T = TypeVar("T")


def epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).timestamp())


class FactsReader:
    """Reads one month's facts from the views."""

    def __init__(self, views: ViewDatabase) -> None:
        self.views = views

    def month(self, period: Period, target: Decimal, now: datetime) -> Facts:
        first, last = period.first, period.last
        with self.views.transaction(write=False) as tx:
            guarantors = {
                str(i): Guarantee(str(i), json.loads(doc)["name"], str(kind))
                for i, kind, doc in tx.all("SELECT id, kind, doc FROM v_guarantors")
            }
            coverage = [
                Coverage(
                    str(g),
                    str(e),
                    date.fromisoformat(f),
                    date.fromisoformat(t) if t else None,
                    ",".join(json.loads(doc).get("event_ids", [])),
                )
                for g, e, f, t, doc in tx.all(
                    "SELECT guarantor_id, enterprise_id, effective_from, effective_to, doc "
                    "FROM v_assignments WHERE effective_from<=? "
                    "AND (effective_to IS NULL OR effective_to>=?) ORDER BY id",
                    [last.isoformat(), first.isoformat()],
                )
            ]
            steps = [
                Step(
                    str(i),
                    str(m),
                    str(e),
                    str(s),
                    datetime.fromisoformat(due),
                    datetime.fromisoformat(met) if met else None,
                    datetime.fromisoformat(cancelled) if cancelled else None,
                    tuple(ids.split(",")) if ids else (),
                )
                for i, m, e, s, due, met, cancelled, ids in tx.all(
                    "SELECT id, matter_id, enterprise_id, step, due_at, met_at, cancelled_at, "
                    "event_ids FROM v_steps WHERE due>=? AND due<? ORDER BY id",
                    [epoch(first) - int(DEDUCTION_REACH.total_seconds()), epoch(last) + 86400],
                )
            ]
            ratings = [
                RatingFact(str(i), str(m), str(e), datetime.fromisoformat(at), int(level), str(ev))
                for i, m, e, at, level, ev in tx.all(
                    "SELECT id, matter_id, enterprise_id, rated_at, level, event_id FROM v_ratings "
                    "WHERE rated>=? AND rated<? ORDER BY id",
                    [epoch(first), epoch(last) + 86400],
                )
            ]
            visits = [
                VisitFact(
                    str(i),
                    str(g),
                    str(e),
                    datetime.fromisoformat(at),
                    event_id(i, int(json.loads(doc).get("version", 1))),
                )
                for i, g, e, at, doc in tx.all(
                    "SELECT id, guarantor_id, enterprise_id, visited_at, doc FROM v_visits "
                    "WHERE visited_at>=? AND visited_at<? ORDER BY id",
                    [first.isoformat(), (last + timedelta(days=1)).isoformat()],
                )
            ]
            # Only the version of each month's document: the database reads it out of the
            # document (which holds the month's whole history) rather than sending it all here.
            version = (
                "CAST(CAST(doc AS json)->>'version' AS INTEGER)"
                if tx.postgres
                else "CAST(json_extract(doc, '$.version') AS INTEGER)"
            )
            sales_rows = tx.all(
                f"SELECT enterprise_id, month, amount_fen, {version} FROM v_sales_months "
                "WHERE month>=? AND month<=?",
                [f"{period.year - 1:04d}-01", str(period)],
            )
            members = [
                tenure_of(json.loads(doc))
                for (doc,) in tx.all(
                    "SELECT doc FROM v_group_members WHERE effective_from<=? "
                    "AND (effective_to IS NULL OR effective_to>=?) ORDER BY id",
                    [last.isoformat(), first.isoformat()],
                )
            ]
            dispatches = [
                convened_of(json.loads(doc))
                for (doc,) in tx.all(
                    "SELECT doc FROM v_dispatches WHERE held_on>=? AND held_on<=? ORDER BY id",
                    [first.isoformat(), last.isoformat()],
                )
            ]
        return Facts(
            guarantors=guarantors,
            coverage=coverage,
            steps=steps,
            ratings=ratings,
            visits=visits,
            sales=self.sales(sales_rows, period, target),
            missed_slots=self.missed(members, dispatches, period, now),
        )

    @staticmethod
    def sales(rows: list[tuple[Any, ...]], period: Period, target: Decimal) -> dict[str, SalesFact]:
        amounts: dict[str, dict[str, int]] = {}
        versions: dict[str, list[int]] = {}
        for enterprise_id, month, fen, version in rows:
            amounts.setdefault(str(enterprise_id), {})[str(month)] = int(fen)
            versions.setdefault(str(enterprise_id), []).append(int(version))
        facts = {}
        for enterprise_id, months in sorted(amounts.items()):
            growth = ytd_growth(months, period.year, period.number, target)
            ledger = SalesLedger.id_for(UUID(enterprise_id))
            ids = tuple(event_id(ledger, v) for v in sorted(set(versions[enterprise_id])))
            facts[enterprise_id] = SalesFact(
                enterprise_id, growth.ytd_fen, growth.base_fen, growth.reason, ids
            )
        return facts

    @staticmethod
    def missed(
        members: list[Tenure], dispatches: list[Convened], period: Period, now: datetime
    ) -> list[MissedSlot]:
        return [
            MissedSlot(
                str(result.tenure.person_id),
                result.tenure.role,
                slot.slot.start,
                slot.slot.end,
                (event_id(result.tenure.member_id, 1),),
            )
            for result in compliance(members, dispatches, str(period), now)
            for slot in result.slots
            if slot.status == MISSED
        ]


@dataclass
class Ranked:
    """A period's scores as computed once, and what is drawn from them (pages, explanations)."""

    scores: list[Score]
    drawn: dict[Hashable, Any] = field(default_factory=dict)
    by_id: dict[str, Score] = field(init=False)
    # Read at this log position; the same while the log stays there and, when `until` is
    # given, until that moment (a month still running changes with the minute).
    position: int | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        self.by_id = {s.guarantor.id: s for s in self.scores}

    def draw(self, key: Hashable, make: Callable[[], T]) -> T:
        """`make()` once per key for these scores (they never change once computed)."""
        if key in self.drawn:
            found: T = self.drawn[key]
            return found
        made = make()
        if len(self.drawn) >= MAX_DRAWN:
            self.drawn.clear()
        self.drawn[key] = made
        return made


class Assessor:
    """Scores periods: each month under its own policy, or all under one (what-if).

    Computed scores are kept per log position: a write, which may change any month's facts,
    makes the next read compute afresh. A month whose last day is past no longer depends on the
    moment of asking (its steps, ratings, visits, marks and slots all fall before now), so it is
    kept for as long as the log stays put; the current month is kept for the minute. Requests
    for the same scores wait for the one computing them rather than each computing them again.
    """

    def __init__(self, views: ViewDatabase, park: ParkCore, as_of: datetime | None = None) -> None:
        """`as_of`: score with the policy and calendar as they stood at that recorded time."""
        self.reader = FactsReader(views)
        self.park = park
        self.as_of = as_of
        self._cache: OrderedDict[Hashable, Ranked] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._book: tuple[int | None, PolicyBook] | None = None
        self._policies: dict[tuple[int, str, int | None], AdoptedPolicy] = {}
        self._lock = threading.Lock()

    def policy_book(self, position: int | None = None) -> PolicyBook:
        """The policy book (as it stood at `as_of`); read once per log position when given one."""
        with self._lock:
            if self._book is not None and position is not None and self._book[0] == position:
                return self._book[1]
        book = (
            self.park.policy_book()
            if self.as_of is None
            else self.park.load_as_of(PolicyBook, POLICY_ID, self.as_of)
        )
        with self._lock:
            self._book = (position, book)
            self._policies = {}
        return book

    def policy_for(
        self, month: Period, version: int | None, position: int | None = None
    ) -> AdoptedPolicy:
        book = self.policy_book(position)
        key = (position, str(month), version) if position is not None else None
        if key is not None and (known := self._policies.get(key)) is not None:
            return known
        found: AdoptedPolicy = (
            book.version_of(version) if version is not None else book.in_force(month.first)
        )
        if key is not None:
            self._policies[key] = found
        return found

    def cached(self, key: Hashable, compute: Callable[[], Ranked]) -> Ranked:
        """The scores kept under `key`, computed once however many requests ask at a time."""
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._cache:
                    return self._cache[key]
            try:
                ranked = compute()
            finally:
                with self._lock:
                    self._computing.pop(key, None)
            with self._lock:
                self._cache[key] = ranked
                while len(self._cache) > MAX_KEPT:
                    self._cache.popitem(last=False)
            return ranked

    def month(self, month: Period, now: datetime, policy: AdoptedPolicy) -> Ranked:
        calendar = self.calendar_for(policy)
        facts = self.reader.month(month, Decimal(policy.document.sales_target), now)
        scores = MonthScorer(
            month, policy.document, policy.version, calendar, facts, now
        ).score_all()
        return Ranked(scores)

    def calendar_for(self, policy: AdoptedPolicy) -> WorkingCalendar:
        if self.as_of is None:
            return self.park.calendar_for(policy)[0]
        book = self.park.load_as_of(CalendarBook, CALENDAR_ID, self.as_of)
        return book.working_calendar(policy.document.office_hours())

    def scores(
        self, period: Period, now: datetime, position: int, policy_version: int | None = None
    ) -> list[Score]:
        """Every guarantor's score for the period, ranked; months not yet begun are left out."""
        return self.ranked(period, now, position, policy_version).scores

    def ranked(
        self, period: Period, now: datetime, position: int, policy_version: int | None = None
    ) -> Ranked:
        """The period's scores as `scores` gives them, kept with what is drawn from them."""
        today = now.astimezone(SHANGHAI).date()
        minute = now.replace(second=0, microsecond=0)
        policies = {
            m: self.policy_for(m, policy_version, position)
            for m in period.months()
            if m.first <= today
        }
        keys = {
            m: (str(m), p.version, position, None if m.last < today else minute)
            for m, p in policies.items()
        }
        results = [
            self.cached(keys[m], partial(self.month, m, now, p)) for m, p in policies.items()
        ]
        # Over once every month of it has ended: until then the minute (or the start of a
        # month not yet begun) can change it.
        over = period.months()[-1].last < today
        until = None if over else minute + timedelta(minutes=1, microseconds=-1)
        if period.kind == "month":
            found = results[0] if results else Ranked([])
            found.position, found.until = position, until
            return found
        last_policy = list(policies.values())[-1] if policies else None

        def combine() -> Ranked:
            combined = mean_of_months(period, [r.scores for r in results])
            for s in combined:
                if s.score is not None and last_policy is not None:
                    s.grade = grade(s.score, last_policy.document)
            rank(combined)
            return Ranked(combined)

        found = self.cached((str(period), policy_version, *keys.values()), combine)
        found.position, found.until = position, until
        return found
