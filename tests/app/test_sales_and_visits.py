"""Sales reports and service visits through the Park, on SQLite and on PostgreSQL (§7, §8)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from domain.base import Act
from domain.enterprise import Enterprise
from domain.errors import (
    BackdatingNotAllowedError,
    EnterpriseNotListedError,
    FutureTimeError,
    InvalidInputError,
    NotFoundError,
    VersionConflictError,
)
from domain.matter import Matter
from domain.matter_cases import NotGuarantorError
from domain.money import InvalidAmountError
from domain.park import Park
from domain.registry import Guarantor
from domain.sales import FutureMonthError, ReasonRequiredError, SalesLedger
from domain.storage import parse_database_url
from domain.visit import NotOwnVisitError, Visit, VisitProblem
from projections.runner import Follower
from projections.sales import SalesProjection
from projections.sql import ViewDatabase
from projections.visits import VisitsProjection
from tests.conftest import Acts, Clock, sh


@pytest.fixture
def park(open_park: Callable[[str], Park], database_url: str) -> Park:
    """The Park on each store in turn."""
    return open_park(database_url)


@pytest.fixture
def views(database_url: str, park: Park) -> Iterator[ViewDatabase]:
    database = ViewDatabase(parse_database_url(database_url))
    yield database
    database.close()


@pytest.fixture
def zhang(park: Park, acts: Acts, enterprise: Enterprise, leader: Guarantor) -> Guarantor:
    """Lead leader of the enterprise from Mon 2026-03-02."""
    park.assign_guarantor(acts.admin(), enterprise.id, leader.id, "lead_leader", date(2026, 3, 2))
    return leader


def by_guarantor(acts: Acts, guarantor: Guarantor) -> Act:
    return acts.by(f"p-{guarantor.id}", "guarantor", guarantor.id)


def report(
    park: Park, acts: Acts, enterprise: Enterprise, month: str, yuan: str, reason: str | None = None
) -> SalesLedger:
    return park.report_sales(acts.clerk(), enterprise.id, month, Decimal(yuan), "tax", reason)


# -- sales (S1) ------------------------------------------------------------------------------


def test_a_reported_month_is_stored_in_exact_fen(
    park: Park, acts: Acts, enterprise: Enterprise
) -> None:
    report(park, acts, enterprise, "2026-02", "1234567.89")
    ledger = park.load(SalesLedger, SalesLedger.id_for(enterprise.id))
    (entry,) = ledger.months["2026-02"]
    assert (entry.amount_fen, entry.source, entry.amount) == (123456789, "tax", "1234567.89")
    assert (entry.principal_id, entry.role) == ("p-clerk", "clerk")
    assert ledger.enterprise_id == enterprise.id


def test_the_ledger_is_found_from_the_enterprise_id(
    park: Park, acts: Acts, enterprise: Enterprise
) -> None:
    assert park.sales_ledger(enterprise.id) is None
    first = report(park, acts, enterprise, "2026-01", "10")
    report(park, acts, enterprise, "2026-02", "20")
    ledger = park.sales_ledger(enterprise.id)
    assert ledger is not None
    assert ledger.id == first.id == SalesLedger.id_for(enterprise.id)
    assert sorted(ledger.months) == ["2026-01", "2026-02"]


def test_a_correction_without_a_reason_is_refused_and_changes_nothing(
    park: Park, acts: Acts, enterprise: Enterprise
) -> None:
    report(park, acts, enterprise, "2026-02", "1000.00")
    head = park.log_head()
    for reason in (None, "", "   "):
        with pytest.raises(ReasonRequiredError, match="already reported"):
            report(park, acts, enterprise, "2026-02", "1200.00", reason)
    assert park.log_head() == head
    ledger = park.sales_ledger(enterprise.id)
    assert ledger is not None
    assert [e.amount_fen for e in ledger.months["2026-02"]] == [100000]


def test_a_correction_with_a_reason_keeps_both_figures(
    park: Park, acts: Acts, enterprise: Enterprise
) -> None:
    report(park, acts, enterprise, "2026-02", "1000.00")
    report(park, acts, enterprise, "2026-02", "1200.00", "税务系统回传更正")
    ledger = park.sales_ledger(enterprise.id)
    assert ledger is not None
    first, second = ledger.months["2026-02"]
    assert (first.amount_fen, first.reason, first.previous_fen) == (100000, None, None)
    assert (second.amount_fen, second.reason, second.previous_fen) == (
        120000,
        "税务系统回传更正",
        100000,
    )
    assert ledger.current("2026-02") == second


def test_repeating_the_figure_in_force_records_nothing(
    park: Park, acts: Acts, enterprise: Enterprise
) -> None:
    report(park, acts, enterprise, "2026-02", "1000.00")
    head = park.log_head()
    ledger = report(park, acts, enterprise, "2026-02", "1000.0")
    assert park.log_head() == head
    assert len(ledger.months["2026-02"]) == 1


def test_changing_only_the_source_is_a_correction(
    park: Park, acts: Acts, enterprise: Enterprise
) -> None:
    report(park, acts, enterprise, "2026-02", "1000.00")
    with pytest.raises(ReasonRequiredError):
        park.report_sales(acts.clerk(), enterprise.id, "2026-02", Decimal(1000), "self", None)
    ledger = park.report_sales(
        acts.clerk(), enterprise.id, "2026-02", Decimal(1000), "self", "企业自报"
    )
    assert [e.source for e in ledger.months["2026-02"]] == ["tax", "self"]


def test_sales_of_an_unknown_enterprise_are_refused(park: Park, acts: Acts) -> None:
    head = park.log_head()
    with pytest.raises(NotFoundError):
        park.report_sales(acts.clerk(), uuid4(), "2026-02", Decimal(1), "tax", None)
    assert park.log_head() == head


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "26-01", "2026-1", "1999-12", "march"])
def test_a_month_must_be_a_real_month(
    park: Park, acts: Acts, enterprise: Enterprise, month: str
) -> None:
    with pytest.raises(InvalidInputError, match="not a month"):
        report(park, acts, enterprise, month, "1")


def test_the_current_month_may_be_reported_but_not_a_later_one(
    park: Park, acts: Acts, clock: Clock, enterprise: Enterprise
) -> None:
    clock.set(sh(2026, 3, 31, 23, 30))  # still March in Shanghai, already April 1st nowhere
    report(park, acts, enterprise, "2026-03", "1")
    with pytest.raises(FutureMonthError, match="after the current month 2026-03"):
        report(park, acts, enterprise, "2026-04", "1")
    clock.set(datetime(2026, 3, 31, 16, 30, tzinfo=UTC))  # 2026-04-01 00:30 in Shanghai
    report(park, acts, enterprise, "2026-04", "1")


def test_bad_amounts_and_sources_are_refused(
    park: Park, acts: Acts, enterprise: Enterprise
) -> None:
    for amount in (Decimal("-1"), Decimal("1.001"), Decimal("NaN"), Decimal("1E+16")):
        with pytest.raises(InvalidAmountError):
            park.report_sales(acts.clerk(), enterprise.id, "2026-02", amount, "tax", None)
    with pytest.raises(InvalidInputError, match="source"):
        park.report_sales(acts.clerk(), enterprise.id, "2026-02", Decimal(1), "guess", None)


def test_a_stale_version_of_the_ledger_is_a_conflict(
    park: Park, acts: Acts, enterprise: Enterprise
) -> None:
    ledger = report(park, acts, enterprise, "2026-01", "1")
    report(park, acts, enterprise, "2026-02", "1")
    with pytest.raises(VersionConflictError):
        park.report_sales(
            acts.clerk(), enterprise.id, "2026-03", Decimal(1), "tax", None, ledger.version
        )


def test_the_sales_view_holds_each_month_with_its_history(
    park: Park, acts: Acts, enterprise: Enterprise, views: ViewDatabase
) -> None:
    report(park, acts, enterprise, "2026-01", "500")
    report(park, acts, enterprise, "2026-02", "1000.00")
    report(park, acts, enterprise, "2026-02", "1200.50", "更正")
    follower = Follower(park, views)
    follower.catch_up()
    rows = views.read(
        "SELECT id, month, amount_fen, source, corrections, doc FROM v_sales_months "
        "WHERE enterprise_id=? ORDER BY month",
        [str(enterprise.id)],
    )
    assert [r[:5] for r in rows] == [
        (f"{enterprise.id}|2026-01", "2026-01", 50000, "tax", 0),
        (f"{enterprise.id}|2026-02", "2026-02", 120050, "tax", 1),
    ]
    doc = json.loads(rows[1][5])
    assert doc["amount"] == "1200.50"
    assert [(h["kind"], h["amount"], h["reason"]) for h in doc["history"]] == [
        ("reported", "1000.00", None),
        ("corrected", "1200.50", "更正"),
    ]
    assert doc["history"][1]["previous_amount"] == "1000.00"


def test_rebuilding_the_sales_and_visits_views_gives_the_same_digest(
    park: Park,
    acts: Acts,
    clock: Clock,
    enterprise: Enterprise,
    zhang: Guarantor,
    views: ViewDatabase,
) -> None:
    report(park, acts, enterprise, "2026-02", "1000.00")
    report(park, acts, enterprise, "2026-02", "1100.00", "更正")
    clock.set(sh(2026, 3, 3, 10))
    park.record_visit(acts.admin(), zhang.id, enterprise.id, "tea_talk", sh(2026, 3, 3, 9), "", [])
    follower = Follower(park, views, page_size=2)
    follower.catch_up()
    for name in ("sales", "visits"):
        projection = follower.projection(name)
        assert isinstance(projection, SalesProjection | VisitsProjection)
        with views.transaction() as tx:
            live = projection.digest(tx)
        follower.reset(name)
        follower.catch_up()
        with views.transaction() as tx:
            assert projection.digest(tx) == live


# -- visits (V1) ---------------------------------------------------------------------------------


def test_a_guarantor_records_its_visit(
    park: Park, acts: Acts, clock: Clock, enterprise: Enterprise, zhang: Guarantor
) -> None:
    clock.set(sh(2026, 3, 3, 17))
    visit, matters = park.record_visit(
        by_guarantor(acts, zhang),
        zhang.id,
        enterprise.id,
        "four_deliveries",
        sh(2026, 3, 3, 15),
        "送政策上门",
        [],
    )
    assert matters == []
    stored = park.load(Visit, visit.id)
    assert (stored.guarantor_id, stored.enterprise_id) == (zhang.id, enterprise.id)
    assert (stored.kind, stored.visited_at, stored.notes) == (
        "four_deliveries",
        sh(2026, 3, 3, 15),
        "送政策上门",
    )
    assert stored.created_on == sh(2026, 3, 3, 17)


def test_a_visit_before_the_assignment_starts_is_refused_and_nothing_is_recorded(
    park: Park, acts: Acts, enterprise: Enterprise, zhang: Guarantor
) -> None:
    head = park.log_head()
    with pytest.raises(NotGuarantorError, match="on 2026-03-01") as refused:
        park.record_visit(
            by_guarantor(acts, zhang),
            zhang.id,
            enterprise.id,
            "visit",
            sh(2026, 3, 1, 23, 59),
            "",
            [VisitProblem("道路积水", "基础设施")],
        )
    assert (refused.value.code, refused.value.status) == ("not_guarantor", 409)
    assert park.log_head() == head


def test_a_visit_on_the_first_day_of_the_assignment_counts_in_shanghai_time(
    park: Park, acts: Acts, enterprise: Enterprise, zhang: Guarantor
) -> None:
    visited = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)  # 00:30 on 2026-03-02 in Shanghai
    visit, _ = park.record_visit(
        by_guarantor(acts, zhang),
        zhang.id,
        enterprise.id,
        "visit",
        visited,
        "",
        [],
    )
    assert park.load(Visit, visit.id).visited_at == visited


def test_a_visit_after_the_release_is_refused(
    park: Park, acts: Acts, clock: Clock, enterprise: Enterprise, zhang: Guarantor
) -> None:
    (assignment,) = park.load(Enterprise, enterprise.id).guarantors_on(date(2026, 3, 2))
    park.release_assignment(acts.admin(), enterprise.id, assignment.id, date(2026, 3, 4), "调整")
    clock.set(sh(2026, 3, 6, 10))
    act = by_guarantor(acts, zhang)
    park.record_visit(act, zhang.id, enterprise.id, "visit", sh(2026, 3, 4, 16), "", [])
    with pytest.raises(NotGuarantorError):
        park.record_visit(act, zhang.id, enterprise.id, "visit", sh(2026, 3, 5, 9), "", [])


def test_a_guarantor_records_only_its_own_visits(
    park: Park, acts: Acts, enterprise: Enterprise, zhang: Guarantor, other_leader: Guarantor
) -> None:
    head = park.log_head()
    for act in (by_guarantor(acts, other_leader), acts.clerk()):
        with pytest.raises(NotOwnVisitError) as refused:
            park.record_visit(act, zhang.id, enterprise.id, "visit", sh(2026, 3, 2, 8), "", [])
        assert (refused.value.code, refused.value.status) == ("not_own_visit", 403)
    assert park.log_head() == head


def test_visit_times_are_not_in_the_future_nor_naive(
    park: Park, acts: Acts, enterprise: Enterprise, zhang: Guarantor
) -> None:
    act = by_guarantor(acts, zhang)
    with pytest.raises(FutureTimeError):
        park.record_visit(act, zhang.id, enterprise.id, "visit", sh(2026, 3, 2, 9, 1), "", [])
    with pytest.raises(InvalidInputError, match="UTC offset"):
        park.record_visit(act, zhang.id, enterprise.id, "visit", datetime(2026, 3, 2, 8), "", [])
    with pytest.raises(InvalidInputError, match="kind"):
        park.record_visit(act, zhang.id, enterprise.id, "dinner", sh(2026, 3, 2, 8), "", [])


def test_only_an_admin_records_a_visit_older_than_thirty_days(
    park: Park, acts: Acts, clock: Clock, enterprise: Enterprise, zhang: Guarantor
) -> None:
    clock.set(sh(2026, 4, 10, 10))
    old = sh(2026, 3, 10, 9)
    with pytest.raises(BackdatingNotAllowedError, match="30 days"):
        park.record_visit(by_guarantor(acts, zhang), zhang.id, enterprise.id, "visit", old, "", [])
    park.record_visit(
        by_guarantor(acts, zhang),
        zhang.id,
        enterprise.id,
        "visit",
        clock.now - timedelta(days=30),
        "",
        [],
    )
    visit, _ = park.record_visit(acts.admin(), zhang.id, enterprise.id, "visit", old, "补录", [])
    assert park.load(Visit, visit.id).visited_at == old


def test_problems_found_on_a_visit_become_visit_matters_in_the_same_commit(
    park: Park, acts: Acts, clock: Clock, enterprise: Enterprise, zhang: Guarantor
) -> None:
    clock.set(sh(2026, 3, 4, 10))
    head = park.log_head()
    visit, matters = park.record_visit(
        by_guarantor(acts, zhang),
        zhang.id,
        enterprise.id,
        "visit",
        sh(2026, 3, 3, 15),
        "",
        [VisitProblem("厂区周边路灯损坏", "基础设施"), VisitProblem("缺少技术工人", "人才")],
    )
    assert park.log_head() == head + 3
    assert visit.matter_ids == [m.id for m in matters]
    for matter_id, summary in zip(
        visit.matter_ids, ("厂区周边路灯损坏", "缺少技术工人"), strict=True
    ):
        matter = park.load(Matter, matter_id)
        assert (matter.channel, matter.summary, matter.status) == ("visit", summary, "received")
        assert matter.enterprise_id == enterprise.id
        # Received when the visit is recorded: the window has half a working day from then.
        assert matter.received_at == sh(2026, 3, 4, 10)
        assert matter.deadlines[0].due_at == sh(2026, 3, 4, 15, 30)


def test_a_problem_without_a_summary_opens_nothing(
    park: Park, acts: Acts, enterprise: Enterprise, zhang: Guarantor
) -> None:
    head = park.log_head()
    with pytest.raises(InvalidInputError, match="problem 2"):
        park.record_visit(
            by_guarantor(acts, zhang),
            zhang.id,
            enterprise.id,
            "visit",
            sh(2026, 3, 2, 8),
            "",
            [VisitProblem("道路积水", "基础设施"), VisitProblem(" ", "基础设施")],
        )
    assert park.log_head() == head


def test_a_delisted_enterprise_cannot_be_visited(
    park: Park, acts: Acts, enterprise: Enterprise, zhang: Guarantor
) -> None:
    park.delist_enterprise(acts.admin(), enterprise.id, "迁出园区")
    with pytest.raises(EnterpriseNotListedError):
        park.record_visit(acts.admin(), zhang.id, enterprise.id, "visit", sh(2026, 3, 2, 8), "", [])


def test_the_visits_view_lists_each_visit_by_business_time(
    park: Park,
    acts: Acts,
    clock: Clock,
    enterprise: Enterprise,
    zhang: Guarantor,
    views: ViewDatabase,
) -> None:
    clock.set(sh(2026, 3, 4, 10))
    visit, matters = park.record_visit(
        by_guarantor(acts, zhang),
        zhang.id,
        enterprise.id,
        "tea_talk",
        sh(2026, 3, 3, 15),
        "畅聊下午茶",
        [VisitProblem("融资难", "金融")],
    )
    Follower(park, views).catch_up()
    rows = views.read("SELECT id, guarantor_id, enterprise_id, visited_at, kind, doc FROM v_visits")
    ((visit_id, guarantor_id, enterprise_id, visited_at, kind, doc),) = rows
    assert (visit_id, guarantor_id, enterprise_id) == (
        str(visit.id),
        str(zhang.id),
        str(enterprise.id),
    )
    assert (visited_at, kind) == ("2026-03-03T15:00:00+08:00", "tea_talk")
    assert json.loads(doc)["problems"] == [
        {"summary": "融资难", "category": "金融", "matter_id": str(matters[0].id)}
    ]
