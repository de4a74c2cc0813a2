"""The demo history: deterministic for a seed, believable, and written in business-time order."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from api.demo import DemoSummary, write_demo
from domain.cadence import MISSED, Convened, Tenure, compliance
from domain.calendar import SHANGHAI
from domain.enterprise import Enterprise
from domain.leading_group import Dispatch, GroupMember
from domain.matter import Matter
from domain.park import Park
from domain.sales import SalesLedger
from domain.storage import Database, parse_database_url
from domain.uscc import validate_uscc
from domain.visit import Visit

UNTIL = datetime(2026, 3, 1, tzinfo=SHANGHAI)


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def _plain(event: Any) -> dict[str, Any]:
    """An event's content without the (random) aggregate ids."""
    out: dict[str, Any] = {}
    for key, value in vars(event).items():
        if key == "originator_id" or isinstance(value, UUID):
            continue
        if isinstance(value, str) and _is_uuid(value):
            continue
        if isinstance(value, str | int | bool | datetime | date) or value is None:
            out[key] = value
    return out


def _events(database: Database) -> list[Any]:
    park = Park(database)
    notifications = park.recorder.select_notifications(start=1, limit=1_000_000)
    return [park.mapper.to_domain_event(n) for n in notifications]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Database, DemoSummary]]:
    runs = []
    for name in ("a", "b"):
        folder: Path = tmp_path_factory.mktemp(name)
        database = parse_database_url(f"sqlite:///{folder}/d.db")
        runs.append((database, write_demo(database, seed=11, until=UNTIL)))
    return runs


def test_same_seed_writes_the_same_history(
    written: list[tuple[Database, DemoSummary]],
) -> None:
    (db_a, summary_a), (db_b, summary_b) = written
    events_a, events_b = _events(db_a), _events(db_b)
    assert len(events_a) == len(events_b) == summary_a.events
    shape_a = [(type(e).__qualname__, e.originator_version) for e in events_a]
    shape_b = [(type(e).__qualname__, e.originator_version) for e in events_b]
    assert shape_a == shape_b
    assert [_plain(e) for e in events_a] == [_plain(e) for e in events_b]
    assert summary_a.matter_statuses == summary_b.matter_statuses
    assert (summary_a.matters, summary_a.assignments) == (summary_b.matters, summary_b.assignments)
    counts = ("dispatches", "directives", "missed_slots", "visits", "sales_months")
    assert [getattr(summary_a, c) for c in counts] == [getattr(summary_b, c) for c in counts]


def test_history_is_in_business_time_order_and_never_after_until(
    written: list[tuple[Database, DemoSummary]],
) -> None:
    database, _ = written[0]
    events = _events(database)
    times = [e.timestamp for e in events]
    assert times == sorted(times)
    assert max(times) <= UNTIL
    assert min(times) >= datetime(2025, 12, 29, tzinfo=SHANGHAI)
    # Recorded time is business time: nothing is back-dated.
    assert all(e.occurred_at == e.timestamp and not e.backdated for e in events)
    roles = {e.actor.role for e in events}
    assert {"admin", "clerk", "unit", "enterprise", "leader", "guarantor"} <= roles


def test_the_library_is_believable(written: list[tuple[Database, DemoSummary]]) -> None:
    database, summary = written[0]
    listed = [e for e in _events(database) if type(e).__qualname__ == "Enterprise.Listed"]
    assert summary.enterprises == len(listed) == 300
    assert summary.guarantors == 120
    assert summary.units == 20
    assert len({e.uscc for e in listed}) == len({e.name for e in listed}) == 300
    for event in listed:
        assert validate_uscc(event.uscc) == event.uscc
        assert event.uscc[2:8] in ("341600", "340200")
        assert event.name.endswith("有限公司")
    assert {e.chain for e in listed} == {"新能源汽车", "电子信息", "现代中药", "高端装备"}
    above = sum(e.above_scale for e in listed) / len(listed)
    assert 0.5 < above < 0.7
    # Most enterprises have a lead leader and a department; the gap list is not empty.
    park = Park(database)
    assert summary.gap_enterprise_id is not None
    gap = park.load(Enterprise, summary.gap_enterprise_id)
    assert "lead_leader" not in {a.role for a in gap.guarantors_on(date(2026, 2, 1))}
    assert 750 < summary.assignments < 900


def test_matters_go_through_every_state(written: list[tuple[Database, DemoSummary]]) -> None:
    database, summary = written[0]
    statuses = summary.matter_statuses
    assert 200 < summary.matters < 450
    assert sum(statuses.values()) == summary.matters
    for status in ("received", "assigned", "resolved", "closed", "withdrawn"):
        assert statuses.get(status, 0) >= 1, status
    assert statuses["closed"] > summary.matters / 2
    assert summary.rectifications >= 1
    park = Park(database)
    assert summary.rectified_matter_id is not None
    rectified = park.load(Matter, summary.rectified_matter_id)
    assert min(r.level for r in rectified.ratings) <= 2
    assert summary.transferred_matter_id is not None
    assert summary.extended_matter_id is not None
    assert park.load(Matter, summary.extended_matter_id).major
    assert summary.overdue_matter_id is not None
    overdue = park.load(Matter, summary.overdue_matter_id)
    assert overdue.current_step().due_at < UNTIL
    assert summary.withdrawn_matter_id is not None
    assert park.load(Matter, summary.withdrawn_matter_id).status == "withdrawn"
    topics = {type(e).__qualname__ for e in _events(database)}
    assert {
        "Matter.Received",
        "Matter.Assigned",
        "Matter.Transferred",
        "Matter.ExtensionRequested",
        "Matter.ExtensionApproved",
        "Matter.Resolved",
        "Matter.Rated",
        "Matter.Withdrawn",
    } <= topics


def test_refuses_what_it_cannot_write(tmp_path: Path) -> None:
    database = parse_database_url(f"sqlite:///{tmp_path}/d.db")
    with pytest.raises(ValueError, match="scale"):
        write_demo(database, scale="country", until=UNTIL)
    with pytest.raises(ValueError, match="until"):
        write_demo(database, until=datetime(2025, 6, 1, tzinfo=SHANGHAI))
    with pytest.raises(ValueError, match="offset"):
        write_demo(database, until=datetime(2026, 3, 1))


def _of(events: list[Any], topic: str) -> list[Any]:
    return [e for e in events if type(e).__qualname__ == topic]


def test_leading_group_holds_dispatches_and_misses_some(
    written: list[tuple[Database, DemoSummary]],
) -> None:
    database, summary = written[0]
    events = _events(database)
    park = Park(database)
    members = [
        park.load(GroupMember, e.originator_id) for e in _of(events, "GroupMember.Appointed")
    ]
    # The mid-year deputy is not appointed yet by March.
    assert summary.members == len(members) == 4
    assert sorted(m.role for m in members) == ["deputy_group_leader"] * 3 + ["group_leader"]
    assert summary.group_leader_id in {m.person_id for m in members if m.role == "group_leader"}
    dispatches = [park.load(Dispatch, e.originator_id) for e in _of(events, "Dispatch.Held")]
    assert summary.dispatches == len(dispatches) >= 10
    assert summary.directives == sum(len(d.directives) for d in dispatches) >= 1
    calendar = park.rules_at(UNTIL).calendar
    for d in dispatches:
        local = d.held_at.astimezone(SHANGHAI)
        assert calendar.is_working_day(local.date())  # 调休 Saturdays included
        assert 8 <= local.hour < 18
    # Each directive became a matter from the dispatch, assigned at the meeting.
    directive = next(d for d in dispatches if d.directives)
    matter = park.load(Matter, directive.directives[0].matter_id)
    assert matter.channel == "dispatch"
    # Compliance per domain.cadence: January and February have a missed slot.
    tenures = [Tenure.of(m) for m in members]
    held = [Convened.of(d) for d in dispatches]
    missed = [
        (result.tenure.person_id, slot.slot)
        for period in ("2026-01", "2026-02")
        for result in compliance(tenures, held, period, UNTIL)
        for slot in result.slots
        if slot.status == MISSED
    ]
    assert len(missed) == summary.missed_slots >= 1
    assert summary.missed_dispatch_person_id == missed[0][0]


def test_guarantors_visit_what_they_guarantee(
    written: list[tuple[Database, DemoSummary]],
) -> None:
    database, summary = written[0]
    events = _events(database)
    park = Park(database)
    recorded = _of(events, "Visit.Recorded")
    assert summary.visits == len(recorded) > 100
    assert {e.kind for e in recorded} == {"visit", "four_deliveries", "tea_talk"}
    assert summary.visit_matters == sum(len(e.matter_ids) for e in recorded) >= 1
    for event in recorded[:50]:
        assert event.actor.role == "guarantor"
        assert event.actor.scope == str(event.guarantor_id)
        assert event.visited_at == event.occurred_at
        enterprise = park.load(Enterprise, event.enterprise_id)
        day = event.visited_at.astimezone(SHANGHAI).date()
        assert event.guarantor_id in {a.guarantor_id for a in enterprise.guarantors_on(day)}
    assert summary.problem_visit_id is not None
    visit = park.load(Visit, summary.problem_visit_id)
    assert visit.matter_ids
    assert park.load(Matter, visit.matter_ids[0]).channel == "visit"


def test_sales_back_data_in_january_and_months_after(
    written: list[tuple[Database, DemoSummary]],
) -> None:
    database, summary = written[0]
    events = _events(database)
    reported = _of(events, "SalesLedger.MonthReported")
    assert summary.sales_months == len(reported) > 2000
    last_year = [e for e in reported if e.month.startswith("2025-")]
    assert {e.month for e in last_year} == {f"2025-{m:02d}" for m in range(1, 13)}
    assert all(e.occurred_at.astimezone(SHANGHAI).date() < date(2026, 2, 1) for e in last_year)
    assert all(e.actor.role == "clerk" for e in reported)
    january = [e for e in reported if e.month == "2026-01"]
    assert january
    for event in january:
        day = event.occurred_at.astimezone(SHANGHAI).date()
        assert date(2026, 2, 10) <= day <= date(2026, 2, 15)
    # No month is reported before it is over, and nothing from 2026-02 yet.
    assert not [e for e in reported if e.month >= "2026-02"]
    # Every enterprise above scale reports; one lacks a month; one month is corrected.
    park = Park(database)
    above = {e.originator_id for e in _of(events, "Enterprise.Listed") if e.above_scale}
    ledgers = {e.enterprise_id for e in reported}
    assert above <= ledgers
    assert summary.missing_sales_enterprise_id is not None
    ledger = park.sales_ledger(summary.missing_sales_enterprise_id)
    assert isinstance(ledger, SalesLedger)
    assert len([m for m in ledger.months if m.startswith("2025-")]) == 11
    (corrected,) = _of(events, "SalesLedger.MonthCorrected")
    assert summary.sales_corrections == 1
    assert corrected.reason == "税务数据更正"
    assert corrected.enterprise_id == summary.corrected_sales_enterprise_id
    assert corrected.amount_fen != corrected.previous_fen
    assert summary.sales_through == "2026-01"
    assert summary.over_target_enterprise_id is not None
    assert summary.declining_enterprise_id is not None
