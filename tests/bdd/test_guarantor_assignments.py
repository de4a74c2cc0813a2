"""Steps for features/guarantor_assignments.feature."""

from __future__ import annotations

from uuid import UUID

from pytest_bdd import given, parsers, scenarios, then, when

from domain.enterprise import Enterprise
from domain.errors import LeadLeaderInEffectError
from domain.park import Park
from domain.registry import Guarantor
from tests.bdd.conftest import Outcome, attempt, calendar_day
from tests.conftest import Acts

scenarios("guarantor_assignments.feature")

Guarantors = dict[str, Guarantor]

ROLES = {"lead leader": "lead_leader", "guarantor department": "department", "liaison": "liaison"}
ROLE_NAMES = {code: words for words, code in ROLES.items()}


def answer(park: Park, enterprise: Enterprise, guarantors: Guarantors, day: str) -> str:
    """Who guaranteed the enterprise on that day, as a person would say it."""
    names = {g.id: name for name, g in guarantors.items()}
    held = park.load(Enterprise, enterprise.id).guarantors_on(calendar_day(day))
    return ", ".join(f"{names[a.guarantor_id]} as {ROLE_NAMES[a.role]}" for a in held) or "nobody"


def assignment_of(enterprise: Enterprise, guarantor: Guarantor, role: str) -> UUID:
    (held,) = [
        a
        for a in enterprise.assignments.values()
        if a.guarantor_id == guarantor.id and a.role == role and a.effective_to is None
    ]
    return held.id


# -- Given ---------------------------------------------------------------------------------


@given("these guarantors:", target_fixture="guarantors")
def these_guarantors(park: Park, acts: Acts, datatable: list[list[str]]) -> Guarantors:
    header, *rows = datatable
    assert header == ["name", "kind"]
    return {
        name: park.register_guarantor(acts.admin(), kind, name, None, None) for name, kind in rows
    }


@given(parsers.parse("{who} has been {role} of {name} since {day}"), target_fixture="enterprise")
def has_been(
    park: Park,
    acts: Acts,
    enterprise: Enterprise,
    guarantors: Guarantors,
    who: str,
    role: str,
    name: str,
    day: str,
) -> Enterprise:
    assert enterprise.name == name
    updated, _ = park.assign_guarantor(
        acts.admin(), enterprise.id, guarantors[who].id, ROLES[role], calendar_day(day)
    )
    return updated


@given(parsers.parse("{who}'s last day as {role} of {name} was {day}"), target_fixture="enterprise")
def released(
    park: Park,
    acts: Acts,
    enterprise: Enterprise,
    guarantors: Guarantors,
    who: str,
    role: str,
    name: str,
    day: str,
) -> Enterprise:
    assert enterprise.name == name
    assignment = assignment_of(enterprise, guarantors[who], ROLES[role])
    updated, _ = park.release_assignment(
        acts.admin(), enterprise.id, assignment, calendar_day(day), "调任县里工作"
    )
    return updated


@given(
    parsers.parse("the {role} of {name} was reassigned to {who} from {day}"),
    target_fixture="enterprise",
)
@when(
    parsers.parse("the {role} of {name} is reassigned to {who} from {day}"),
    target_fixture="enterprise",
)
def reassigned(
    park: Park,
    acts: Acts,
    enterprise: Enterprise,
    guarantors: Guarantors,
    role: str,
    name: str,
    who: str,
    day: str,
) -> Enterprise:
    assert enterprise.name == name
    updated, _ = park.reassign(
        acts.admin(), enterprise.id, ROLES[role], guarantors[who].id, calendar_day(day), "调任"
    )
    return updated


# -- When ----------------------------------------------------------------------------------


@when(parsers.parse("{who} is made {role} of {name} from {day}"), target_fixture="outcome")
def made(
    park: Park,
    acts: Acts,
    enterprise: Enterprise,
    guarantors: Guarantors,
    who: str,
    role: str,
    name: str,
    day: str,
) -> Outcome:
    assert enterprise.name == name
    return attempt(
        lambda: park.assign_guarantor(
            acts.admin(), enterprise.id, guarantors[who].id, ROLES[role], calendar_day(day)
        )
    )


@when(parsers.parse("someone asks who guaranteed {name} on {day}"), target_fixture="the_answer")
def asks_who(
    park: Park, enterprise: Enterprise, guarantors: Guarantors, name: str, day: str
) -> str:
    assert enterprise.name == name
    return answer(park, enterprise, guarantors, day)


# -- Then ----------------------------------------------------------------------------------


@then(parsers.parse("it is refused because {who} is still lead leader"))
def refused_for_lead_leader(outcome: Outcome, guarantors: Guarantors, who: str) -> None:
    assert isinstance(outcome, LeadLeaderInEffectError)
    assert str(guarantors[who].id) in str(outcome)


@then(parsers.parse("on {day} {name} was guaranteed by {expected}"))
def guaranteed_on(
    park: Park,
    enterprise: Enterprise,
    guarantors: Guarantors,
    day: str,
    name: str,
    expected: str,
) -> None:
    assert enterprise.name == name
    assert answer(park, enterprise, guarantors, day) == expected


@then(parsers.parse("the answer is {expected}"))
def the_answer_is(the_answer: str, expected: str) -> None:
    assert the_answer == expected
