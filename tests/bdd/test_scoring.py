"""Steps for features/scoring.feature: a park's history replayed in time order, then scored.

The history is written through the park's use cases, each act by its own principal at its
business time (the clock is moved to it); the scores are read back from the live views by the
service's own assessor, as HR's request would.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from uuid import UUID

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from api.services import Services
from api.settings import Settings
from domain.base import Act, Actor
from domain.enterprise import Enterprise
from domain.matter import Matter
from domain.park import Park
from domain.period import Period
from domain.registry import Guarantor, Unit
from domain.scoring import COMPONENTS, Score, decimal, exact
from domain.storage import parse_database_url
from tests.bdd.conftest import shanghai_time
from tests.conftest import Clock, valid_uscc

scenarios("scoring.feature")

ROLES = {"lead leader": "lead_leader", "department": "department", "liaison": "liaison"}
MOMENT = r"\w{3} \d{4}-\d{2}-\d{2} \d{2}:\d{2}"


@dataclass
class History:
    """What happened in the park: acts run at once, or queued to run at their business time."""

    svc: Services
    clock: Clock
    enterprises: dict[str, Enterprise] = field(default_factory=dict)
    guarantors: dict[str, Guarantor] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    matters: dict[str, Matter] = field(default_factory=dict)
    queue: list[tuple[datetime, int, Callable[[], object]]] = field(default_factory=list)
    serials: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def park(self) -> Park:
        return self.svc.park

    def act(self, role: str, scope: UUID | None = None) -> Act:
        principal = f"p-{role}-{scope}" if scope else f"p-{role}"
        actor = Actor(principal, role, f"req-{next(self.serials)}", str(scope) if scope else None)
        return Act.now(actor, self.clock)

    def at(self, moment: datetime, deed: Callable[[], object]) -> None:
        """Queue an act for its business time; the queue runs in time order (then as written)."""
        self.queue.append((moment, next(self.serials), deed))

    def replay(self) -> None:
        for moment, _, deed in sorted(self.queue, key=lambda item: item[:2]):
            assert moment >= self.clock(), f"{moment} is before the history already written"
            self.clock.set(moment)
            deed()
        self.queue.clear()

    # -- the acts, each by its principal -----------------------------------------------------

    def list_enterprise(self, name: str) -> None:
        uscc = valid_uscc(len(self.enterprises) + 1)
        self.enterprises[name] = self.park.list_enterprise(
            self.act("admin"), uscc, name, "制造", "新能源汽车", True
        )

    def register_guarantor(self, name: str, kind: str) -> None:
        title = "副主任" if kind == "person" else None
        unit = "管委会" if kind == "person" else None
        self.guarantors[name] = self.park.register_guarantor(
            self.act("admin"), kind, name, title, unit
        )

    def register_unit(self, name: str, chinese: str) -> None:
        self.units[name] = self.park.register_unit(self.act("admin"), chinese)

    def assign(self, guarantor: str, enterprise: str, role: str, effective_from: date) -> None:
        self.park.assign_guarantor(
            self.act("admin"),
            self.enterprises[enterprise].id,
            self.guarantors[guarantor].id,
            role,
            effective_from,
        )

    def report_sales(self, enterprise: str, month: str, yuan: str) -> None:
        self.park.report_sales(
            self.act("clerk"), self.enterprises[enterprise].id, month, Decimal(yuan), "tax", None
        )

    def raise_request(self, label: str, enterprise: str) -> None:
        self.matters[label] = self.park.receive_matter(
            self.act("clerk"), self.enterprises[enterprise].id, label, "企业诉求", "window"
        )

    def assign_request(self, label: str, unit: str) -> None:
        self.park.assign_matter(self.act("clerk"), self.matters[label].id, self.units[unit].id)

    def resolve(self, label: str, unit: str) -> None:
        unit_id = self.units[unit].id
        self.park.resolve_matter(self.act("unit", unit_id), self.matters[label].id, "已办结")

    def rate(self, label: str, enterprise: str, level: int) -> None:
        enterprise_id = self.enterprises[enterprise].id
        self.park.rate_matter(
            self.act("enterprise", enterprise_id), self.matters[label].id, level, None
        )

    def visit(self, guarantor: str, enterprise: str) -> None:
        guarantor_id = self.guarantors[guarantor].id
        self.park.record_visit(
            self.act("guarantor", guarantor_id),
            guarantor_id,
            self.enterprises[enterprise].id,
            "visit",
            self.clock(),
            "走访了解生产经营情况",
            [],
        )

    def appoint(self, person: str, role: str, effective_from: date) -> None:
        self.park.appoint_member(
            self.act("admin"), self.guarantors[person].id, role, effective_from
        )

    def hold_dispatch(self, person: str) -> None:
        self.park.hold_dispatch(
            self.act("leader"),
            self.guarantors[person].id,
            "scheduled",
            self.clock(),
            [e.id for e in self.enterprises.values()],
            [],
            [],
        )

    def reassign(
        self, enterprise: str, role: str, holder: str, successor: str, effective_from: date
    ) -> None:
        current = self.park.load(Enterprise, self.enterprises[enterprise].id)
        assert [a.guarantor_id for a in current.open_assignments(role)] == [
            self.guarantors[holder].id
        ]
        self.park.reassign(
            self.act("admin"),
            self.enterprises[enterprise].id,
            role,
            self.guarantors[successor].id,
            effective_from,
            "工作调整",
        )

    # -- asking ------------------------------------------------------------------------------

    def assess(self, month: str, moment: datetime) -> dict[str, Score]:
        """The month's scores as HR would get them at `moment`, by guarantor name."""
        self.replay()
        self.clock.set(moment)
        position = self.svc.settle()
        scores = self.svc.assessor.scores(Period.parse(month), moment, position)
        return {s.guarantor.name: s for s in scores}


def month_of(text: str) -> str:
    """'March 2026' as yyyy-mm."""
    return datetime.strptime(text, "%B %Y").strftime("%Y-%m")


def shown(value: Fraction | None) -> str:
    """A component as a person reads it: two decimals, or 'left out'."""
    return decimal(value, 2) or "left out"


@pytest.fixture
def svc(tmp_path: Path, clock: Clock) -> Iterator[Services]:
    settings = Settings(
        database=parse_database_url(f"sqlite:///{tmp_path}/park.db"),
        signing_key_path=str(tmp_path / "key"),
        sms_sender=f"file:{tmp_path}/sms.log",
    )
    services = Services(settings, clock=clock)
    yield services
    services.stop()
    services.park.close()
    services.views.close()


@pytest.fixture
def park(svc: Services) -> Park:
    """The park of the running service (the shared steps use it)."""
    return svc.park


@pytest.fixture
def history(svc: Services, clock: Clock) -> History:
    return History(svc, clock)


# -- Given ---------------------------------------------------------------------------------


@given("these key enterprises:")
def these_enterprises(history: History, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    assert header == ["name"]
    for (name,) in rows:
        history.list_enterprise(name)


@given("these guarantors:")
def these_guarantors(history: History, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    assert header == ["name", "kind"]
    for name, kind in rows:
        history.register_guarantor(name, kind)


@given(parsers.parse("the {name} ({chinese}) is an undertaking unit"))
def undertaking_unit(history: History, name: str, chinese: str) -> None:
    history.register_unit(name, chinese)


@given(parsers.parse("{guarantor} guarantees {enterprise} as {role} from {day}"))
def guarantees(history: History, guarantor: str, enterprise: str, role: str, day: str) -> None:
    history.assign(guarantor, enterprise, ROLES[role], date.fromisoformat(day))


@given(parsers.parse("{person} has been a deputy group leader since {day}"))
def deputy(history: History, person: str, day: str) -> None:
    history.appoint(person, "deputy_group_leader", date.fromisoformat(day))


@given("these taxable sales in yuan:")
def these_sales(history: History, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    assert header[0] == "enterprise"
    for name, *amounts in rows:
        for month, yuan in zip(header[1:], amounts, strict=True):
            if yuan.strip():  # a blank cell: the month was never reported
                history.report_sales(name, month, yuan)


@given(parsers.parse("these requests went to the {unit}:"))
def these_requests(history: History, unit: str, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    assert header == ["request", "enterprise", "raised", "assigned", "resolved"]
    for label, enterprise, raised, assigned, resolved in rows:
        history.at(shanghai_time(raised), lambda r=label, e=enterprise: history.raise_request(r, e))
        if assigned.strip():
            history.at(shanghai_time(assigned), lambda r=label: history.assign_request(r, unit))
        if resolved.strip():
            history.at(shanghai_time(resolved), lambda r=label: history.resolve(r, unit))


@given(parsers.parse('{enterprise} rated "{request}" {level:d} at {at}'))
def rated(history: History, enterprise: str, request: str, level: int, at: str) -> None:
    history.at(shanghai_time(at), lambda: history.rate(request, enterprise, level))


@given(parsers.parse('the {unit} resolved "{request}" again at {at}'))
def resolved_again(history: History, unit: str, request: str, at: str) -> None:
    history.at(shanghai_time(at), lambda: history.resolve(request, unit))


@given(parsers.parse("{guarantor} visited {enterprise} at {at}"))
def visited(history: History, guarantor: str, enterprise: str, at: str) -> None:
    history.at(shanghai_time(at), lambda: history.visit(guarantor, enterprise))


@given(parsers.parse("{person} held a dispatch at {at}"))
def held_dispatch(history: History, person: str, at: str) -> None:
    history.at(shanghai_time(at), lambda: history.hold_dispatch(person))


@given(
    parsers.re(
        rf"on (?P<at>{MOMENT}) (?P<enterprise>.+) passed from (?P<old>\S+) to (?P<new>\S+) "
        r"as (?P<role>.+) from (?P<day>\d{4}-\d{2}-\d{2})"
    )
)
def passed_on(
    history: History, at: str, enterprise: str, old: str, new: str, role: str, day: str
) -> None:
    history.at(
        shanghai_time(at),
        lambda: history.reassign(enterprise, ROLES[role], old, new, date.fromisoformat(day)),
    )


# -- When ----------------------------------------------------------------------------------


@when(parsers.parse("HR asks for the {month} assessment on {at}"), target_fixture="assessment")
def hr_asks(history: History, month: str, at: str) -> dict[str, Score]:
    return history.assess(month_of(month), shanghai_time(at))


# -- Then ----------------------------------------------------------------------------------


@then(parsers.parse("{name} scores {score} and is graded {grade}"))
def scores(assessment: dict[str, Score], name: str, score: str, grade: str) -> None:
    s = assessment[name]
    assert (str(s.score), s.grade) == (score, grade), s.explanation


@then(parsers.parse("the components of the score of {name} are:"))
def components(assessment: dict[str, Score], name: str, datatable: list[list[str]]) -> None:
    header, values = datatable
    assert tuple(header) == COMPONENTS
    s = assessment[name]
    assert {k: shown(s.values[k]) for k in COMPONENTS} == dict(zip(header, values, strict=True))


@then(parsers.parse("the sales of the portfolio of {name} grew {percent}% year to date"))
def portfolio_growth(assessment: dict[str, Score], name: str, percent: str) -> None:
    sales = assessment[name].explanation["components"]["sales"]
    growth = Decimal(sales["weighted_ytd_fen"]) / Decimal(sales["weighted_base_fen"]) - 1
    assert (growth * 100).quantize(Decimal("0.01")) == Decimal(percent)


@then(parsers.parse("{on_time:d} of the {due:d} deadline steps counted for {name} were on time"))
def steps_on_time(assessment: dict[str, Score], on_time: int, due: int, name: str) -> None:
    timeliness = assessment[name].explanation["components"]["timeliness"]
    assert (timeliness["on_time"], timeliness["due"]) == (on_time, due), timeliness["steps"]


@then(parsers.parse("{good:d} of the {total:d} ratings counted for {name} were 3 or more"))
def good_ratings(assessment: dict[str, Score], good: int, total: int, name: str) -> None:
    satisfaction = assessment[name].explanation["components"]["satisfaction"]
    assert (satisfaction["good"], satisfaction["total"]) == (good, total)


@then(parsers.parse("nothing was deducted from {name}"))
def nothing_deducted(assessment: dict[str, Score], name: str) -> None:
    assert assessment[name].explanation["deductions"] == []


@then(
    parsers.parse(
        '{points:d} points are deducted from {name} because the {step} step of "{request}" '
        "was still not done on {at}"
    )
)
def deducted_for_step(
    assessment: dict[str, Score],
    history: History,
    points: int,
    name: str,
    step: str,
    request: str,
    at: str,
) -> None:
    (deduction,) = assessment[name].explanation["deductions"]
    assert deduction["kind"] == "overdue_step"
    assert deduction["matter_id"] == str(history.matters[request].id)
    assert deduction["step"] == step
    assert datetime.fromisoformat(deduction["counted_at"]) == shanghai_time(at)
    assert Decimal(deduction["points"]) == points == assessment[name].deduction_points


@then(
    parsers.parse(
        "{points:d} points are deducted from {name} because no dispatch was held "
        "from {first} to {last}"
    )
)
def deducted_for_dispatch(
    assessment: dict[str, Score], points: int, name: str, first: str, last: str
) -> None:
    (deduction,) = assessment[name].explanation["deductions"]
    assert deduction["kind"] == "missed_dispatch"
    assert deduction["slot"] == f"{first}/{last}"
    assert Decimal(deduction["points"]) == points == assessment[name].deduction_points


@then(parsers.parse("the {kind} rank:"))
def ranking(assessment: dict[str, Score], kind: str, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    assert header == ["rank", "name", "score", "grade"]
    wanted = "person" if kind == "people" else "department"
    ranked = sorted(
        (s for s in assessment.values() if s.guarantor.kind == wanted),
        key=lambda s: (s.rank or 0, s.guarantor.name),
    )
    seen = [[str(s.rank), s.guarantor.name, str(s.score), s.grade] for s in ranked]
    assert seen == sorted(rows, key=lambda r: (int(r[0]), r[1]))


@then(parsers.parse("{name} is counted for {days:d} of the {total:d} days of {enterprise}"))
def covered_days(
    assessment: dict[str, Score],
    history: History,
    name: str,
    days: int,
    total: int,
    enterprise: str,
) -> None:
    enterprise_id = str(history.enterprises[enterprise].id)
    (covered,) = [
        e
        for e in assessment[name].explanation["enterprises"]
        if e["enterprise_id"] == enterprise_id
    ]
    assert (covered["covered_days"], covered["period_days"]) == (days, total)
    assert covered["weight"] == exact(Fraction(days, total))


@then(parsers.parse('{enterprise} is left out of the sales of {name} because "{reason}"'))
def left_out_of_sales(
    assessment: dict[str, Score], history: History, enterprise: str, name: str, reason: str
) -> None:
    sales = assessment[name].explanation["components"]["sales"]
    enterprise_id = str(history.enterprises[enterprise].id)
    assert sales["excluded"] == [{"enterprise_id": enterprise_id, "reason": reason}]
    assert enterprise_id not in {e["enterprise_id"] for e in sales["enterprises"]}
