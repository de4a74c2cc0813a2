"""One library's year (a park, or one of a city's or a province's many), planned day by day.

A `Lane` draws with its own `random.Random`, so its plan does not depend on the others. It plans
nothing ahead that it does not have to: the registry is entered by a lazy thread of steps; each
day's matters are planned at the start of that day, each month's visits, dispatch meetings and
sales reports at the start of that month; a matter's whole life is planned when it comes in.
The writer (`api.demo`) runs the steps in business-time order and keeps only what is open.
"""

from __future__ import annotations

import random
from calendar import monthrange
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from itertools import accumulate
from typing import TYPE_CHECKING
from uuid import UUID

from api.demo_data import (
    BRANDS,
    BUREAUS,
    CATEGORIES,
    CHAIN_DEPARTMENT,
    CHAIN_SHARES,
    CHAINS,
    COMMENTS,
    COMMITTEE,
    DEPARTMENTS,
    DILIGENCE,
    DIRECTIVES,
    EFFECTIVE,
    EXTENSION_REASONS,
    GIVEN,
    GOVERNMENT,
    GROWTH_CLASSES,
    LATE_DEPUTY_FROM,
    MISSED_SLOTS,
    MISSING_SALES_MONTH,
    MISTAKEN_UNIT,
    RECTIFY_REPLIES,
    REGIONS,
    REJECTION_REASONS,
    SALES_CORRECTIONS,
    SALES_SEASON,
    SETUP_START,
    SURNAMES,
    UNITS,
    VISIT_KINDS,
    VISIT_NOTES,
    VISIT_SEASON,
    WITHDRAWAL_REASONS,
    YEAR,
    YEAR_START,
)
from domain.cadence import Slot, slots_for
from domain.calendar import SHANGHAI, WorkingCalendar
from domain.leading_group import DIRECTIVE_CATEGORY
from domain.uscc import ALPHABET, check_character

if TYPE_CHECKING:
    from api.demo import Writer

Step = Callable[[], None]
Steps = list[tuple[datetime, Step]]


@dataclass
class _Unit:
    key: str
    name: str
    id: UUID | None = None


@dataclass(eq=False)
class _Guarantor:
    kind: str
    name: str
    title: str | None
    unit: str | None
    id: UUID | None = None
    rate: float = 0.0  # visits per covered enterprise per month
    # The assignments planned for it, to plan visits only where it guarantees.
    covers: list[_Cover] = field(default_factory=list, repr=False)


@dataclass(eq=False)
class _Enterprise:
    key: int  # unique across lanes
    uscc: str
    name: str
    industry: str
    chain: str
    above_scale: bool
    weight: float
    listed_at: datetime
    delisted_at: datetime | None = None
    relisted_at: datetime | None = None
    id: UUID | None = None
    roles: set[str] = field(default_factory=set)  # the roles planned for it
    covers: list[_Cover] = field(default_factory=list, repr=False)

    def listed_on(self, at: datetime) -> bool:
        if at <= self.listed_at:
            return False
        if self.delisted_at is None or at < self.delisted_at:
            return True
        return self.relisted_at is not None and at > self.relisted_at


@dataclass(eq=False)
class _Matter:
    key: int  # unique across lanes, in the order planned
    enterprise: _Enterprise
    category: str
    summary: str
    channel: str
    reply: str
    id: UUID | None = None
    request_id: UUID | None = None
    status: str | None = None  # as last written
    # As planned: when it came in, its handle deadline, and when it was resolved or withdrawn.
    received_at: datetime | None = None
    due_at: datetime | None = None
    settled_at: datetime | None = None

    def open_at(self, at: datetime) -> bool:
        """Whether it was in and not yet resolved or withdrawn at `at`, as planned."""
        return (
            self.received_at is not None
            and self.received_at < at
            and (self.settled_at is None or at < self.settled_at)
        )


@dataclass(eq=False)
class _Cover:
    """A planned assignment: in effect from `start` to `end` (inclusive) once recorded."""

    enterprise: _Enterprise
    guarantor: _Guarantor
    role: str
    start: date
    recorded_at: datetime
    end: date | None = None

    def covers(self, at: datetime) -> bool:
        day = at.astimezone(SHANGHAI).date()
        return self.recorded_at < at and self.start <= day and (self.end is None or day <= self.end)


@dataclass(eq=False)
class _Member:
    """A leading-group appointment as planned, with the slots it leaves without a dispatch."""

    person: _Guarantor
    role: str
    effective_from: date
    chain: str | None  # the chain a deputy looks after; None: the whole park
    missed: tuple[date, ...] = ()
    id: UUID | None = None


@dataclass(eq=False)
class _Dispatch:
    member: _Member
    kind: str
    enterprises: list[_Enterprise]
    matters: list[_Matter]
    directives: list[tuple[_Matter, _Unit]]


@dataclass(eq=False)
class _Visit:
    guarantor: _Guarantor
    enterprise: _Enterprise
    kind: str
    notes: str
    problems: list[_Matter]


@dataclass(eq=False)
class _Sales:
    """An enterprise's sales profile: a mean month last year, its growth and its source."""

    enterprise: _Enterprise
    base_fen: int  # a mean month of 2025
    growth: Decimal
    source: str


def factor_of(draw: float) -> Decimal:
    """A random draw as a Decimal factor (6 places), so that amounts are computed exactly."""
    return Decimal(f"{draw:.6f}")


def parent_body(department: str) -> str:
    """The body a guarantor department belongs to."""
    if department.startswith(("亳州市", "市", "国家税务总局亳州市")):
        return "亳州市人民政府"
    if department.startswith("谯城区"):
        return GOVERNMENT
    if department.startswith("国网"):
        return "国网亳州供电公司"
    return COMMITTEE


def missed_slots(member: _Member) -> list[Slot]:
    """The slots planned without a dispatch, as `domain.cadence` cuts them."""
    return [
        slot
        for start in member.missed
        for slot in slots_for(member.role, start.strftime("%Y-%m"))
        if slot.start == start
    ]


def month_end(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def _org_code(body: str) -> str:
    """The 9-character organisation code (GB 11714) of an 8-character body."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def day_of(at: datetime) -> date:
    return at.astimezone(SHANGHAI).date()


class Lane:
    """One library: its units, guarantors, enterprises and leading group, and their year."""

    def __init__(
        self, writer: Writer, number: int, place: str | None, size: int, people: int
    ) -> None:
        self.w = writer
        self.number = number
        self.place = place  # None: the park itself, under its own names
        self.size = size
        self.people_count = people
        self.rng = random.Random(writer.seed if number == 0 else writer.seed * 1_000_003 + number)  # noqa: S311
        self.units: dict[str, _Unit] = {}
        self.people: list[_Guarantor] = []
        self.leaders: list[_Guarantor] = []
        self.liaisons: list[_Guarantor] = []
        self.departments: dict[str, _Guarantor] = {}
        self.enterprises: list[_Enterprise] = []
        self.gaps: list[_Enterprise] = []
        self.no_leader: list[_Enterprise] = []
        self.no_department: list[_Enterprise] = []
        self.members: list[_Member] = []
        self.sales: list[_Sales] = []
        self.open: list[_Matter] = []  # planned and not yet settled: for dispatches to pick
        self.meetings: dict[date, list[tuple[datetime, int, str]]] = {}
        self.corrections: list[tuple[_Sales, str, tuple[int, int], str]] = []
        self.reported: dict[tuple[int, str], tuple[datetime, int]] = {}
        self.setup_end = SETUP_START
        self._changing: list[_Enterprise] | None = None  # listed or delisted during the year
        self._listed_key: tuple[object, ...] = ()
        self._listed: tuple[list[_Enterprise], list[float]] = ([], [])
        self.cal: WorkingCalendar = writer.calendar
        self.half_day = self.cal.hours.day_length().total_seconds() / 7200

    # -- names -----------------------------------------------------------------------------

    def local(self, name: str) -> str:
        """A body of this place: the park's own name, or the place's."""
        if self.place is None:
            return name
        if name.startswith("园区"):
            return self.place + name.removeprefix("园区")
        return f"{name}（{self.place}）"

    # -- working time ----------------------------------------------------------------------

    def after(self, start: datetime, hours: float) -> datetime:
        """`hours` of working time after `start` (at least five seconds), to the second."""
        seconds = max(5, round(hours * 3600))
        return self.cal.add_working_time(start, timedelta(seconds=seconds)).at

    def hours_between(self, start: datetime, end: datetime) -> float:
        return self.cal.working_time_between(start, end).total_seconds() / 3600

    def days_after(self, start: datetime, days: int) -> datetime:
        return self.cal.working_days_after(start, days).at

    def moment_in(self, month: int) -> datetime:
        """An office-hours moment on a working day of the month."""
        rng = self.rng
        day = date(YEAR, month, rng.randint(1, 26))
        while not self.cal.is_working_day(day):
            day += timedelta(days=1)
        start = datetime.combine(day, time(8, 30), tzinfo=SHANGHAI)
        return self.after(start - timedelta(minutes=1), rng.uniform(0.1, 6.5))

    def working_days(self, first: date, last: date) -> list[date]:
        days = []
        day = first
        while day <= last:
            if self.cal.is_working_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def at_office(self, day: date, hours: float) -> datetime:
        """`hours` of office time into a working day (08:30 plus 0–7 working hours)."""
        start = datetime.combine(day, time(8, 29), tzinfo=SHANGHAI)
        return self.after(start, hours)

    # -- the day's plan --------------------------------------------------------------------

    def plan_setup(self) -> None:
        """Before anything runs: the library's bodies and enterprises, and the thread that
        enters them in the last working days of 2025."""
        for key, name in UNITS.items():
            self.units[key] = _Unit(key, self.local(name))
        self.make_guarantors()
        self.make_enterprises(self.size, SETUP_START)
        self.plan_group()
        self.w.push_lazy(self.setup_steps())

    def plan_day(self, day: date) -> None:
        """What arises on `day`, planned at its start (after everything before it has run)."""
        if day < YEAR_START.date():
            return
        start = datetime.combine(day, time(0), tzinfo=SHANGHAI)
        self.open = [m for m in self.open if m.settled_at is None or m.settled_at > start]
        if day == YEAR_START.date():
            self.plan_year()
        if day.day == 1:
            self.plan_visits(day.year, day.month)
            self.plan_meetings(day.year, day.month)
            previous = day - timedelta(days=1)
            if previous.year >= YEAR:
                self.plan_monthly_sales(previous.year, previous.month)
        self.plan_matters(day)
        for at, number, kind in self.meetings.pop(day, []):
            self.plan_dispatch(self.members[number], kind, at)

    def plan_year(self) -> None:
        """On New Year's day: the year's registry changes, the late deputy, sales profiles."""
        self.plan_gap_closures()
        self.plan_registry_changes()
        self._changing = None
        self.plan_late_member()
        for g in [*self.people, *self.departments.values()]:
            g.rate = self.rng.choices([r for r, _ in DILIGENCE], weights=[w for _, w in DILIGENCE])[
                0
            ]
        self.plan_sales()

    # -- the registry ----------------------------------------------------------------------

    def unique_person_name(self, taken: set[str]) -> str:
        rng = self.rng
        while True:
            given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
            name = rng.choice(SURNAMES) + given
            if name not in taken:
                taken.add(name)
                return name

    def make_guarantors(self) -> None:
        rng = self.rng
        taken: set[str] = set()

        def person(title: str, unit: str, leader: bool) -> None:
            g = _Guarantor("person", self.unique_person_name(taken), title, self.local(unit))
            self.people.append(g)
            (self.leaders if leader else self.liaisons).append(g)

        person("区长", GOVERNMENT, True)
        for _ in range(4):
            person("副区长", GOVERNMENT, True)
        person("党工委书记、管委会主任", COMMITTEE, True)
        person("党工委副书记", COMMITTEE, True)
        for _ in range(5):
            person("管委会副主任", COMMITTEE, True)
        for _ in range(3):
            person("党工委委员", COMMITTEE, True)
        for bureau in BUREAUS:
            person("局长" if bureau.endswith("局") else "主任", bureau, True)
        for bureau in BUREAUS:
            person("副局长" if bureau.endswith("局") else "副主任", bureau, False)
        titles = ("科长", "副科长", "一级科员", "企业联络员")
        while len(self.people) < self.people_count:
            person(rng.choice(titles), rng.choice(BUREAUS), False)
        for name in DEPARTMENTS:
            self.departments[name] = _Guarantor(
                "department", self.local(name), None, self.local(parent_body(name))
            )

    def make_enterprises(self, count: int, listed_at: datetime) -> list[_Enterprise]:
        rng = self.rng
        names, codes = self.w.enterprise_names, self.w.enterprise_codes
        made: list[_Enterprise] = []
        chains = list(CHAIN_SHARES)
        for _ in range(count):
            chain = rng.choices(chains, weights=[CHAIN_SHARES[c] for c in chains])[0]
            industry, suffixes = rng.choice(CHAINS[chain])
            city, region, _share = rng.choices(REGIONS, weights=[r[2] for r in REGIONS])[0]
            above = rng.random() < 0.6
            while True:
                form = "股份有限公司" if above and rng.random() < 0.25 else "有限公司"
                name = f"{self.place or city}{rng.choice(BRANDS)}{rng.choice(suffixes)}{form}"
                if name not in names:
                    names.add(name)
                    break
            while True:
                if rng.random() < 0.6:
                    body = "MA" + "".join(rng.choice(ALPHABET) for _ in range(6))
                else:
                    body = "".join(rng.choice("0123456789") for _ in range(8))
                first17 = "91" + region + _org_code(body)
                code = first17 + check_character(first17)
                if code not in codes:
                    codes.add(code)
                    break
            weight = min(8.0, rng.paretovariate(1.6)) * (1.4 if above else 1.0)
            enterprise = _Enterprise(
                self.w.next_key(), code, name, industry, chain, above, weight, listed_at
            )
            self.enterprises.append(enterprise)
            made.append(enterprise)
        return made

    def setup_steps(self) -> Iterator[tuple[datetime, Step]]:
        """Units, guarantors, the library and its assignments, and the leading group, entered
        in the last working days of 2025 (drawn as they are entered)."""
        rng, w = self.rng, self.w
        cursor = SETUP_START + timedelta(minutes=20)
        for unit in self.units.values():
            cursor = self.after(cursor, rng.uniform(0.02, 0.08))
            yield cursor, partial(w.register_unit, unit)
        for g in [*self.people, *self.departments.values()]:
            cursor = self.after(cursor, rng.uniform(0.005, 0.02))
            yield cursor, partial(w.register_guarantor, g)
        cursor = max(cursor, datetime(2025, 12, 29, 14, 0, tzinfo=SHANGHAI))
        library = list(self.enterprises)
        for e in library:
            cursor = self.after(cursor, rng.uniform(0.005, 0.03))
            e.listed_at = cursor
            yield cursor, partial(w.list_enterprise, e)
        # Gaps: a few enterprises without a lead leader or a department on New Year's day.
        self.gaps = rng.sample(library, 13)
        self.no_leader, self.no_department = self.gaps[:7], self.gaps[7:]
        w.note_gap(self.no_leader[0])
        cursor = max(cursor, datetime(2025, 12, 30, 14, 0, tzinfo=SHANGHAI))
        for e in library:
            for role, guarantor in self.guarantors_for(e):
                if (role == "lead_leader" and e in self.no_leader) or (
                    role == "department" and e in self.no_department
                ):
                    continue
                cursor = self.after(cursor, rng.uniform(0.002, 0.008))
                self.plan_cover(e, guarantor, role, EFFECTIVE, cursor)
                yield cursor, partial(w.assign, e, guarantor, role, EFFECTIVE)
        if cursor >= YEAR_START:
            raise RuntimeError("the registry set-up ran into 2026")
        self.setup_end = cursor
        t = self.after(cursor, rng.uniform(0.2, 0.5))
        for member in self.members:
            if member.effective_from == EFFECTIVE:
                t = self.after(t, rng.uniform(0.02, 0.06))
                yield t, partial(w.appoint, member)
        if t >= YEAR_START:
            raise RuntimeError("the leading group's appointment ran into 2026")

    def plan_gap_closures(self) -> None:
        """Some gaps are closed in the first quarter; the others stay for the gap list."""
        rng = self.rng
        for e in self.no_leader[3:5]:
            at = self.moment_in(rng.randint(2, 4))
            leader = rng.choice(self.leaders)
            self.w.push([(at, partial(self.w.assign, e, leader, "lead_leader", day_of(at)))])
            self.plan_cover(e, leader, "lead_leader", day_of(at), at)
        for e in self.no_department[3:5]:
            at = self.moment_in(rng.randint(2, 4))
            department = self.department_for(e)
            self.w.push([(at, partial(self.w.assign, e, department, "department", day_of(at)))])
            self.plan_cover(e, department, "department", day_of(at), at)

    def guarantors_for(self, e: _Enterprise) -> list[tuple[str, _Guarantor]]:
        rng = self.rng
        chain_index = list(CHAINS).index(e.chain)
        # Each chain's enterprises lean on a few leaders (the chain's working group).
        pool = [g for i, g in enumerate(self.leaders) if i % 4 == chain_index]
        leader = rng.choice(pool) if rng.random() < 0.75 else rng.choice(self.leaders)
        chosen = [("lead_leader", leader), ("department", self.department_for(e))]
        if rng.random() < 0.7:
            chosen.append(("liaison", rng.choice(self.liaisons)))
        e.roles.update(role for role, _ in chosen)
        return chosen

    def department_for(self, e: _Enterprise) -> _Guarantor:
        rng = self.rng
        if rng.random() < 0.45:
            return self.departments[CHAIN_DEPARTMENT[e.chain]]
        return rng.choice(list(self.departments.values()))

    @staticmethod
    def plan_cover(
        e: _Enterprise, g: _Guarantor, role: str, start: date, recorded_at: datetime
    ) -> None:
        cover = _Cover(e, g, role, start, recorded_at)
        e.covers.append(cover)
        g.covers.append(cover)

    @staticmethod
    def plan_release(e: _Enterprise, role: str, end: date) -> None:
        for cover in e.covers:
            if cover.role == role and cover.end is None:
                cover.end = end

    def plan_reassign(self, e: _Enterprise, role: str, g: _Guarantor, at: datetime) -> None:
        """What `reassign` will do: nothing for the same guarantor, else release and assign."""
        if any(c.guarantor is g for c in e.covers if c.role == role and c.end is None):
            return
        self.plan_release(e, role, day_of(at) - timedelta(days=1))
        self.plan_cover(e, g, role, day_of(at), at)

    def plan_registry_changes(self) -> None:
        """Mid-year: reassignments, released liaisons, delistings, a relisting and newcomers."""
        rng, w = self.rng, self.w
        settled = [e for e in self.enterprises if e not in self.gaps]
        candidates = rng.sample(settled, 24)
        leader_reasons = ("包保领导职务调整", "原包保领导调任，重新明确包保领导")
        for e in candidates[:8]:
            at = self.moment_in(rng.randint(3, 10))
            leader = rng.choice(self.leaders)
            reason = rng.choice(leader_reasons)
            w.push([(at, partial(w.reassign, e, "lead_leader", leader, reason))])
            self.plan_reassign(e, "lead_leader", leader, at)
        for e in candidates[8:11]:
            at = self.moment_in(rng.randint(4, 9))
            department = rng.choice(list(self.departments.values()))
            w.push([(at, partial(w.reassign, e, "department", department, "包保部门职能调整"))])
            self.plan_reassign(e, "department", department, at)
        with_liaison = [e for e in candidates[16:] if "liaison" in e.roles]
        for e in with_liaison[:3]:
            at = self.moment_in(rng.randint(3, 9))
            w.push([(at, partial(w.release, e, "liaison", "联络员岗位调整"))])
            self.plan_release(e, "liaison", day_of(at))
        # Two delistings (June, August); the second enterprise is relisted in October.
        delist_reasons = ("企业迁出园区，移出重点企业库", "企业停产整顿，经研究移出重点企业库")
        for e, month, reason in zip(candidates[14:16], (6, 8), delist_reasons, strict=True):
            at = self.moment_in(month)
            e.delisted_at = at
            released = self.after(at, 0.1)
            steps: Steps = [
                (at, partial(w.delist, e, reason)),
                (released, partial(w.release_all, e, "企业出库")),
            ]
            for role in ("lead_leader", "department", "liaison"):
                self.plan_release(e, role, day_of(released))
            if month == 8:
                back = self.moment_in(10)
                e.relisted_at = back
                steps.append((back, partial(w.relist, e)))
                t = back
                for role, guarantor in self.guarantors_for(e)[:2]:
                    t = self.after(t, 0.05)
                    steps.append((t, partial(w.assign, e, guarantor, role, day_of(back))))
                    self.plan_cover(e, guarantor, role, day_of(back), t)
            w.push(steps)
        # Newcomers: enterprises whose projects went into production during the year.
        for month in (5, 6, 7, 9):
            at = self.moment_in(month)
            (e,) = self.make_enterprises(1, at)
            steps = [(at, partial(w.list_enterprise, e))]
            t = at
            for role, guarantor in self.guarantors_for(e):
                t = self.after(t, 0.05)
                steps.append((t, partial(w.assign, e, guarantor, role, day_of(at))))
                self.plan_cover(e, guarantor, role, day_of(at), t)
            w.push(steps)

    # -- matters ---------------------------------------------------------------------------

    def listed_with_weights(self, at: datetime) -> tuple[list[_Enterprise], list[float]]:
        """The enterprises listed at `at` and their cumulative weights (few ever change)."""
        if self._changing is None:
            self._changing = [
                e for e in self.enterprises if e.listed_at >= YEAR_START or e.delisted_at
            ]
        key: tuple[object, ...] = (
            len(self.enterprises),
            *(e.listed_on(at) for e in self._changing),
        )
        if key != self._listed_key:
            listed = [e for e in self.enterprises if e.listed_on(at)]
            self._listed = (listed, list(accumulate(e.weight for e in listed)))
            self._listed_key = key
        return self._listed

    def plan_matters(self, day: date) -> None:
        rng = self.rng
        categories = list(CATEGORIES)
        weights = [CATEGORIES[c][0] for c in categories]
        season = {1: 0.95, 2: 0.7, 3: 1.15, 4: 1.1, 5: 1.0, 6: 1.05}
        working = self.cal.is_working_day(day)
        mean = (8.6 if working else 0.8) * season.get(day.month, 1.0) * self.size / 300
        count = max(0, round(rng.gauss(mean, mean**0.5)))
        times = sorted(self.receipt_time(day, working) for _ in range(count))
        for received in times:
            if received > self.w.limit:
                continue
            listed, cumulative = self.listed_with_weights(received)
            enterprise = rng.choices(listed, cum_weights=cumulative)[0]
            category = rng.choices(categories, weights=weights)[0]
            summary, unit_key, reply = rng.choice(CATEGORIES[category][1])
            n = rng.randint(2, 9)
            matter = self.new_matter(
                enterprise,
                category,
                summary.format(n=n),
                self.channel(received),
                reply.format(n=n),
            )
            self.plan_matter(matter, received, unit_key)

    def new_matter(
        self, e: _Enterprise, category: str, summary: str, channel: str, reply: str
    ) -> _Matter:
        m = _Matter(self.w.next_key(), e, category, summary, channel, reply)
        self.open.append(m)
        return m

    def receipt_time(self, day: date, working: bool) -> datetime:
        rng = self.rng
        midnight = datetime.combine(day, time(0), tzinfo=SHANGHAI)
        if working and rng.random() < 0.85:
            # Mornings are busier than afternoons.
            if rng.random() < 0.58:
                minutes = rng.uniform(8.5 * 60, 12 * 60)
            else:
                minutes = rng.uniform(14 * 60, 17.5 * 60)
        elif working:
            minutes = rng.choice(
                (rng.uniform(7 * 60, 8.5 * 60), rng.uniform(12 * 60, 14 * 60))
                + (rng.uniform(17.5 * 60, 22 * 60),) * 2
            )
        else:
            minutes = rng.uniform(9 * 60, 21.5 * 60)
        return midnight + timedelta(seconds=round(minutes * 60))

    def channel(self, received: datetime) -> str:
        rng = self.rng
        local = received.astimezone(SHANGHAI)
        in_hours = self.cal.is_working_day(local.date()) and (
            time(8, 30) <= local.time() < time(12) or time(14) <= local.time() < time(17, 30)
        )
        if in_hours:
            return rng.choices(("window", "phone", "online", "visit"), weights=(35, 25, 30, 10))[0]
        return rng.choices(("online", "phone"), weights=(75, 25))[0]

    def plan_matter(
        self, m: _Matter, received: datetime, unit_key: str, steps: Steps | None = None
    ) -> None:
        """A matter's life from intake; `steps` is its thread so far (default: the window's
        intake at `received`; a visit's matters come in with the visit, a step of its own)."""
        rng, w = self.rng, self.w
        m.received_at = received
        if steps is None:
            steps = [(received, partial(w.receive, m))]
        if rng.random() < 0.015:
            # Withdrawn before the window got round to assigning it.
            at = self.after(received, rng.uniform(0.1, 1.5))
            steps.append((at, partial(w.withdraw, m, rng.choice(WITHDRAWAL_REASONS))))
            m.settled_at = at
            w.push(steps)
            return
        assigned, late = self.assignment_time(received)
        holder = self.units[unit_key]
        first = holder
        if rng.random() < 0.09:
            first = self.units[MISTAKEN_UNIT[m.category]]
        steps.append((assigned, partial(w.assign_matter, m, first)))
        cap = self.days_after(assigned, w.cap_days)
        due = self.days_after(assigned, w.handle_days)
        t = assigned
        if first is not holder:
            t = self.after(t, rng.uniform(0.1, 0.6) * self.hours_between(t, due))
            reason = f"该事项属{holder.name}职责范围，转{holder.name}办理"
            steps.append((t, partial(w.transfer, m, holder, reason)))
            due = self.days_after(t, w.handle_days)
        self.plan_handling(m, holder, t, due, cap, late, steps)

    def plan_handling(
        self,
        m: _Matter,
        holder: _Unit,
        t: datetime,
        due: datetime,
        cap: datetime,
        late: bool,
        steps: Steps,
    ) -> None:
        """From the assignment to `holder` (at `t` or before) on: handled, resolved, rated."""
        rng, w = self.rng, self.w
        if rng.random() < 0.015:
            at = self.after(t, rng.uniform(0.5, 14))
            steps.append((at, partial(w.withdraw, m, rng.choice(WITHDRAWAL_REASONS))))
            m.settled_at = at
            w.push(steps)
            return
        if rng.random() < 0.08:
            t, due = self.plan_extension(m, holder, t, due, cap, steps)
        t = self.resolution_time(t, due, 0.13, 0.035)
        m.due_at, m.settled_at = due, t
        steps.append((t, partial(w.resolve, m, holder, m.reply)))
        self.plan_ratings(m, holder, t, late or t > due, steps)
        w.push(steps)

    def assignment_time(self, received: datetime) -> tuple[datetime, bool]:
        """When the window assigns it: mostly within half a working day, some late."""
        rng = self.rng
        draw = rng.random()
        if draw < 0.88:
            return self.after(received, rng.uniform(0.05, 0.97) * self.half_day), False
        if draw < 0.97:
            return self.after(received, self.half_day + rng.uniform(0.2, 7)), True
        return self.after(received, self.half_day + rng.uniform(7, 28)), True

    def plan_extension(
        self, m: _Matter, holder: _Unit, t: datetime, due: datetime, cap: datetime, steps: Steps
    ) -> tuple[datetime, datetime]:
        """The unit asks before its deadline, within the cap; the leader decides."""
        rng, w = self.rng, self.w
        asked = self.after(t, rng.uniform(0.2, 0.85) * self.hours_between(t, due))
        wanted = min(self.days_after(asked, rng.randint(5, 20)), cap)
        if not asked <= due < wanted:
            return t, due
        reason = rng.choice(EXTENSION_REASONS)
        steps.append((asked, partial(w.request_extension, m, holder, wanted, reason)))
        decided = self.after(asked, rng.uniform(0.3, 6))
        if rng.random() < 0.75:
            steps.append((decided, partial(w.approve, m)))
            return decided, wanted
        steps.append((decided, partial(w.reject, m, rng.choice(REJECTION_REASONS))))
        return decided, due

    def plan_ratings(
        self, m: _Matter, holder: _Unit, resolved: datetime, late: bool, steps: Steps
    ) -> None:
        """Most resolutions are rated; 1-2 sends the matter back for rectification."""
        rng, w = self.rng, self.w
        t = resolved
        rounds = 0
        while rng.random() >= 0.12:
            rated = self.rating_time(t)
            level = self.rating_level(rounds, late)
            comment = rng.choice(COMMENTS[level]) if rng.random() < 0.7 else None
            steps.append((rated, partial(w.rate, m, level, comment)))
            if level >= 3:
                return
            rounds += 1
            rectify_due = self.days_after(rated, w.rectify_days)
            t = self.resolution_time(rated, rectify_due, 0.12, 0.03)
            late = t > rectify_due
            steps.append((t, partial(w.resolve, m, holder, rng.choice(RECTIFY_REPLIES))))

    def resolution_time(
        self, start: datetime, due: datetime, p_late: float, p_stalled: float
    ) -> datetime:
        rng = self.rng
        room = self.hours_between(start, due)
        draw = rng.random()
        if draw < p_stalled:
            return self.after(max(start, due), rng.uniform(36, 240))
        if draw < p_stalled + p_late or room < 0.25:
            return self.after(max(start, due), rng.uniform(0.3, 35))
        return self.after(start, rng.uniform(0.1, 0.95) * room)

    def rating_time(self, resolved: datetime) -> datetime:
        rng = self.rng
        draw = rng.random()
        if draw < 0.65:
            return self.after(resolved, rng.uniform(0.2, 10))
        if draw < 0.9:
            # In the evening, on the enterprise's own time.
            local = resolved.astimezone(SHANGHAI)
            evening = datetime.combine(local.date(), time(19), tzinfo=SHANGHAI)
            if evening <= resolved:
                evening += timedelta(days=1)
            return evening + timedelta(seconds=round(rng.uniform(0, 210) * 60))
        # After the rating invitation (3 working days).
        return self.after(resolved, rng.uniform(21, 50))

    def rating_level(self, rounds: int, late: bool) -> int:
        rng = self.rng
        levels = (5, 4, 3, 2, 1)
        if rounds >= 2:
            return rng.choice((3, 4, 5))
        if rounds == 1:
            return rng.choices(levels, weights=(35, 35, 18, 8, 4))[0]
        if late:
            return rng.choices(levels, weights=(35, 30, 15, 12, 8))[0]
        return rng.choices(levels, weights=(60, 27, 7, 4, 2))[0]

    # -- the leading group and its dispatches ----------------------------------------------

    def plan_group(self) -> None:
        """The 组长 and three 副组长 from New Year (appointed on the last set-up day, at the end
        of the set-up thread); a fourth 副组长 from 10 June, in the middle of a half-month slot."""

        def titled(title: str) -> list[_Guarantor]:
            return [g for g in self.people if g.title == title]

        vice = titled("管委会副主任")
        chains = list(CHAINS)
        self.members = [
            _Member(titled("党工委书记、管委会主任")[0], "group_leader", EFFECTIVE, None),
            _Member(titled("党工委副书记")[0], "deputy_group_leader", EFFECTIVE, chains[0]),
            _Member(vice[0], "deputy_group_leader", EFFECTIVE, chains[1]),
            _Member(vice[1], "deputy_group_leader", EFFECTIVE, chains[2]),
            _Member(vice[2], "deputy_group_leader", LATE_DEPUTY_FROM, chains[3]),
        ]
        for number, member in enumerate(self.members):
            member.missed = MISSED_SLOTS.get(number, ())
        self.w.members.extend(self.members)

    def plan_late_member(self) -> None:
        for member in self.members:
            if member.effective_from != EFFECTIVE:
                # Appointed by the committee on the working day before taking office.
                eve = member.effective_from - timedelta(days=1)
                while not self.cal.is_working_day(eve):
                    eve -= timedelta(days=1)
                at = self.at_office(eve, self.rng.uniform(4.5, 6.5))
                self.w.push([(at, partial(self.w.appoint, member))])

    def plan_meetings(self, year: int, month: int) -> None:
        """The month's dispatch meetings: one per required slot (a month for the 组长, a
        half-month for a 副组长) except the slots planned as missed, and some ad hoc ones."""
        rng = self.rng
        period = f"{year:04d}-{month:02d}"
        planned: list[tuple[datetime, int, str]] = []
        for number, member in enumerate(self.members):
            extra = 0.3 if member.role == "group_leader" else 0.08
            for slot in slots_for(member.role, period):
                if slot.start in member.missed:
                    continue
                days = self.working_days(max(slot.start, member.effective_from), slot.end)
                if not days:
                    continue
                # A slot only partly in the tenure is not required: a newcomer holds a
                # first meeting in it all the same, ad hoc.
                required = member.effective_from <= slot.start
                kind = "scheduled" if required else "ad_hoc"
                planned.append((self.meeting_time(rng.choice(days)), number, kind))
                if required and rng.random() < extra:
                    planned.append((self.meeting_time(rng.choice(days)), number, "ad_hoc"))
        for meeting in sorted(planned):
            self.meetings.setdefault(day_of(meeting[0]), []).append(meeting)

    def meeting_time(self, day: date) -> datetime:
        rng = self.rng
        morning, afternoon = rng.uniform(0.5, 2.0), rng.uniform(4.0, 5.5)
        return self.at_office(day, morning if rng.random() < 0.55 else afternoon)

    def plan_dispatch(self, member: _Member, kind: str, at: datetime) -> None:
        """Open (preferably overdue) matters of the member's chain, a few key enterprises, and
        directives that become matters assigned to units at the meeting."""
        rng = self.rng

        def ours(e: _Enterprise) -> bool:
            return member.chain is None or e.chain == member.chain

        open_matters = [m for m in self.open if m.open_at(at) and ours(m.enterprise)]
        overdue = [m for m in open_matters if m.due_at is not None and m.due_at < at]
        wanted = rng.choice((0, 1, 1, 2, 2, 3))
        matters = rng.sample(overdue, min(wanted, len(overdue)))
        others = [m for m in open_matters if all(m is not o for o in overdue)]
        matters += rng.sample(others, min(wanted - len(matters), len(others)))
        key = [e for e in self.enterprises if e.above_scale and ours(e) and e.listed_on(at)]
        lo, hi = (2, 4) if member.role == "group_leader" else (1, 3)
        enterprises: list[_Enterprise] = []
        chosen = rng.sample(key, min(rng.randint(lo, hi), len(key)))
        for e in [m.enterprise for m in matters] + chosen:
            if all(e is not seen for seen in enterprises):
                enterprises.append(e)
        directives: list[tuple[_Matter, _Unit]] = []
        listed = [e for e in enterprises if e.listed_on(at)]
        count = rng.choices((0, 1, 2, 3), weights=(35, 40, 18, 7))[0] if listed else 0
        for _ in range(count):
            e = rng.choice(listed)
            summary, unit_key, reply = rng.choice(DIRECTIVES)
            m = self.new_matter(e, DIRECTIVE_CATEGORY, summary, "dispatch", reply)
            m.received_at = at
            unit = self.units[unit_key]
            directives.append((m, unit))
            due = self.days_after(at, self.w.handle_days)
            cap = self.days_after(at, self.w.cap_days)
            self.plan_handling(m, unit, at, due, cap, False, [])
        if not (enterprises or matters or directives):
            return
        d = _Dispatch(member, kind, enterprises, matters, directives)
        self.w.push([(at, partial(self.w.hold_dispatch, d))])

    # -- service visits --------------------------------------------------------------------

    def plan_visits(self, year: int, month: int) -> None:
        """Each guarantor visits the enterprises it covers, as often as its diligence says."""
        rng = self.rng
        days = self.working_days(date(year, month, 1), month_end(year, month))
        middle = datetime.combine(date(year, month, 15), time(12), tzinfo=SHANGHAI)
        kinds = [k for k, _ in VISIT_KINDS]
        kind_weights = [w for _, w in VISIT_KINDS]
        for g in [*self.people, *self.departments.values()]:
            cap = 6 if g.kind == "person" else 12
            covered = sum(1 for c in g.covers if c.covers(middle))
            mean = min(g.rate * covered, cap) * VISIT_SEASON.get(month, 1.0)
            if mean <= 0 or not days:
                continue
            seen: list[_Enterprise] = []
            for _ in range(max(0, round(rng.gauss(mean, mean**0.5)))):
                kind = rng.choices(kinds, weights=kind_weights)[0]
                at = self.visit_time(rng.choice(days), kind)
                choices = [
                    c.enterprise for c in g.covers if c.covers(at) and c.enterprise.listed_on(at)
                ]
                if not choices:
                    continue
                fresh = [e for e in choices if all(e is not s for s in seen)]
                e = rng.choice(fresh or choices)
                seen.append(e)
                self.plan_visit(g, e, kind, at)

    def visit_time(self, day: date, kind: str) -> datetime:
        rng = self.rng
        if kind == "tea_talk":  # 畅聊下午茶: in the afternoon
            return self.at_office(day, rng.uniform(4.0, 5.5))
        morning, afternoon = rng.uniform(0.5, 2.75), rng.uniform(4.0, 6.25)
        return self.at_office(day, morning if rng.random() < 0.5 else afternoon)

    def plan_visit(self, g: _Guarantor, e: _Enterprise, kind: str, at: datetime) -> None:
        """A visit; some find problems, each a matter (channel visit) that goes the usual way."""
        rng = self.rng
        draw = rng.random()
        found = 2 if draw < 0.02 else 1 if draw < 0.12 else 0
        categories = list(CATEGORIES)
        weights = [CATEGORIES[c][0] for c in categories]
        problems: list[tuple[_Matter, str]] = []
        for _ in range(found):
            category = rng.choices(categories, weights=weights)[0]
            summary, unit_key, reply = rng.choice(CATEGORIES[category][1])
            n = rng.randint(2, 9)
            m = self.new_matter(e, category, summary.format(n=n), "visit", reply.format(n=n))
            problems.append((m, unit_key))
        notes = rng.choice(VISIT_NOTES[kind])
        if problems:
            notes += f"；现场收集企业诉求{len(problems)}项，已登记交办"
        visit = _Visit(g, e, kind, notes, [m for m, _ in problems])
        self.w.push([(at, partial(self.w.record_visit, visit))])
        for m, unit_key in problems:
            self.plan_matter(m, at, unit_key, [])

    # -- sales -----------------------------------------------------------------------------

    def plan_sales(self) -> None:
        """Profiles; 2025's months entered as back data from early January; one enterprise
        lacks a month, two months are corrected (each month is reported in the next one)."""
        rng = self.rng
        classes = [(lo, hi) for lo, hi, _ in GROWTH_CLASSES]
        weights = [w for _, _, w in GROWTH_CLASSES]
        for e in self.enterprises:
            if not (e.above_scale or rng.random() < 0.35):
                continue
            # Random factors are drawn as floats and fixed to 6 places; money is Decimal and fen.
            if e.above_scale:
                factor = factor_of(e.weight**1.3 * rng.lognormvariate(0, 0.35))
                base_fen = int(Decimal(180_000_000) * factor)
            else:
                factor = factor_of(rng.lognormvariate(0, 0.45))
                base_fen = min(155_000_000, int(Decimal(26_000_000) * factor))
            lo, hi = rng.choices(classes, weights=weights)[0]
            source = "tax" if e.above_scale or rng.random() < 0.6 else "self"
            self.sales.append(_Sales(e, base_fen, factor_of(rng.uniform(lo, hi)), source))
        settled = [
            p
            for p in self.sales
            if p.enterprise.above_scale
            and p.enterprise.listed_at < YEAR_START
            and p.enterprise.delisted_at is None
        ]
        missing, *corrected = rng.sample(settled, 1 + len(SALES_CORRECTIONS))
        self.w.note_missing_sales(missing.enterprise)
        self.corrections = [
            (p, label, days, reason)
            for p, (label, days, reason) in zip(corrected, SALES_CORRECTIONS, strict=True)
        ]
        self.w.push_lazy(self.back_sales(missing))

    def back_sales(self, missing: _Sales) -> Iterator[tuple[datetime, Step]]:
        """The clerk enters last year's months from the tax bureau's figures, enterprise by
        enterprise, from Monday 5 January; one enterprise's April is not to be had."""
        rng = self.rng
        back = [p for p in self.sales if p.enterprise.listed_at < YEAR_START]
        rng.shuffle(back)
        t = self.at_office(date(YEAR, 1, 5), rng.uniform(0.2, 0.6))
        for p in back:
            for month in range(1, 13):
                label = f"{YEAR - 1}-{month:02d}"
                fen = self.sales_fen(p, YEAR - 1, month)
                if p is missing and label == MISSING_SALES_MONTH:
                    continue
                t = self.after(t, rng.uniform(15, 45) / 3600)
                yield t, partial(self.w.report_sales, p, label, fen, None)

    def plan_monthly_sales(self, year: int, month: int) -> None:
        """A month of the year, reported between the 10th and the 15th of the next, for
        enterprises listed then (a newcomer from its first month); then its corrections."""
        rng = self.rng
        label = f"{year:04d}-{month:02d}"
        following = month_end(year, month) + timedelta(days=1)
        window = self.working_days(following.replace(day=10), following.replace(day=15))
        window = window or self.working_days(following.replace(day=10), following.replace(day=22))
        wanted = {p.enterprise.key for p, corrected, _, _ in self.corrections if corrected == label}
        for p in self.sales:
            fen = self.sales_fen(p, year, month)
            at = self.at_office(rng.choice(window), rng.uniform(0.2, 6.8))
            e = p.enterprise
            listed = e.listed_at.astimezone(SHANGHAI)
            if (year, month) < (listed.year, listed.month) or not e.listed_on(at):
                continue
            if e.key in wanted:
                self.reported[e.key, label] = (at, fen)
            self.w.push([(at, partial(self.w.report_sales, p, label, fen, None))])
        self.plan_sales_corrections(label)

    def plan_sales_corrections(self, label: str) -> None:
        """A month re-reported a week or two later with the tax bureau's corrected figure."""
        rng = self.rng
        for p, corrected, (lo, hi), reason in self.corrections:
            if corrected != label:
                continue
            year, month = int(label[:4]), int(label[5:])
            following = month_end(year, month) + timedelta(days=1)
            days = self.working_days(following.replace(day=lo), following.replace(day=hi))
            was = self.reported.pop((p.enterprise.key, label), None)
            if was is None or not days:
                continue
            at = self.at_office(rng.choice(days), rng.uniform(0.2, 6.8))
            fen = round(was[1] * rng.uniform(0.955, 1.03))
            if at <= was[0]:
                continue
            self.w.note_corrected_sales(p.enterprise)
            self.w.push([(at, partial(self.w.report_sales, p, label, fen, reason))])

    def sales_fen(self, p: _Sales, year: int, month: int) -> int:
        """A month's taxable sales in fen: base, season, growth and noise."""
        season = SALES_SEASON.get(year, SALES_SEASON[YEAR])[month - 1]
        level = p.base_fen * (1 + p.growth) ** (year - (YEAR - 1))
        noise = factor_of(max(0.7, self.rng.gauss(1.0, 0.05)))
        return max(0, int((level * season * noise).to_integral_value()))
