"""Steps for features/matter_lifecycle.feature."""

from __future__ import annotations

from pytest_bdd import given, parsers, scenarios, then, when

from domain.enterprise import Enterprise
from domain.errors import BeyondCapError, DeadlinePassedError
from domain.matter import ExtensionRequest, Matter
from domain.park import Park
from domain.registry import Unit
from tests.bdd.conftest import Outcome, attempt, shanghai_time
from tests.conftest import Acts, Clock

scenarios("matter_lifecycle.feature")

Units = dict[str, Unit]


def current(park: Park, matter: Matter) -> Matter:
    """The request as the park shows it now."""
    return park.load(Matter, matter.id)


# -- Given ---------------------------------------------------------------------------------


@given(parsers.parse("the {first} and the {second} are undertaking units"), target_fixture="units")
def undertaking_units(park: Park, acts: Acts, first: str, second: str) -> Units:
    return {name: park.register_unit(acts.admin(), name) for name in (first, second)}


@given(parsers.parse("{name} raised a request at {at}"), target_fixture="matter")
def raised(
    park: Park, acts: Acts, clock: Clock, enterprise: Enterprise, name: str, at: str
) -> Matter:
    assert enterprise.name == name
    clock.set(shanghai_time(at))
    return park.receive_matter(acts.clerk(), enterprise.id, "用电增容", "要素保障", "window")


@given(parsers.parse("the window assigned it to the {unit_name} at {at}"), target_fixture="matter")
def assigned(
    park: Park, acts: Acts, clock: Clock, matter: Matter, units: Units, unit_name: str, at: str
) -> Matter:
    clock.set(shanghai_time(at))
    return park.assign_matter(acts.clerk(), matter.id, units[unit_name].id)


@given(
    parsers.parse("the {unit_name} asked at {at} for more time until {until}"),
    target_fixture="extension",
)
def asked(
    park: Park,
    acts: Acts,
    clock: Clock,
    matter: Matter,
    units: Units,
    unit_name: str,
    at: str,
    until: str,
) -> ExtensionRequest:
    clock.set(shanghai_time(at))
    holder = acts.unit(units[unit_name].id)
    _, request = park.request_extension(holder, matter.id, shanghai_time(until), "需现场踏勘")
    return request


@given(parsers.parse("the {unit_name} resolved it at {at}"), target_fixture="matter")
@when(parsers.parse("the {unit_name} resolves it at {at}"), target_fixture="matter")
def resolves(
    park: Park, acts: Acts, clock: Clock, matter: Matter, units: Units, unit_name: str, at: str
) -> Matter:
    clock.set(shanghai_time(at))
    return park.resolve_matter(acts.unit(units[unit_name].id), matter.id, "已协调办结")


# -- When ----------------------------------------------------------------------------------


@when(
    parsers.parse("the {unit_name} asks at {at} for more time until {until}"),
    target_fixture="outcome",
)
def asks(
    park: Park,
    acts: Acts,
    clock: Clock,
    matter: Matter,
    units: Units,
    unit_name: str,
    at: str,
    until: str,
) -> Outcome:
    clock.set(shanghai_time(at))
    holder = acts.unit(units[unit_name].id)
    return attempt(
        lambda: park.request_extension(holder, matter.id, shanghai_time(until), "需专家论证")
    )


@when(parsers.parse("the leader in charge approves the extension at {at}"))
def approves(
    park: Park, acts: Acts, clock: Clock, matter: Matter, extension: ExtensionRequest, at: str
) -> None:
    clock.set(shanghai_time(at))
    park.approve_extension(acts.leader(), matter.id, extension.id)


@when(parsers.parse("the leader in charge rejects the extension at {at}"))
def rejects(
    park: Park, acts: Acts, clock: Clock, matter: Matter, extension: ExtensionRequest, at: str
) -> None:
    clock.set(shanghai_time(at))
    park.reject_extension(acts.leader(), matter.id, extension.id, "请按期办结")


@when(parsers.parse("{name} rates the outcome {level:d} at {at}"))
def rates(
    park: Park,
    acts: Acts,
    clock: Clock,
    matter: Matter,
    enterprise: Enterprise,
    name: str,
    level: int,
    at: str,
) -> None:
    assert enterprise.name == name
    clock.set(shanghai_time(at))
    park.rate_matter(acts.enterprise(enterprise.id), matter.id, level, None)


@when(parsers.parse("the {unit_name} transfers it to the {to_name} at {at}"))
def transfers(
    park: Park,
    acts: Acts,
    clock: Clock,
    matter: Matter,
    units: Units,
    unit_name: str,
    to_name: str,
    at: str,
) -> None:
    clock.set(shanghai_time(at))
    holder = acts.unit(units[unit_name].id)
    park.transfer_matter(holder, matter.id, units[to_name].id, "属住建职责")


# -- Then ----------------------------------------------------------------------------------


@then(parsers.re(r"the request is (?P<status>resolved|closed)"))
def has_status(park: Park, matter: Matter, status: str) -> None:
    assert current(park, matter).status == status


@then(parsers.parse("it was assigned in time, by {by}"))
def assigned_in_time(park: Park, matter: Matter, by: str) -> None:
    assign = current(park, matter).deadlines[0]
    assert assign.due_at == shanghai_time(by)
    assert assign.met_at is not None
    assert assign.met_at <= assign.due_at


@then(parsers.parse("it was resolved in time, by {by}"))
def resolved_in_time(park: Park, matter: Matter, by: str) -> None:
    handle = current(park, matter).deadlines[-1]
    assert handle.due_at == shanghai_time(by)
    assert handle.met_at is not None
    assert handle.met_at <= handle.due_at


@then(parsers.parse("it was resolved late, after {by}"))
def resolved_late(park: Park, matter: Matter, by: str) -> None:
    handle = current(park, matter).deadlines[-1]
    assert handle.due_at == shanghai_time(by)
    assert handle.met_at is not None
    assert handle.met_at > handle.due_at


@then("the extension is refused because the deadline has passed")
def refused_as_late(outcome: Outcome) -> None:
    assert isinstance(outcome, DeadlinePassedError)


@then(parsers.parse("the extension is refused because it goes beyond the cap of {cap}"))
def refused_beyond_cap(outcome: Outcome, cap: str) -> None:
    assert isinstance(outcome, BeyondCapError)
    assert shanghai_time(cap).isoformat() in str(outcome)


@then(parsers.parse("the request is due by {by}"))
def due_by(park: Park, matter: Matter, by: str) -> None:
    assert current(park, matter).current_step().due_at == shanghai_time(by)


@then("the request counts as major and complex")
def major(park: Park, matter: Matter) -> None:
    assert current(park, matter).major


@then(parsers.parse("the request is back with the {unit_name} for rectification"))
def back_for_rectification(park: Park, matter: Matter, units: Units, unit_name: str) -> None:
    reopened = current(park, matter)
    step = reopened.current_step()
    assert reopened.status == "rectifying"
    assert (step.step, step.unit_id) == ("rectify", str(units[unit_name].id))


@then(parsers.parse("the request is with the {unit_name}"))
def held_by(park: Park, matter: Matter, units: Units, unit_name: str) -> None:
    assert current(park, matter).unit_id == str(units[unit_name].id)


@then(parsers.parse("it must still be resolved by {by} at the latest"))
def cap_unchanged(park: Park, matter: Matter, by: str) -> None:
    cap = current(park, matter).cap
    assert cap is not None
    assert cap.due_at == shanghai_time(by)
