"""The demo history: deterministic for a seed, believable, and written in business-time order."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from api.demo import DemoSummary, write_demo
from domain.calendar import SHANGHAI
from domain.enterprise import Enterprise
from domain.matter import Matter
from domain.park import Park
from domain.storage import Database, parse_database_url
from domain.uscc import validate_uscc

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
    assert {"admin", "clerk", "unit", "enterprise"} <= roles


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
        write_demo(database, scale="city", until=UNTIL)
    with pytest.raises(ValueError, match="until"):
        write_demo(database, until=datetime(2025, 6, 1, tzinfo=SHANGHAI))
    with pytest.raises(ValueError, match="offset"):
        write_demo(database, until=datetime(2026, 3, 1))
