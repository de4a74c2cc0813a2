"""Steps for features/reminders_and_misses.feature: the watcher, the outbox and the sender."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from api.sender import SenderLoop
from api.services import Services
from api.settings import Settings
from api.watcher import Watcher
from domain.enterprise import Enterprise
from domain.matter import Matter
from domain.messages import SUPERVISOR, unit_recipient
from domain.park import Park
from domain.registry import Unit
from domain.storage import parse_database_url
from domain.watch_cases import Noted
from projections.outbox import OutboxEntry, outbox_page
from tests.bdd.conftest import shanghai_time
from tests.conftest import Acts, Clock

scenarios("reminders_and_misses.feature")

Units = dict[str, Unit]


@dataclass(frozen=True)
class Look:
    """One look at the deadlines: what the log held before it and what it recorded."""

    head_before: int
    noted: list[Noted]


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


def outbox(svc: Services) -> list[OutboxEntry]:
    svc.settle()
    return outbox_page(svc.views, limit=500)[0]


def recipient(units: Units, who: str) -> str:
    return SUPERVISOR if who == "supervision office" else unit_recipient(str(units[who].id))


# -- Given ---------------------------------------------------------------------------------


@given(parsers.parse("the {name} ({chinese}) is an undertaking unit"), target_fixture="units")
def undertaking_unit(park: Park, acts: Acts, name: str, chinese: str) -> Units:
    return {name: park.register_unit(acts.admin(), chinese)}


@given(parsers.parse("{name} raised a request at {at}"), target_fixture="matter")
def raised(
    park: Park, acts: Acts, clock: Clock, enterprise: Enterprise, name: str, at: str
) -> Matter:
    assert enterprise.name == name
    clock.set(shanghai_time(at))
    return park.receive_matter(
        acts.clerk(), enterprise.id, "厂区道路积水，需协调排水改造", "基础设施", "window"
    )


@given(parsers.parse("the window assigned it to the {unit_name} at {at}"), target_fixture="matter")
def assigned(
    park: Park, acts: Acts, clock: Clock, matter: Matter, units: Units, unit_name: str, at: str
) -> Matter:
    clock.set(shanghai_time(at))
    return park.assign_matter(acts.clerk(), matter.id, units[unit_name].id)


@given(parsers.parse("the deadlines were looked at on {at}"), target_fixture="look")
@when(parsers.parse("the deadlines are looked at on {at}"), target_fixture="look")
def looked_at(svc: Services, clock: Clock, at: str) -> Look:
    moment = shanghai_time(at)
    clock.set(moment)
    head = svc.park.log_head()
    return Look(head, Watcher(svc).run_once(moment))


@given("the notifications were sent")
@when("the notifications are sent")
def sent(svc: Services) -> None:
    SenderLoop(svc).run_once()


# -- Then ----------------------------------------------------------------------------------


@then("nothing is recorded")
def nothing_recorded(svc: Services, look: Look) -> None:
    assert look.noted == []
    assert svc.park.log_head() == look.head_before


@then("no one is notified")
def no_one_notified(svc: Services) -> None:
    assert outbox(svc) == []


@then(parsers.parse("the handling deadline of {at} is recorded as {kind}"))
def recorded_as(look: Look, at: str, kind: str) -> None:
    (fact,) = look.noted
    assert (fact.kind, fact.step, fact.due_at) == (kind, "handle", shanghai_time(at))


@then(parsers.parse('the {who} is notified: "{text}"'))
def notified(svc: Services, units: Units, who: str, text: str) -> None:
    texts = [e.message.text for e in outbox(svc) if e.message.recipient == recipient(units, who)]
    assert any(text in t for t in texts), texts


@then(parsers.parse("the {who} is not notified"))
def not_notified(svc: Services, units: Units, who: str) -> None:
    assert all(e.message.recipient != recipient(units, who) for e in outbox(svc))


@then("every message was sent exactly once")
def sent_once(svc: Services, tmp_path: Path) -> None:
    entries = outbox(svc)
    assert {e.status for e in entries} == {"delivered"}
    lines = (tmp_path / "sms.log").read_text(encoding="utf-8").splitlines()
    sent_ids = [json.loads(line)["id"] for line in lines]
    assert sorted(sent_ids) == sorted(str(e.message.id) for e in entries)
