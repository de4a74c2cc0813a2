"""Steps for features/service_visits.feature."""

from __future__ import annotations

from dataclasses import dataclass, field

from pytest_bdd import given, parsers, scenarios, then, when

from domain.enterprise import Enterprise
from domain.matter import Matter
from domain.matter_cases import NotGuarantorError
from domain.park import Park
from domain.registry import Guarantor
from domain.visit import Visit, VisitProblem
from tests.bdd.conftest import Outcome, attempt, calendar_day, shanghai_time
from tests.conftest import Acts

scenarios("service_visits.feature")

Guarantors = dict[str, Guarantor]


@dataclass
class VisitAttempt:
    """What recording a visit came to, and how the log moved."""

    outcome: Outcome
    head_before: int
    head_after: int
    recorded: list[tuple[Visit, list[Matter]]] = field(default_factory=list)

    def visit(self) -> tuple[Visit, list[Matter]]:
        assert self.outcome is None, self.outcome
        (result,) = self.recorded
        return result


@given(parsers.parse("{who} is lead leader of {name} from {day}"), target_fixture="guarantors")
def lead_leader_from(
    park: Park, acts: Acts, enterprise: Enterprise, who: str, name: str, day: str
) -> Guarantors:
    assert enterprise.name == name
    guarantor = park.register_guarantor(acts.admin(), "person", who, None, None)
    park.assign_guarantor(
        acts.admin(), enterprise.id, guarantor.id, "lead_leader", calendar_day(day)
    )
    return {who: guarantor}


@when(
    parsers.re(
        r"(?P<who>.+) records a visit to (?P<name>.+) on (?P<at>\w{3} [\d-]{10} \d\d:\d\d)"
        r'(?:, finding "(?P<summary>[^"]+)" \((?P<category>[^)]+)\))?$'
    ),
    target_fixture="visit_attempt",
)
def records_visit(
    park: Park,
    acts: Acts,
    enterprise: Enterprise,
    guarantors: Guarantors,
    who: str,
    name: str,
    at: str,
    summary: str | None,
    category: str | None,
) -> VisitAttempt:
    assert enterprise.name == name
    guarantor = guarantors[who]
    problems = [VisitProblem(summary, category or "")] if summary else []
    act = acts.by(f"p-{who}", "guarantor", guarantor.id)
    before = park.log_head()
    recorded: list[tuple[Visit, list[Matter]]] = []
    outcome = attempt(
        lambda: recorded.append(
            park.record_visit(
                act, guarantor.id, enterprise.id, "visit", shanghai_time(at), "", problems
            )
        )
    )
    return VisitAttempt(outcome, before, park.log_head(), recorded)


@then(parsers.parse("it is refused because {who} did not guarantee {name} that day"))
def refused_not_guarantor(visit_attempt: VisitAttempt, who: str, name: str) -> None:
    assert isinstance(visit_attempt.outcome, NotGuarantorError)
    assert who in str(visit_attempt.outcome)
    assert name in str(visit_attempt.outcome)


@then("no visit is recorded")
def nothing_recorded(visit_attempt: VisitAttempt) -> None:
    assert visit_attempt.head_after == visit_attempt.head_before


@then(parsers.parse("the visit is recorded for {at}"))
def visit_recorded(park: Park, visit_attempt: VisitAttempt, at: str) -> None:
    visit, _ = visit_attempt.visit()
    assert park.load(Visit, visit.id).visited_at == shanghai_time(at)


@then(
    parsers.parse('a matter "{summary}" of {name} is received from the visit'),
    target_fixture="matter",
)
def matter_from_visit(
    park: Park, enterprise: Enterprise, visit_attempt: VisitAttempt, summary: str, name: str
) -> Matter:
    visit, _ = visit_attempt.visit()
    (matter_id,) = park.load(Visit, visit.id).matter_ids
    matter = park.load(Matter, matter_id)
    assert enterprise.name == name
    assert (matter.enterprise_id, matter.summary) == (enterprise.id, summary)
    assert (matter.channel, matter.status) == ("visit", "received")
    return matter


@then(parsers.parse("it must be assigned by {at}"))
def assign_by(matter: Matter, at: str) -> None:
    assert matter.deadlines[0].step == "assign"
    assert matter.deadlines[0].due_at == shanghai_time(at)
