"""Steps for features/dispatch_cadence.feature."""

from __future__ import annotations

from uuid import UUID

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from domain.cadence import Convened, MemberCompliance, Tenure, compliance
from domain.enterprise import Enterprise
from domain.leading_group import DirectiveOrder, Dispatch, NotGroupMemberError
from domain.matter import Matter
from domain.park import Park
from domain.registry import Guarantor, Unit
from tests.bdd.conftest import Outcome, attempt, calendar_day, shanghai_time
from tests.conftest import Acts, Clock

scenarios("dispatch_cadence.feature")

People = dict[str, Guarantor]
Review = dict[str, list[MemberCompliance]]

ROLES = {"group leader": "group_leader", "deputy group leader": "deputy_group_leader"}
OUTCOMES = {
    "held a dispatch": "held",
    "has a missed dispatch": "missed",
    "is still due to hold one": "open",
    "was not required to hold one": "not_required",
}


@pytest.fixture
def dispatches() -> list[Dispatch]:
    """The dispatches held in the scenario, in order."""
    return []


def hold(
    park: Park,
    acts: Acts,
    clock: Clock,
    convener: Guarantor,
    at: str,
    enterprise_ids: list[UUID],
    directives: list[DirectiveOrder],
) -> Dispatch:
    """A leader records the meeting as it ends."""
    held_at = shanghai_time(at)
    clock.set(held_at)
    return park.hold_dispatch(
        acts.leader(), convener.id, "scheduled", held_at, enterprise_ids, [], directives
    )


# -- Given ---------------------------------------------------------------------------------


@given(parsers.parse("these people are guarantors: {names}"), target_fixture="people")
def these_people(park: Park, acts: Acts, names: str) -> People:
    return {
        name: park.register_guarantor(acts.admin(), "person", name, None, None)
        for name in names.split(", ")
    }


@given(parsers.re(r"(?P<who>.+) has been (?P<role>(?:deputy )?group leader) since (?P<day>\S+)"))
def has_been(park: Park, acts: Acts, people: People, who: str, role: str, day: str) -> None:
    park.appoint_member(acts.admin(), people[who].id, ROLES[role], calendar_day(day))


@given(parsers.parse("{who} held a dispatch on {name} at {at}"))
def held_one(
    park: Park,
    acts: Acts,
    clock: Clock,
    people: People,
    enterprise: Enterprise,
    dispatches: list[Dispatch],
    who: str,
    name: str,
    at: str,
) -> None:
    assert enterprise.name == name
    dispatches.append(hold(park, acts, clock, people[who], at, [enterprise.id], []))


@given(parsers.parse("the {name} is an undertaking unit"), target_fixture="bureau")
def undertaking_unit(park: Park, acts: Acts, name: str) -> Unit:
    return park.register_unit(acts.admin(), name)


# -- When ----------------------------------------------------------------------------------


@when(parsers.parse("the dispatches of {period} are reviewed at {at}"), target_fixture="review")
def reviewed(
    park: Park, clock: Clock, people: People, dispatches: list[Dispatch], period: str, at: str
) -> Review:
    clock.set(shanghai_time(at))
    held = [Convened.of(d) for d in dispatches]
    return {
        name: compliance([Tenure.of(m) for m in park.tenures_of(person.id)], held, period, clock())
        for name, person in people.items()
    }


@when(parsers.parse("{who} holds a dispatch on {name} at {at}"), target_fixture="outcome")
def tries_to_hold(
    park: Park,
    acts: Acts,
    clock: Clock,
    people: People,
    enterprise: Enterprise,
    who: str,
    name: str,
    at: str,
) -> Outcome:
    assert enterprise.name == name
    return attempt(lambda: hold(park, acts, clock, people[who], at, [enterprise.id], []))


@when(
    parsers.re(
        r"(?P<who>.+) holds a dispatch at (?P<at>\w{3} \S+ \S+) directing the (?P<unit_name>.+?) "
        r"to (?P<task>.+) of (?P<name>.+)"
    ),
    target_fixture="dispatch",
)
def directs(
    park: Park,
    acts: Acts,
    clock: Clock,
    people: People,
    enterprise: Enterprise,
    bureau: Unit,
    who: str,
    at: str,
    unit_name: str,
    task: str,
    name: str,
) -> Dispatch:
    assert (enterprise.name, bureau.name) == (name, unit_name)
    order = DirectiveOrder(enterprise.id, task, bureau.id)
    return hold(park, acts, clock, people[who], at, [], [order])


# -- Then ----------------------------------------------------------------------------------


@then(
    parsers.re(
        r"for (?P<start>\S+) to (?P<end>\S+) (?P<who>.+?) "
        r"(?P<outcome>held a dispatch|has a missed dispatch|is still due to hold one"
        r"|was not required to hold one)"
    )
)
def slot_outcome(review: Review, who: str, start: str, end: str, outcome: str) -> None:
    (member,) = review[who]
    (slot,) = [
        s
        for s in member.slots
        if (s.slot.start, s.slot.end) == (calendar_day(start), calendar_day(end))
    ]
    assert slot.status == OUTCOMES[outcome]
    assert slot.required == (outcome != "was not required to hold one")


@then(parsers.parse("{who} missed no dispatch in {period}"))
def none_missed(review: Review, who: str, period: str) -> None:
    (member,) = review[who]
    assert member.missed == 0


@then(parsers.parse("it is refused because {who} was not a member of the leading group that day"))
def refused_not_member(outcome: Outcome, who: str) -> None:
    assert isinstance(outcome, NotGroupMemberError)


@then(
    parsers.parse("{name} has a request from the dispatch, assigned to the {unit_name}"),
    target_fixture="matter",
)
def request_from_dispatch(
    park: Park, dispatch: Dispatch, enterprise: Enterprise, bureau: Unit, name: str, unit_name: str
) -> Matter:
    (directive,) = park.load(Dispatch, dispatch.id).directives
    matter = park.load(Matter, directive.matter_id)
    assert (enterprise.name, bureau.name) == (name, unit_name)
    assert matter.enterprise_id == enterprise.id
    assert (matter.channel, matter.status, matter.unit_id) == (
        "dispatch",
        "assigned",
        str(bureau.id),
    )
    return matter


@then(parsers.parse("the {unit_name} must resolve it by {deadline}"))
def resolve_by(matter: Matter, bureau: Unit, unit_name: str, deadline: str) -> None:
    assert bureau.name == unit_name
    handle = matter.deadlines[-1]
    assert (handle.step, handle.unit_id) == ("handle", str(bureau.id))
    assert handle.due_at == shanghai_time(deadline)
