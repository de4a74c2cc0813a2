"""免申即享 through the Park, the view and the watcher, on SQLite and on PostgreSQL (SPEC §11)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from api.services import Services
from api.settings import Settings
from api.watcher import Watcher
from domain.base import Act
from domain.enterprise import Enterprise
from domain.entitlement import (
    AlreadyApprovedError,
    Entitlement,
    NotAboveScaleError,
    OrganiserNotEligibleError,
    SubsidiesExceedCostError,
    SubsidyLedger,
)
from domain.errors import EnterpriseNotListedError, NotFoundError
from domain.messages import LEADER, SUPERVISOR
from domain.park import Park
from domain.storage import parse_database_url
from projections.entitlements import ledger_docs
from projections.outbox import outbox_page
from tests.conftest import Acts, Clock, sh

GRANTED_AT = sh(2026, 3, 2, 9)  # Monday
APPROVAL_DUE = sh(2026, 3, 5, 17, 30)  # 3 working days later


def reclassify(park: Park, act: Act, enterprise_id: UUID, above_scale: bool) -> None:
    park.reclassify_enterprise(act, enterprise_id, above_scale, "统计口径调整")


@pytest.fixture
def svc(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[Services]:
    settings = Settings(
        database=parse_database_url(database_url),
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
    return svc.park


def exhibit(
    park: Park,
    acts: Acts,
    enterprise: Enterprise,
    fee: str,
    held_on: date,
    level: str = "city",
    name: str = "亳州药博会",
) -> Entitlement:
    _, entitlement = park.record_exhibition(
        acts.clerk(), enterprise.id, name, level, Decimal(fee), held_on
    )
    return entitlement


def promote(
    park: Park, acts: Acts, enterprise: Enterprise, cost: str, province: str, city: str
) -> Entitlement:
    _, entitlement = park.record_promotion(
        acts.clerk(),
        enterprise.id,
        "精品安徽·央视集中宣传",
        Decimal(cost),
        Decimal(province),
        Decimal(city),
        date(2026, 2, 20),
    )
    return entitlement


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def view(svc: Services, enterprise: Enterprise, year: int) -> list[dict[str, Any]]:
    svc.settle()
    rows = svc.views.read(
        "SELECT doc FROM v_entitlements WHERE enterprise_id=? AND year=? ORDER BY seq",
        [str(enterprise.id), year],
    )
    return [json.loads(doc) for (doc,) in rows]


def test_an_exhibition_grants_half_the_fee_with_the_arithmetic_shown(
    svc: Services, park: Park, acts: Acts, enterprise: Enterprise
) -> None:
    entitlement = exhibit(park, acts, enterprise, "700000.00", date(2026, 2, 1))
    assert (yuan(entitlement.amount_fen), entitlement.capped) == ("300000.00", True)
    assert entitlement.approval.due_at == APPROVAL_DUE
    (doc,) = view(svc, enterprise, 2026)
    arithmetic = doc["arithmetic"]
    assert {k: arithmetic[k] for k in ("fee_paid", "rate", "uncapped", "amount")} == {
        "fee_paid": "700000.00",
        "rate": "0.5",
        "uncapped": "350000.00",
        "amount": "300000.00",
    }
    assert arithmetic["exhibition_cap_left"] == "300000.00"
    assert arithmetic["branding_cap_left"] == "2000000.00"
    assert doc["approved_at"] is None


def test_exactly_at_the_exhibition_cap_and_one_fen_over(
    park: Park, acts: Acts, enterprise: Enterprise
) -> None:
    first = exhibit(park, acts, enterprise, "599999.98", date(2026, 1, 10))
    assert yuan(first.amount_fen) == "299999.99"
    second = exhibit(park, acts, enterprise, "0.02", date(2026, 1, 11))  # exactly at the cap
    assert (yuan(second.amount_fen), second.capped) == ("0.01", False)
    third = exhibit(park, acts, enterprise, "0.02", date(2026, 1, 12))  # one fen over
    assert (yuan(third.amount_fen), third.capped) == ("0.00", True)


def test_the_caps_are_per_calendar_year_of_the_exhibition(
    park: Park, acts: Acts, clock: Clock, enterprise: Enterprise
) -> None:
    clock.set(sh(2027, 1, 4, 9))
    dec31 = exhibit(park, acts, enterprise, "600000.00", date(2026, 12, 31))
    after = exhibit(park, acts, enterprise, "1000.00", date(2026, 12, 31))
    jan1 = exhibit(park, acts, enterprise, "600000.00", date(2027, 1, 1))
    assert [yuan(e.amount_fen) for e in (dec31, after, jan1)] == [
        "300000.00",
        "0.00",
        "300000.00",
    ]
    last_year, this_year = (
        park.subsidy_ledger(enterprise.id, 2026),
        park.subsidy_ledger(enterprise.id, 2027),
    )
    assert last_year is not None
    assert this_year is not None
    assert list(last_year.entitlements) == [str(dec31.id), str(after.id)]
    assert list(this_year.entitlements) == [str(jan1.id)]


def test_a_year_where_the_caps_bite(
    svc: Services, park: Park, acts: Acts, clock: Clock, enterprise: Enterprise
) -> None:
    clock.set(sh(2026, 7, 1, 9))
    amounts = [
        exhibit(park, acts, enterprise, "400000.00", date(2026, 1, 10), "province"),
        exhibit(park, acts, enterprise, "300000.00", date(2026, 3, 15), "city"),
        promote(park, acts, enterprise, "2500000.00", "500000.00", "200000.00"),
        exhibit(park, acts, enterprise, "100000.00", date(2026, 6, 1), "park"),
    ]
    assert [(yuan(e.amount_fen), e.capped) for e in amounts] == [
        ("200000.00", False),
        ("100000.00", True),  # the exhibition cap bites: 150,000 asked, 100,000 left
        ("1700000.00", True),  # the branding cap bites: 1,800,000 asked, 1,700,000 left
        ("0.00", True),  # both caps used up: granted at 0 so the enterprise sees why
    ]
    docs = view(svc, enterprise, 2026)
    assert [d["arithmetic"]["branding_cap_left"] for d in docs] == [
        "2000000.00",
        "1800000.00",
        "1700000.00",
        "0.00",
    ]
    assert docs[2]["arithmetic"]["remaining"] == "1800000.00"
    assert sum(e.amount_fen for e in amounts) == 2_000_000_00


def test_a_concurrent_grant_on_the_same_ledger_is_recomputed_under_the_caps(
    park: Park, acts: Acts, enterprise: Enterprise, open_park: Any, database_url: str
) -> None:
    other = open_park(database_url)
    exhibit(park, acts, enterprise, "400000.00", date(2026, 1, 10))  # 200,000 granted
    calls = 0

    def racing(ledger: SubsidyLedger, rules: Any) -> Entitlement:
        nonlocal calls
        calls += 1
        if calls == 1:  # another process grants between our read and our save
            other.record_exhibition(
                acts.clerk(),
                enterprise.id,
                "先进制造业大会",
                "province",
                Decimal(200000),
                date(2026, 2, 1),
            )
        return ledger.grant_exhibition(
            acts.clerk(), rules, "世界制造业大会", "province", 200_000_00, date(2026, 2, 2)
        )

    _, entitlement = park.grant(acts.clerk(), enterprise.id, 2026, racing)
    assert calls == 2
    assert yuan(entitlement.amount_fen) == "0.00"  # the other one took the last 100,000
    ledger = park.subsidy_ledger(enterprise.id, 2026)
    assert ledger is not None
    assert ledger.granted_fen() == 300_000_00


def test_an_enterprise_not_above_scale_is_refused_and_nothing_recorded(
    park: Park, acts: Acts, other_enterprise: Enterprise
) -> None:
    head = park.log_head()
    with pytest.raises(NotAboveScaleError) as refused:
        exhibit(park, acts, other_enterprise, "100000.00", date(2026, 2, 1))
    assert refused.value.code == "not_above_scale"
    assert park.log_head() == head


def test_another_organiser_is_refused_and_nothing_recorded(
    park: Park, acts: Acts, enterprise: Enterprise
) -> None:
    head = park.log_head()
    with pytest.raises(OrganiserNotEligibleError):
        exhibit(park, acts, enterprise, "100000.00", date(2026, 2, 1), "other")
    assert park.log_head() == head
    assert park.subsidy_ledger(enterprise.id, 2026) is None


def test_a_delisted_enterprise_is_refused(park: Park, acts: Acts, enterprise: Enterprise) -> None:
    park.delist_enterprise(acts.admin(), enterprise.id, "迁出园区")
    with pytest.raises(EnterpriseNotListedError):
        promote(park, acts, enterprise, "100.00", "0.00", "0.00")


def test_an_enterprise_that_stops_being_above_scale_keeps_what_it_was_granted(
    park: Park, acts: Acts, clock: Clock, enterprise: Enterprise
) -> None:
    earlier = exhibit(park, acts, enterprise, "100000.00", date(2026, 2, 1))
    clock.set(sh(2026, 3, 3, 9))
    reclassify(park, acts.admin(), enterprise.id, above_scale=False)
    with pytest.raises(NotAboveScaleError):
        exhibit(park, acts, enterprise, "100000.00", date(2026, 3, 2))
    ledger = park.subsidy_ledger(enterprise.id, 2026)
    assert ledger is not None
    assert list(ledger.entitlements) == [str(earlier.id)]
    _, approved = park.approve_entitlement(acts.leader(), earlier.id)  # it still stands
    assert yuan(approved.amount_fen) == "50000.00"
    # The 精品安徽 promotion asks no scale: it is still granted.
    assert yuan(promote(park, acts, enterprise, "100.00", "0.00", "0.00").amount_fen) == "100.00"


def test_promotion_subsidies_exceeding_the_cost_are_refused(
    park: Park, acts: Acts, enterprise: Enterprise
) -> None:
    head = park.log_head()
    with pytest.raises(SubsidiesExceedCostError) as refused:
        promote(park, acts, enterprise, "1000000.00", "600000.00", "400000.01")
    assert refused.value.status == 422
    assert park.log_head() == head


def test_a_leader_approves_within_3_working_days_through_the_entitlement_id(
    svc: Services, park: Park, acts: Acts, clock: Clock, enterprise: Enterprise
) -> None:
    entitlement = exhibit(park, acts, enterprise, "1000.01", date(2026, 2, 1))
    assert yuan(entitlement.amount_fen) == "500.00"  # half a fen is not paid
    clock.set(sh(2026, 3, 5, 17, 0))
    ledger, approved = park.approve_entitlement(acts.leader(), entitlement.id, 2)
    assert approved.approved_at == sh(2026, 3, 5, 17, 0) <= approved.approval.due_at
    assert ledger.version == 3
    with pytest.raises(AlreadyApprovedError):
        park.approve_entitlement(acts.leader(), entitlement.id)
    (doc,) = view(svc, enterprise, 2026)
    assert doc["approved_by"] == "p-leader"
    assert datetime.fromisoformat(doc["approval"]["met_at"]) == sh(2026, 3, 5, 17, 0)
    assert doc["version"] == 3


def test_approving_an_unknown_entitlement_is_not_found(park: Park, acts: Acts) -> None:
    with pytest.raises(NotFoundError):
        park.approve_entitlement(acts.leader(), UUID(int=7))


def test_the_watcher_reminds_and_reports_a_miss_once(
    svc: Services, park: Park, acts: Acts, clock: Clock, enterprise: Enterprise
) -> None:
    entitlement = exhibit(park, acts, enterprise, "240000.00", date(2026, 2, 1))
    watcher = Watcher(svc)
    clock.set(sh(2026, 3, 4, 17, 0))  # more than a working day remains
    assert watcher.run_once() == []
    clock.set(sh(2026, 3, 5, 9, 0))
    (reminded,) = watcher.run_once()
    assert (reminded.matter_id, reminded.kind, reminded.step) == (
        entitlement.id,
        "reminded",
        "approve",
    )
    assert watcher.run_once() == []
    clock.set(sh(2026, 3, 6, 9, 0))
    (missed,) = watcher.run_once()
    assert (missed.kind, missed.due_at) == ("missed", APPROVAL_DUE)
    assert watcher.run_once() == []
    clock.set(sh(2026, 3, 6, 10, 0))
    _, approved = park.approve_entitlement(acts.leader(), entitlement.id)
    assert approved.approved_at is not None
    assert approved.approved_at > approved.approval.due_at  # approved late
    assert approved.approval.missed_at == APPROVAL_DUE
    assert watcher.run_once() == []
    svc.settle()
    entries, _ = outbox_page(svc.views, limit=500)
    reminder, *misses = entries
    assert reminder.message.recipient == LEADER
    assert "120000.00元审批时限将于3月5日17:30届满" in reminder.message.text
    texts = {e.message.recipient: e.message.text for e in misses}
    assert texts.keys() == {LEADER, SUPERVISOR}
    assert "现已超期" in texts[LEADER]
    assert "超期督办" in texts[SUPERVISOR]


def test_the_watcher_as_of_a_past_time_records_what_was_due_then(
    svc: Services, park: Park, acts: Acts, clock: Clock, enterprise: Enterprise
) -> None:
    entitlement = exhibit(park, acts, enterprise, "240000.00", date(2026, 2, 1))
    clock.set(sh(2026, 3, 9, 9))
    park.approve_entitlement(acts.leader(), entitlement.id)
    noted = Watcher(svc).run_once(as_of=sh(2026, 3, 6, 9))
    assert [n.kind for n in noted] == ["missed"]


def test_rebuilding_the_view_gives_the_same_view(
    svc: Services, park: Park, acts: Acts, clock: Clock, enterprise: Enterprise
) -> None:
    first = exhibit(park, acts, enterprise, "240000.00", date(2026, 2, 1))
    promote(park, acts, enterprise, "100.00", "10.00", "10.00")
    clock.set(sh(2026, 3, 6, 9))
    Watcher(svc).run_once()
    park.approve_entitlement(acts.leader(), first.id)
    svc.settle()
    projection = svc.follower.projection("entitlements")
    with svc.views.transaction() as tx:
        before = projection.digest(tx)  # type: ignore[attr-defined]
    svc.follower.reset("entitlements")
    svc.follower.catch_up()
    with svc.views.transaction() as tx:
        assert projection.digest(tx) == before  # type: ignore[attr-defined]
    # The view's documents are the aggregate's.
    ledger = park.subsidy_ledger(enterprise.id, 2026)
    assert ledger is not None
    assert view(svc, enterprise, 2026) == list(ledger_docs(ledger).values())
