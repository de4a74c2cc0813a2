"""A believable, deterministic year of history, written through the Application (demo data).

A park is one library of about 300 enterprises (`api.demo_plan.Lane`): the registry and the
leading group at the end of 2025, then a year of matters, dispatches (with a few slots missed),
guarantors' visits and monthly sales (2025 entered as back data in January) in 2026. A city or
a province is many such libraries, each in its own place with its own `random.Random`.

Planning is streamed: each day's new matters are planned at the start of the day, each month's
visits, meetings and sales at the start of the month, and a matter's whole life when it comes
in; the writer keeps a heap of the steps planned and not yet run (what is open) and runs them in
business-time order against a `Park` whose clock is a simulated clock set to each step's time,
so every event's recorded time is its business time. Commands are saved in batches
(`Park.batched`). Every step is an ordinary command of the Park in the role that would issue it;
the domain checks each one, and a refused command is a bug of this generator.
"""

from __future__ import annotations

import heapq
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID

from api.demo_data import PLACES, SETUP_START, YEAR, YEAR_START
from api.demo_plan import (
    Lane,
    Step,
    Steps,
    _Dispatch,
    _Enterprise,
    _Guarantor,
    _Matter,
    _Member,
    _Sales,
    _Unit,
    _Visit,
    day_of,
    missed_slots,
)
from domain.base import Act, Actor, utc_now
from domain.calendar import SHANGHAI, WorkingCalendar
from domain.calendar_book import CALENDAR_ID
from domain.enterprise import Enterprise
from domain.growth import ytd_growth
from domain.leading_group import DirectiveOrder
from domain.matter import OPEN_STATUSES, Matter
from domain.park import Park
from domain.policy import POLICY_ID, PolicyDocument
from domain.storage import Database
from domain.visit import VisitProblem


@dataclass(frozen=True)
class Scale:
    """How big a history: libraries (lanes), and enterprises and guarantors in all."""

    lanes: int
    enterprises: int
    guarantors: int
    # Aggregates the writer keeps in memory between batches (enterprises, ledgers, matters).
    keep: int = 20_000

    def sizes(self, total: int) -> list[int]:
        """`total` shared out over the lanes as evenly as whole numbers go."""
        return [
            total // self.lanes + (1 if i < total % self.lanes else 0) for i in range(self.lanes)
        ]


DEPARTMENTS_PER_LANE = 40
SCALES: dict[str, Scale] = {
    "park": Scale(1, 300, 120),
    "city": Scale(18, 5_000, 1_500, keep=40_000),
    "province": Scale(361, 100_000, 30_000, keep=60_000),
}
# Steps a library of 300 runs on an average day of the year (the park's measured rate), for
# the progress bar's total until the run has seen enough days to measure its own.
STEPS_PER_DAY_PER_300 = 50.0


# -- what write_demo returns -----------------------------------------------------------------


@dataclass(frozen=True)
class DemoSummary:
    """What the demo wrote, with the ids of a few things worth looking at."""

    seed: int
    until: datetime
    enterprises: int
    guarantors: int
    units: int
    assignments: int
    matters: int
    events: int
    matter_statuses: dict[str, int] = field(default_factory=dict)
    rectifications: int = 0
    overdue_matter_id: UUID | None = None
    open_matter_id: UUID | None = None
    rectified_matter_id: UUID | None = None
    extended_matter_id: UUID | None = None
    transferred_matter_id: UUID | None = None
    withdrawn_matter_id: UUID | None = None
    gap_enterprise_id: UUID | None = None
    reassigned_enterprise_id: UUID | None = None
    delisted_enterprise_id: UUID | None = None
    # The leading group and its dispatches (SPEC §6).
    members: int = 0
    dispatches: int = 0
    directives: int = 0
    missed_slots: int = 0  # slots planned without a dispatch that had ended by `until`
    group_leader_id: UUID | None = None  # the person
    late_member_id: UUID | None = None  # the appointment of the deputy who joined mid-year
    missed_dispatch_person_id: UUID | None = None
    directive_dispatch_id: UUID | None = None
    # Service visits (SPEC §7).
    visits: int = 0
    visit_matters: int = 0
    problem_visit_id: UUID | None = None
    # Sales (SPEC §8): months reported (enterprise × month) and corrections.
    sales_months: int = 0
    sales_corrections: int = 0
    sales_through: str | None = None  # the latest month reported by (nearly) everyone
    over_target_enterprise_id: UUID | None = None
    under_target_enterprise_id: UUID | None = None
    declining_enterprise_id: UUID | None = None
    missing_sales_enterprise_id: UUID | None = None
    corrected_sales_enterprise_id: UUID | None = None


def write_demo(
    database: Database,
    *,
    seed: int = 7,
    scale: str = "park",
    until: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Write a history from late 2025 up to `until` (default and at most: now)."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}")
    real_now = utc_now()
    if until is not None and (until.tzinfo is None or until.utcoffset() is None):
        raise ValueError("until must carry a UTC offset")
    limit = min(until or real_now, real_now)
    if limit < YEAR_START:
        raise ValueError(f"until must be on or after {YEAR_START.isoformat()}")
    return Writer(database, seed, SCALES[scale], limit, progress).run()


# -- the writer ------------------------------------------------------------------------------


class _SimClock:
    """The park's clock during the demo: moved forward to each step's business time."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, to: datetime) -> None:
        if to < self.now:
            raise RuntimeError(f"demo clock would go back from {self.now} to {to}")
        self.now = to


def _uid(value: UUID | None) -> UUID:
    if value is None:
        raise RuntimeError("demo step ran before the step that creates its aggregate")
    return value


@dataclass
class _Tally:
    """What the steps wrote, counted as they run (nothing written is kept for the summary)."""

    enterprises: int = 0
    guarantors: int = 0
    units: int = 0
    assignments: int = 0
    matters: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    rectified: set[int] = field(default_factory=set)
    first: dict[str, UUID] = field(default_factory=dict)
    dispatches: int = 0
    directives: int = 0
    visits: int = 0
    visit_matters: int = 0
    sales_corrections: int = 0

    def note(self, what: str, value: UUID | None) -> None:
        if value is not None:
            self.first.setdefault(what, value)


class Writer:
    """Runs the lanes' steps in business-time order against one Park, in batches."""

    def __init__(
        self,
        database: Database,
        seed: int,
        scale: Scale,
        limit: datetime,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.seed = seed
        self.scale = scale
        self.limit = limit
        self.progress = progress
        self.clock = _SimClock(SETUP_START)
        self.park = Park(database, clock=self.clock)
        self.heap: list[tuple[datetime, int, Step]] = []
        self.seq = 0
        self.pushed = 0
        self.done = 0
        self.requests = 0
        self.keys = 0
        self.enterprise_names: set[str] = set()
        self.enterprise_codes: set[str] = set()
        self.members: list[_Member] = []
        self.tally = _Tally()
        self.live: dict[int, _Matter] = {}  # matters written and open, by key
        # Sales written: enterprise key -> fen by month from January 2025 (-1: none).
        self.written_sales: dict[int, array[int]] = {}
        self.sales_ids: dict[int, UUID] = {}
        self.gap: _Enterprise | None = None
        self.missing_sales: _Enterprise | None = None
        self.corrected_sales: _Enterprise | None = None
        policy = PolicyDocument()
        self.handle_days = policy.handle_working_days
        self.cap_days = policy.cap_working_days
        self.rectify_days = policy.rectification_working_days
        self.cal: WorkingCalendar | None = None

    @property
    def calendar(self) -> WorkingCalendar:
        if self.cal is None:
            raise RuntimeError("bootstrap first")
        return self.cal

    def next_key(self) -> int:
        self.keys += 1
        return self.keys

    # -- running ---------------------------------------------------------------------------

    def run(self) -> DemoSummary:
        self.check_empty()
        head = self.park.log_head()
        self.park.bootstrap()
        self.cal = self.park.rules_at(SETUP_START).calendar
        sizes = self.scale.sizes(self.scale.enterprises)
        people = self.scale.sizes(self.scale.guarantors - DEPARTMENTS_PER_LANE * self.scale.lanes)
        lanes = [
            Lane(self, n, None if n == 0 else PLACES[n - 1], sizes[n], people[n])
            for n in range(self.scale.lanes)
        ]
        for lane in lanes:
            lane.plan_setup()
        self.report(force=True)
        # One writer: commands are saved in batches, each batch in one transaction.
        with self.park.batched(size=500, keep=self.scale.keep):
            day, last = SETUP_START.date(), day_of(self.limit)
            while day <= last:
                self.run_until(datetime.combine(day, time(0), tzinfo=SHANGHAI))
                for lane in lanes:
                    lane.plan_day(day)
                day += timedelta(days=1)
            self.run_until(None)
        self.report(force=True)
        return self.summary(self.park.log_head() - head)

    def run_until(self, before: datetime | None) -> None:
        heap = self.heap
        while heap and (before is None or heap[0][0] < before):
            at, _, step = heapq.heappop(heap)
            self.clock.advance(at)
            step()
            self.done += 1
            if self.done % 2000 == 0:
                self.report()

    def report(self, force: bool = False) -> None:
        if self.progress is None:
            return
        total = max(self.expected_total(), self.done)
        self.progress(self.done, total)

    def expected_total(self) -> int:
        """Steps planned so far and, for the days not yet planned, as many a day as so far."""
        now = max(self.clock.now, YEAR_START)
        left = max(0.0, (self.limit - now).total_seconds() / 86400)
        seen = (now - YEAR_START).total_seconds() / 86400
        if seen >= 20:
            per_day = max(0, self.pushed - self.setup_steps) / seen
        else:
            per_day = STEPS_PER_DAY_PER_300 * self.scale.enterprises / 300
        return self.pushed + round(left * per_day)

    @property
    def setup_steps(self) -> int:
        # Roughly what the set-up thread writes: the registry and its assignments.
        return self.scale.enterprises * 4 + self.scale.guarantors

    def check_empty(self) -> None:
        """Refuse a database that already holds more than the bootstrap's calendar and policy."""
        head = self.park.log_head()
        if head == 0:
            return
        ours = {CALENDAR_ID, POLICY_ID}
        notes = self.park.recorder.select_notifications(start=1, limit=200)
        if head > 200 or any(n.originator_id not in ours for n in notes):
            raise ValueError(
                "the database already holds a history; write the demo into an empty one"
            )

    def push(self, steps: Steps) -> None:
        """Queue one thread of dependent steps, dropping those (and all after) beyond the limit."""
        previous: datetime | None = None
        for at, step in steps:
            if previous is not None and at < previous:
                raise RuntimeError(f"demo steps out of order: {at} after {previous}")
            previous = at
            if at > self.limit:
                return
            self.seq += 1
            self.pushed += 1
            heapq.heappush(self.heap, (at, self.seq, step))

    def push_lazy(self, steps: Iterator[tuple[datetime, Step]]) -> None:
        """Queue a long thread one step at a time: the next is drawn when this one has run."""
        following = next(steps, None)
        if following is None:
            return
        at, step = following
        if at < self.clock.now:
            raise RuntimeError(f"demo steps out of order: {at} after {self.clock.now}")
        self.push([(at, partial(self._then, step, steps))])

    def _then(self, step: Step, rest: Iterator[tuple[datetime, Step]]) -> None:
        step()
        self.push_lazy(rest)

    def act(self, role: str, scope: UUID | None = None) -> Act:
        self.requests += 1
        actor = Actor(
            "demo", role, f"demo-{self.requests}", scope=None if scope is None else str(scope)
        )
        return Act.now(actor, self.clock)

    # -- notes from the planners -----------------------------------------------------------

    def note_gap(self, e: _Enterprise) -> None:
        self.gap = self.gap or e

    def note_missing_sales(self, e: _Enterprise) -> None:
        self.missing_sales = self.missing_sales or e

    def note_corrected_sales(self, e: _Enterprise) -> None:
        self.corrected_sales = self.corrected_sales or e

    def track(self, m: _Matter, matter: Matter) -> None:
        """A matter's status as written, counted; open ones are kept for the summary."""
        if m.status is not None:
            self.tally.statuses[m.status] -= 1
        m.status = matter.status
        self.tally.statuses[m.status] += 1
        if m.status in OPEN_STATUSES:
            self.live[m.key] = m
        else:
            self.live.pop(m.key, None)

    # -- the steps: one Park command each ---------------------------------------------------

    def register_unit(self, unit: _Unit) -> None:
        unit.id = self.park.register_unit(self.act("admin"), unit.name).id
        self.tally.units += 1

    def register_guarantor(self, g: _Guarantor) -> None:
        act = self.act("admin")
        g.id = self.park.register_guarantor(act, g.kind, g.name, g.title, g.unit).id
        self.tally.guarantors += 1

    def list_enterprise(self, e: _Enterprise) -> None:
        act = self.act("admin")
        enterprise = self.park.list_enterprise(
            act, e.uscc, e.name, e.industry, e.chain, e.above_scale
        )
        e.id = enterprise.id
        self.tally.enterprises += 1

    def assign(self, e: _Enterprise, g: _Guarantor, role: str, effective_from: date) -> None:
        self.park.assign_guarantor(self.act("admin"), _uid(e.id), _uid(g.id), role, effective_from)
        self.tally.assignments += 1

    def reassign(self, e: _Enterprise, role: str, g: _Guarantor, reason: str) -> None:
        enterprise = self.park.load(Enterprise, _uid(e.id))
        if any(a.guarantor_id == g.id for a in enterprise.open_assignments(role)):
            return  # the same guarantor again: nothing to change
        today = day_of(self.clock())
        self.park.reassign(self.act("admin"), _uid(e.id), role, _uid(g.id), today, reason)
        self.tally.assignments += 1
        if role == "lead_leader":
            self.tally.note("reassigned", e.id)

    def release(self, e: _Enterprise, role: str, reason: str) -> None:
        enterprise = self.park.load(Enterprise, _uid(e.id))
        today = day_of(self.clock())
        for held in enterprise.open_assignments(role):
            self.park.release_assignment(self.act("admin"), _uid(e.id), held.id, today, reason)

    def release_all(self, e: _Enterprise, reason: str) -> None:
        for role in ("lead_leader", "department", "liaison"):
            self.release(e, role, reason)

    def delist(self, e: _Enterprise, reason: str) -> None:
        self.park.delist_enterprise(self.act("admin"), _uid(e.id), reason)
        self.tally.note("delisted", e.id)

    def relist(self, e: _Enterprise) -> None:
        self.park.relist_enterprise(
            self.act("admin"), _uid(e.id), "企业恢复生产，重新纳入重点企业库"
        )

    def receive(self, m: _Matter) -> None:
        act = self.act("clerk")
        matter = self.park.receive_matter(
            act, _uid(m.enterprise.id), m.summary, m.category, m.channel
        )
        m.id = matter.id
        self.tally.matters += 1
        self.track(m, matter)

    def assign_matter(self, m: _Matter, unit: _Unit) -> None:
        self.track(m, self.park.assign_matter(self.act("clerk"), _uid(m.id), _uid(unit.id)))

    def transfer(self, m: _Matter, unit: _Unit, reason: str) -> None:
        act = self.act("clerk")
        self.track(m, self.park.transfer_matter(act, _uid(m.id), _uid(unit.id), reason))
        self.tally.note("transferred", m.id)

    def request_extension(self, m: _Matter, unit: _Unit, wanted: datetime, reason: str) -> None:
        act = self.act("unit", _uid(unit.id))
        matter, request = self.park.request_extension(act, _uid(m.id), wanted, reason)
        m.request_id = request.id
        self.track(m, matter)

    def approve(self, m: _Matter) -> None:
        act = self.act("leader")
        self.track(m, self.park.approve_extension(act, _uid(m.id), _uid(m.request_id)))
        self.tally.note("extended", m.id)

    def reject(self, m: _Matter, reason: str) -> None:
        act = self.act("leader")
        self.track(m, self.park.reject_extension(act, _uid(m.id), _uid(m.request_id), reason))

    def resolve(self, m: _Matter, unit: _Unit, reply: str) -> None:
        act = self.act("unit", _uid(unit.id))
        self.track(m, self.park.resolve_matter(act, _uid(m.id), reply))

    def rate(self, m: _Matter, level: int, comment: str | None) -> None:
        act = self.act("enterprise", _uid(m.enterprise.id))
        matter, _ = self.park.rate_matter(act, _uid(m.id), level, comment)
        self.track(m, matter)
        if level <= 2:
            self.tally.rectified.add(m.key)
            self.tally.note("rectified", m.id)

    def withdraw(self, m: _Matter, reason: str) -> None:
        act = self.act("enterprise", _uid(m.enterprise.id))
        self.track(m, self.park.withdraw_matter(act, _uid(m.id), reason))
        self.tally.note("withdrawn", m.id)

    def appoint(self, member: _Member) -> None:
        act = self.act("admin")
        person = _uid(member.person.id)
        member.id = self.park.appoint_member(act, person, member.role, member.effective_from).id

    def hold_dispatch(self, d: _Dispatch) -> None:
        act = self.act("leader")
        orders = [
            DirectiveOrder(_uid(m.enterprise.id), m.summary, _uid(unit.id))
            for m, unit in d.directives
        ]
        dispatch = self.park.hold_dispatch(
            act,
            _uid(d.member.person.id),
            d.kind,
            act.occurred_at,
            [_uid(e.id) for e in d.enterprises],
            [_uid(m.id) for m in d.matters],
            orders,
        )
        self.tally.dispatches += 1
        self.tally.directives += len(dispatch.directives)
        if dispatch.directives:
            self.tally.note("directive_dispatch", dispatch.id)
        for (m, _), directive in zip(d.directives, dispatch.directives, strict=True):
            m.id = directive.matter_id
            self.tally.matters += 1
            self.track(m, self.park.load(Matter, m.id))

    def record_visit(self, v: _Visit) -> None:
        guarantor = _uid(v.guarantor.id)
        act = self.act("guarantor", guarantor)
        problems = [VisitProblem(m.summary, m.category) for m in v.problems]
        visit, matters = self.park.record_visit(
            act, guarantor, _uid(v.enterprise.id), v.kind, act.occurred_at, v.notes, problems
        )
        self.tally.visits += 1
        self.tally.visit_matters += len(matters)
        if matters:
            self.tally.note("problem_visit", visit.id)
        for m, matter in zip(v.problems, matters, strict=True):
            m.id = matter.id
            self.tally.matters += 1
            self.track(m, matter)

    def report_sales(self, p: _Sales, month: str, fen: int, reason: str | None) -> None:
        key = p.enterprise.key
        written = self.written_sales.get(key)
        if written is None:
            months = (day_of(self.limit).year - (YEAR - 1) + 1) * 12
            written = self.written_sales[key] = array("q", [-1]) * months
            self.sales_ids[key] = _uid(p.enterprise.id)
        slot = (int(month[:4]) - (YEAR - 1)) * 12 + int(month[5:]) - 1
        if reason is not None and written[slot] == fen:
            fen += 100  # a correction changes the figure
        amount = Decimal(f"{fen // 100}.{fen % 100:02d}")
        act = self.act("clerk")
        self.park.report_sales(act, _uid(p.enterprise.id), month, amount, p.source, reason)
        if written[slot] >= 0:
            self.tally.sales_corrections += 1
        written[slot] = fen

    # -- the summary -----------------------------------------------------------------------

    def summary(self, events: int) -> DemoSummary:
        overdue: UUID | None = None
        still_due: UUID | None = None
        for key in sorted(self.live):
            m = self.live[key]
            matter = self.park.load(Matter, _uid(m.id))
            if matter.current_step().due_at < self.limit:
                overdue = overdue or m.id
            else:
                still_due = still_due or m.id
            if overdue and still_due:
                break
        t = self.tally
        return DemoSummary(
            seed=self.seed,
            until=self.limit,
            enterprises=t.enterprises,
            guarantors=t.guarantors,
            units=t.units,
            assignments=t.assignments,
            matters=t.matters,
            events=events,
            matter_statuses=dict(sorted((s, n) for s, n in t.statuses.items() if n)),
            rectifications=len(t.rectified),
            overdue_matter_id=overdue,
            open_matter_id=still_due,
            rectified_matter_id=t.first.get("rectified"),
            extended_matter_id=t.first.get("extended"),
            transferred_matter_id=t.first.get("transferred"),
            withdrawn_matter_id=t.first.get("withdrawn"),
            gap_enterprise_id=self.gap.id if self.gap else None,
            reassigned_enterprise_id=t.first.get("reassigned"),
            delisted_enterprise_id=t.first.get("delisted"),
            **self.group_summary(),
            **self.sales_summary(),
        )

    def group_summary(self) -> dict[str, Any]:
        """Members, dispatches, missed slots and visits as written."""
        members = [m for m in self.members if m.id is not None]
        today = day_of(self.limit)
        missed = [member for member in members for slot in missed_slots(member) if slot.end < today]
        t = self.tally
        return {
            "members": len(members),
            "dispatches": t.dispatches,
            "directives": t.directives,
            "missed_slots": len(missed),
            "group_leader_id": next(
                (m.person.id for m in members if m.role == "group_leader"), None
            ),
            "late_member_id": next(
                (m.id for m in members if m.effective_from != YEAR_START.date()), None
            ),
            "missed_dispatch_person_id": missed[0].person.id if missed else None,
            "directive_dispatch_id": t.first.get("directive_dispatch"),
            "visits": t.visits,
            "visit_matters": t.visit_matters,
            "problem_visit_id": t.first.get("problem_visit"),
        }

    def months_of(self, key: int) -> dict[str, int]:
        return {
            f"{YEAR - 1 + slot // 12:04d}-{slot % 12 + 1:02d}": fen
            for slot, fen in enumerate(self.written_sales[key])
            if fen >= 0
        }

    def sales_summary(self) -> dict[str, Any]:
        """Months reported and corrected, and enterprises worth looking at in the growth list."""
        counts: Counter[int] = Counter()
        for written in self.written_sales.values():
            counts.update(slot for slot, fen in enumerate(written) if fen >= 0)
        missing, corrected = self.missing_sales, self.corrected_sales
        out: dict[str, Any] = {
            "sales_months": sum(counts.values()),
            "sales_corrections": self.tally.sales_corrections,
            "missing_sales_enterprise_id": missing.id if missing else None,
            "corrected_sales_enterprise_id": (
                corrected.id if corrected and self.tally.sales_corrections else None
            ),
        }
        this_year = {slot: c for slot, c in counts.items() if slot >= 12}
        if not this_year:
            return out
        most = max(this_year.values())
        through_slot = max(slot for slot, c in this_year.items() if c >= 0.9 * most)
        through = f"{YEAR - 1 + through_slot // 12:04d}-{through_slot % 12 + 1:02d}"
        target = Decimal(PolicyDocument().sales_target)
        growth: list[tuple[Decimal, UUID | None]] = []
        for key in self.written_sales:
            result = ytd_growth(self.months_of(key), YEAR, int(through[5:]), target)
            if result.growth is not None:
                growth.append((result.growth, self.sales_ids[key]))
        under = [g for g in growth if 0 <= g[0] < target]
        out["sales_through"] = through
        if growth:
            out["over_target_enterprise_id"] = max(growth, key=lambda g: g[0])[1]
            out["declining_enterprise_id"] = min(growth, key=lambda g: g[0])[1]
        if under:
            out["under_target_enterprise_id"] = max(under, key=lambda g: g[0])[1]
        return out
