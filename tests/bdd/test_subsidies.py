"""Steps for features/subsidies.feature: grants, caps, approval and its reminders (SPEC §11)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from api.services import Services
from api.settings import Settings
from api.watcher import Watcher
from domain.enterprise import Enterprise
from domain.entitlement import (
    AlreadyApprovedError,
    Entitlement,
    NotAboveScaleError,
    OrganiserNotEligibleError,
    SubsidiesExceedCostError,
)
from domain.errors import DomainError
from domain.messages import LEADER, SUPERVISOR
from domain.money import fen_to_yuan
from domain.park import Park
from domain.storage import parse_database_url
from domain.watch_cases import Noted
from projections.outbox import outbox_page
from tests.app.test_entitlements import reclassify
from tests.bdd.conftest import calendar_day, shanghai_time
from tests.conftest import Acts, Clock

scenarios("subsidies.feature")

ORGANISERS = {
    "the province": "province",
    "the city": "city",
    "the park": "park",
    "a trade association": "other",
}
REFUSALS: dict[str, type[DomainError]] = {
    "the enterprise is not above scale (四上)": NotAboveScaleError,
    "the exhibition was not organised by the province, the city or the park": (
        OrganiserNotEligibleError
    ),
    "the subsidies exceed the cost": SubsidiesExceedCostError,
    "it is already approved": AlreadyApprovedError,
}
EXHIBITION = (
    'the window {tense} that {name} took part in "{exhibition}" organised by {organiser} '
    "on {day}, paying {fee} yuan"
)
CAMPAIGN = "精品安徽·央视宣传"
PROMOTION = (
    "the window {tense} that {name} ran the 精品安徽 CCTV promotion on {day} costing {cost} "
    "yuan, of which the province paid {province} yuan and the city {city} yuan"
)


@dataclass(frozen=True)
class Recorded:
    """What an act came to: the entitlement it granted or approved, or the refusal."""

    entitlement: Entitlement | None
    refusal: DomainError | None


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
def others() -> dict[str, Enterprise]:
    """Enterprises named in a scenario besides the background's."""
    return {}


def named(name: str, enterprise: Enterprise, others: dict[str, Enterprise]) -> Enterprise:
    return enterprise if enterprise.name == name else others[name]


def attempt(act: Callable[[], Entitlement]) -> Recorded:
    try:
        return Recorded(act(), None)
    except DomainError as refusal:
        return Recorded(None, refusal)


def exhibit(
    park: Park, acts: Acts, who: Enterprise, name: str, level: str, fee: str, day: str
) -> Callable[[], Entitlement]:
    """Recording a participation, to be done (or refused) when called."""
    return lambda: park.record_exhibition(
        acts.clerk(), who.id, name, level, Decimal(fee), calendar_day(day)
    )[1]


def promote(
    park: Park, acts: Acts, who: Enterprise, name: str, costs: tuple[str, str, str], day: str
) -> Callable[[], Entitlement]:
    """Recording a 精品安徽 promotion, to be done (or refused) when called."""
    cost, province, city = map(Decimal, costs)
    return lambda: park.record_promotion(
        acts.clerk(), who.id, name, cost, province, city, calendar_day(day)
    )[1]


def grants_of(park: Park, who: Enterprise, year: int) -> list[Entitlement]:
    ledger = park.subsidy_ledger(who.id, year)
    return [] if ledger is None else list(ledger.entitlements.values())


def capped_by(e: Entitlement) -> str:
    """Which cap set the amount; the exhibition cap applies first."""
    if not e.capped:
        return ""
    exhibition_left = e.exhibition_cap_left_fen
    if exhibition_left is not None and exhibition_left <= e.branding_cap_left_fen:
        return "exhibition cap"
    return "branding cap"


# -- Given ---------------------------------------------------------------------------------


@given(parsers.parse("{name} is a key enterprise that is not above scale (四上)"))
def not_above_scale(
    park: Park, acts: Acts, new_uscc: Callable[[], str], others: dict[str, Enterprise], name: str
) -> None:
    others[name] = park.list_enterprise(acts.admin(), new_uscc(), name, "商贸", "现代中药", False)


@given(parsers.parse("{name} is no longer above scale (四上)"))
def no_longer_above_scale(park: Park, acts: Acts, enterprise: Enterprise, name: str) -> None:
    assert enterprise.name == name
    reclassify(park, acts.admin(), enterprise.id, above_scale=False)


@given(parsers.parse(EXHIBITION.replace("{tense}", "recorded")))
def recorded_exhibition(
    park: Park,
    acts: Acts,
    enterprise: Enterprise,
    others: dict[str, Enterprise],
    name: str,
    exhibition: str,
    organiser: str,
    day: str,
    fee: str,
) -> None:
    who = named(name, enterprise, others)
    exhibit(park, acts, who, exhibition, ORGANISERS[organiser], fee, day)()


@given(parsers.parse(PROMOTION.replace("{tense}", "recorded")))
def recorded_promotion(
    park: Park,
    acts: Acts,
    enterprise: Enterprise,
    name: str,
    day: str,
    cost: str,
    province: str,
    city: str,
) -> None:
    assert enterprise.name == name
    promote(park, acts, enterprise, CAMPAIGN, (cost, province, city), day)()


@given(parsers.parse("these were recorded for {name}:"))
def these_were_recorded(
    park: Park, acts: Acts, enterprise: Enterprise, name: str, datatable: list[list[str]]
) -> None:
    assert enterprise.name == name
    header, *rows = datatable
    assert header == [
        "held on",
        "kind",
        "name",
        "organiser",
        "paid",
        "province paid",
        "city paid",
    ]
    for day, kind, what, organiser, paid, province, city in rows:
        if kind == "exhibition":
            exhibit(park, acts, enterprise, what, organiser, paid, day)()
        else:
            promote(park, acts, enterprise, what, (paid, province, city), day)()


@given(
    parsers.parse("{name} was granted an exhibition subsidy at {at}"),
    target_fixture="entitlement",
)
def granted_at(
    park: Park, acts: Acts, clock: Clock, enterprise: Enterprise, name: str, at: str
) -> Entitlement:
    assert enterprise.name == name
    clock.set(shanghai_time(at))
    return exhibit(park, acts, enterprise, "亳州药博会", "city", "100000.00", "2026-02-10")()


@given(parsers.parse("a leader approved it at {at}"))
def approved_at(park: Park, acts: Acts, clock: Clock, entitlement: Entitlement, at: str) -> None:
    clock.set(shanghai_time(at))
    park.approve_entitlement(acts.leader(), entitlement.id)


@given(parsers.parse("the approvals were looked at on {at}"))
def looked_at(svc: Services, clock: Clock, at: str) -> None:
    clock.set(shanghai_time(at))
    Watcher(svc).run_once()


# -- When ----------------------------------------------------------------------------------


@when(parsers.parse(EXHIBITION.replace("{tense}", "records")), target_fixture="outcome")
def records_exhibition(
    park: Park,
    acts: Acts,
    enterprise: Enterprise,
    others: dict[str, Enterprise],
    name: str,
    exhibition: str,
    organiser: str,
    day: str,
    fee: str,
) -> Recorded:
    who = named(name, enterprise, others)
    return attempt(exhibit(park, acts, who, exhibition, ORGANISERS[organiser], fee, day))


@when(parsers.parse(PROMOTION.replace("{tense}", "records")), target_fixture="outcome")
def records_promotion(
    park: Park,
    acts: Acts,
    enterprise: Enterprise,
    name: str,
    day: str,
    cost: str,
    province: str,
    city: str,
) -> Recorded:
    assert enterprise.name == name
    return attempt(promote(park, acts, enterprise, CAMPAIGN, (cost, province, city), day))


@when(parsers.parse("the grants of {name} for {year:d} are listed"), target_fixture="grants")
def grants_listed(park: Park, enterprise: Enterprise, name: str, year: int) -> list[Entitlement]:
    assert enterprise.name == name
    return grants_of(park, enterprise, year)


@when(parsers.parse("a leader approves it at {at}"), target_fixture="outcome")
def leader_approves(
    park: Park, acts: Acts, clock: Clock, entitlement: Entitlement, at: str
) -> Recorded:
    clock.set(shanghai_time(at))
    return attempt(lambda: park.approve_entitlement(acts.leader(), entitlement.id)[1])


@when(parsers.parse("the approvals are looked at on {at}"), target_fixture="noted")
def look(svc: Services, clock: Clock, at: str) -> list[Noted]:
    clock.set(shanghai_time(at))
    return Watcher(svc).run_once()


# -- Then ----------------------------------------------------------------------------------


def granted(outcome: Recorded) -> Entitlement:
    assert outcome.refusal is None, outcome.refusal
    assert outcome.entitlement is not None
    return outcome.entitlement


@then(parsers.parse("{name} is granted {amount} yuan without applying"))
def is_granted(
    park: Park, enterprise: Enterprise, outcome: Recorded, name: str, amount: str
) -> None:
    entitlement = granted(outcome)
    assert fen_to_yuan(entitlement.amount_fen) == amount
    assert enterprise.name == name
    assert str(entitlement.id) in park.ledger_of(entitlement.id).entitlements


@then("the grant is not capped")
def not_capped(outcome: Recorded) -> None:
    assert not granted(outcome).capped


@then(parsers.parse("the grant is capped, with {left} yuan left of the {cap} cap"))
def capped(outcome: Recorded, left: str, cap: str) -> None:
    entitlement = granted(outcome)
    assert entitlement.capped
    assert capped_by(entitlement) == f"{cap} cap"
    fen = (
        entitlement.exhibition_cap_left_fen
        if cap == "exhibition"
        else entitlement.branding_cap_left_fen
    )
    assert fen is not None
    assert fen_to_yuan(fen) == left


@then(parsers.parse("the grant is to be approved by {at}"))
def to_be_approved_by(outcome: Recorded, at: str) -> None:
    assert granted(outcome).approval.due_at == shanghai_time(at)


@then(parsers.parse("it is refused because {reason}"))
def refused(outcome: Recorded, reason: str) -> None:
    assert isinstance(outcome.refusal, REFUSALS[reason]), outcome.refusal


@then(parsers.parse("nothing is granted to {name} for {year:d}"))
def nothing_granted(
    park: Park, enterprise: Enterprise, others: dict[str, Enterprise], name: str, year: int
) -> None:
    assert grants_of(park, named(name, enterprise, others), year) == []


@then(parsers.parse("{name} was granted {total} yuan in {year:d} in all"))
def granted_in_all(park: Park, enterprise: Enterprise, name: str, total: str, year: int) -> None:
    assert enterprise.name == name
    assert fen_to_yuan(sum(e.amount_fen for e in grants_of(park, enterprise, year))) == total


@then("they read:")
def they_read(grants: list[Entitlement], datatable: list[list[str]]) -> None:
    header, *rows = datatable
    assert header == ["name", "share", "granted", "capped by"]
    seen = [
        [e.subject, fen_to_yuan(e.uncapped_fen), fen_to_yuan(e.amount_fen), capped_by(e)]
        for e in grants
    ]
    assert seen == [[cell.strip() for cell in row] for row in rows]


@then("it is approved on time")
def on_time(outcome: Recorded) -> None:
    entitlement = granted(outcome)
    assert entitlement.approved_at is not None
    assert entitlement.approved_at <= entitlement.approval.due_at


@then(parsers.parse("it is approved late, after its deadline of {at}"))
def late(outcome: Recorded, at: str) -> None:
    entitlement = granted(outcome)
    assert entitlement.approval.due_at == shanghai_time(at)
    assert entitlement.approved_at is not None
    assert entitlement.approved_at > entitlement.approval.due_at


@then(parsers.parse("the approval {tense} recorded as {kind}"))
def recorded_as(park: Park, entitlement: Entitlement, tense: str, kind: str) -> None:
    assert tense in {"is", "was"}
    approval = park.ledger_of(entitlement.id).entitlement(entitlement.id).approval
    assert (approval.reminded_at if kind == "reminded" else approval.missed_at) is not None


@then("nothing new is recorded")
def nothing_new(noted: list[Noted]) -> None:
    assert noted == []


def texts_to(svc: Services, recipient: str) -> list[str]:
    svc.settle()
    entries, _ = outbox_page(svc.views, recipient=recipient, limit=500)
    return [e.message.text for e in entries]


@then(parsers.parse('the leaders are notified: "{text}"'))
def leaders_notified(svc: Services, text: str) -> None:
    assert any(text in t for t in texts_to(svc, LEADER)), texts_to(svc, LEADER)


@then(parsers.parse('the supervision office is notified: "{text}"'))
def supervision_notified(svc: Services, text: str) -> None:
    (sent,) = texts_to(svc, SUPERVISOR)
    assert text in sent


@then("the supervision office is not notified")
def supervision_not_notified(svc: Services) -> None:
    assert texts_to(svc, SUPERVISOR) == []
