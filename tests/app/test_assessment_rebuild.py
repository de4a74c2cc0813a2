"""Rebuilding every projection from position 0 gives byte-identical assessments and notices
(issue 4; SPEC A4), on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.utils import _topic_cache, register_topic

from api.projection_verify import live_projections, verify_projections
from api.services import Services
from domain.matter import Matter
from domain.period import Period
from domain.scoring import Score, exact
from projections import parallel
from projections.assessment import Assessor
from projections.notices import Drafter
from projections.pages import Page
from projections.parallel import groups
from projections.runner import Follower
from tests.app.audit_helpers import open_services
from tests.bdd.test_scoring import History
from tests.conftest import Clock, sh

MARCH = Period.parse("2026-03")
ASKED_AT = sh(2026, 4, 15, 10)


@pytest.fixture
def svc(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[Services]:
    with open_services(database_url, tmp_path, clock) as services:
        yield services


def write_history(svc: Services, clock: Clock) -> History:
    """A month with something of everything; the views follow it page by page as it is written,
    so that a rebuild reads the log in larger pages than the live projections did."""
    history = History(svc, clock)  # from Mon 2026-03-02 09:00 on
    for name in ("Hengfeng", "Huaxin", "Qingyuan"):
        history.list_enterprise(name)
    for name, kind in (("张伟", "person"), ("李娜", "person"), ("王强", "person")):
        history.register_guarantor(name, kind)
    history.register_guarantor("工业和信息化局", "department")
    history.register_unit("EDB", "经济发展局")
    for who, enterprise, role in (
        ("张伟", "Hengfeng", "lead_leader"),
        ("张伟", "Huaxin", "lead_leader"),
        ("王强", "Qingyuan", "lead_leader"),
        ("工业和信息化局", "Hengfeng", "department"),
    ):
        history.assign(who, enterprise, role, date(2026, 1, 1))
    history.appoint("王强", "deputy_group_leader", date(2026, 1, 1))
    history.appoint("李娜", "deputy_group_leader", date(2026, 3, 1))
    for month in ("01", "02", "03"):
        for year, amount in (("2025", "1000000.00"), ("2026", "1037500.50")):
            history.report_sales("Hengfeng", f"{year}-{month}", amount)
        history.report_sales("Huaxin", f"2026-{month}", "300000.00")  # no base year
    svc.settle()
    acts = [
        (sh(2026, 3, 2, 9), lambda: history.raise_request("道路积水", "Hengfeng")),
        (sh(2026, 3, 2, 9), lambda: history.raise_request("厂房审批", "Qingyuan")),
        (sh(2026, 3, 2, 10), lambda: history.assign_request("道路积水", "EDB")),
        (sh(2026, 3, 2, 10), lambda: history.assign_request("厂房审批", "EDB")),
        (sh(2026, 3, 4, 10), lambda: history.resolve("道路积水", "EDB")),
        (sh(2026, 3, 5, 10), lambda: history.rate("道路积水", "Hengfeng", 1)),
        (sh(2026, 3, 5, 15), lambda: history.hold_dispatch("王强")),
        (sh(2026, 3, 6, 10), lambda: history.visit("张伟", "Hengfeng")),
        (sh(2026, 3, 10, 9), lambda: history.raise_request("电力增容", "Huaxin")),
        (sh(2026, 3, 12, 10), lambda: history.resolve("道路积水", "EDB")),
        (sh(2026, 3, 13, 10), lambda: history.rate("道路积水", "Hengfeng", 4)),
        (
            sh(2026, 3, 16, 9),
            lambda: history.reassign("Huaxin", "lead_leader", "张伟", "李娜", date(2026, 3, 16)),
        ),
        (sh(2026, 3, 16, 10), lambda: history.assign_request("电力增容", "EDB")),
        (sh(2026, 3, 20, 10), lambda: history.visit("李娜", "Huaxin")),
        (sh(2026, 3, 27, 10), lambda: history.resolve("电力增容", "EDB")),
    ]
    for moment, deed in acts:
        history.at(moment, deed)
        history.replay()
        svc.settle()
    clock.set(ASKED_AT)
    return history


def scored(s: Score) -> dict[str, Any]:
    return {
        "guarantor_id": s.guarantor.id,
        "name": s.guarantor.name,
        "kind": s.guarantor.kind,
        "period": s.period,
        "policy_version": s.policy_version,
        "score": None if s.score is None else str(s.score),
        "grade": s.grade,
        "rank": s.rank,
        "values": {k: exact(v) for k, v in s.values.items()},
        "deduction_points": exact(s.deduction_points),
        "explanation": s.explanation,
    }


def results(svc: Services) -> str:
    """Scores, explanations and notices as JSON, computed afresh (no cache) from the views."""
    position = svc.settle()
    assessor = Assessor(svc.views, svc.park)
    drafter = Drafter(svc.views, assessor)
    supervision, items = drafter.supervision(sh(2026, 3, 16, 9))
    published = svc.views.read("SELECT id, seq, kind, period, doc FROM v_notices ORDER BY id")
    document = {
        "march": [scored(s) for s in assessor.scores(MARCH, ASKED_AT, position)],
        "quarter": [
            scored(s) for s in assessor.scores(Period.parse("2026-Q1"), ASKED_AT, position)
        ],
        "notices": [asdict(d) for d in drafter.drafts(MARCH, ASKED_AT, position)],
        "published": [list(row) for row in published],
        "supervision": {
            "notice": asdict(supervision),
            "items": items,
        },
    }
    return json.dumps(document, ensure_ascii=False, default=str)


def rebuild(svc: Services) -> None:
    for name in svc.follower.positions():
        svc.follower.reset(name)
    assert set(svc.follower.positions().values()) == {0}
    svc.follower.catch_up()


def test_a_rebuild_from_position_0_gives_byte_identical_scores_and_notices(
    svc: Services, clock: Clock
) -> None:
    history = write_history(svc, clock)
    drafts = Drafter(svc.views, Assessor(svc.views, svc.park)).drafts(MARCH, ASKED_AT, svc.settle())
    failing = next(d for d in drafts if d.reason == "grade_failing")
    history.park.publish_notice(history.act("supervisor"), failing)

    before = results(svc)
    rebuild(svc)
    after = results(svc)

    assert after == before
    document = json.loads(before)
    # Not vacuous: every kind of input and notice is there.
    assert {s["name"] for s in document["march"] if s["score"] is not None} >= {
        "张伟",
        "李娜",
        "王强",
        "工业和信息化局",
    }
    assert {n["reason"] for n in document["notices"]} >= {
        "grade_failing",
        "overdue_step",
        "missed_dispatch",
    }
    assert [row[0] for row in document["published"]] == [str(failing.id)]
    assert len(document["supervision"]["items"]) == 2
    zhang = next(s for s in document["march"] if s["name"] == "张伟")
    sales = zhang["explanation"]["components"]["sales"]
    assert [e["reason"] for e in sales["excluded"]] == ["missing 2025-01, 2025-02, 2025-03"]
    assert Decimal(sales["growth"]) == Decimal("0.037501")


def digests(svc: Services) -> dict[str, tuple[int, str | None]]:
    return {p.name: (p.position, p.digest) for p in live_projections(svc)}


def test_a_rebuild_in_two_processes_gives_the_views_of_a_rebuild_in_one(
    svc: Services, clock: Clock, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)  # a short history, in two processes still
    history = write_history(svc, clock)
    drafts = Drafter(svc.views, Assessor(svc.views, svc.park)).drafts(MARCH, ASKED_AT, svc.settle())
    failing = next(d for d in drafts if d.reason == "grade_failing")
    history.park.publish_notice(history.act("supervisor"), failing)
    rebuild(svc)
    one_process, one_process_results = digests(svc), results(svc)

    for name in svc.follower.positions():
        svc.follower.reset(name)
    with caplog.at_level(logging.INFO, logger="baobao.follower"):
        read = svc.follower.catch_up(jobs=2)
    assert "['entities'] here and [['dispatch', 'sales'," in caplog.text

    head = svc.park.log_head()
    assert read == head
    assert digests(svc) == one_process
    assert {position for position, _ in one_process.values()} == {head}
    assert results(svc) == one_process_results
    # And both equal a rebuild that decodes every event in full and writes in one transaction.
    assert [c.name for c in verify_projections(svc) if not c.ok] == []


def test_projections_are_grouped_by_weight_the_entities_alone() -> None:
    class Named:
        def __init__(self, name: str) -> None:
            self.name = name

    names = ["dispatch", "entities", "sales", "visits", "outbox", "log_times"]
    projections: list[Any] = [Named(n) for n in names]
    assert [[p.name for p in g] for g in groups(projections, 2)] == [
        ["entities"],
        ["dispatch", "sales", "visits", "outbox", "log_times"],
    ]
    assert len(groups(projections, 1)) == 1
    assert sum(len(g) for g in groups(projections, 3)) == len(names)


def test_a_follower_of_projections_that_want_no_stamps_reads_only_their_events(
    svc: Services, clock: Clock
) -> None:
    history = write_history(svc, clock)
    history.report_sales("Qingyuan", "2026-03", "500000.00")  # the log ends with what they skip
    history.visit("王强", "Qingyuan")
    head = svc.settle()
    before = digests(svc)["entities"]

    entities = svc.follower.projection("entities")
    alone = Follower(svc.park, svc.views, [entities], page_size=7, catch_up_page_size=7)
    pages: list[Page] = []
    read = alone.reader.read

    def reading(start: int, limit: int) -> Page:
        pages.append(read(start, limit))
        return pages[-1]

    alone.reader.read = reading  # type: ignore[method-assign]
    svc.follower.reset("entities")

    assert alone.catch_up() == head
    assert digests(svc)["entities"] == before
    topics = {n.topic for page in pages for n in page.notifications}
    assert "domain.matter:Matter.Received" in topics
    assert not topics & {"domain.sales:SalesLedger.MonthReported", "domain.visit:Visit.Recorded"}
    assert sum(len(page.notifications) for page in pages) < head
    assert any(len(page.notifications) == 7 for page in pages)  # full pages end at their last
    assert pages[-1].end == head  # the last reaches the head past the events skipped
    assert alone.step() == 0


def test_a_follower_with_a_projection_that_wants_stamps_reads_every_event(
    svc: Services,
) -> None:
    assert svc.follower.reader.topics is None  # log_times: the time of every event
    entities = svc.follower.projection("entities")
    assert Follower(svc.park, svc.views, [entities]).reader.topics is not None


def test_a_topic_registered_for_a_moved_class_turns_the_choice_of_topics_off(
    svc: Services,
) -> None:
    entities = svc.follower.projection("entities")
    register_topic("domain.old_matter:Matter.Received", Matter.Received)
    try:
        assert Follower(svc.park, svc.views, [entities]).reader.topics is None
    finally:
        del _topic_cache["domain.old_matter:Matter.Received"]
    assert Follower(svc.park, svc.views, [entities]).reader.topics is not None


def test_a_short_catch_up_stays_in_one_process(
    svc: Services, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    write_history(svc, clock)
    for name in svc.follower.positions():
        svc.follower.reset(name)
    with caplog.at_level(logging.INFO, logger="baobao.follower"):
        read = svc.follower.catch_up(jobs=2)
    head = svc.park.log_head()
    assert read == head
    assert f"{head} events behind: catching up in this process" in caplog.text
    assert "other processes" not in caplog.text
    assert set(svc.follower.positions().values()) == {head}
