"""Scoring policy v1 checked against scores worked out by hand from SPEC §9."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from domain.calendar import SHANGHAI, WorkingCalendar, library_schedules
from domain.period import Period
from domain.policy import PolicyDocument
from domain.scoring import (
    Coverage,
    Facts,
    Guarantee,
    MissedSlot,
    MonthScorer,
    RatingFact,
    SalesFact,
    Step,
    VisitFact,
    mean_of_months,
)

CALENDAR = WorkingCalendar({s.year: s for s in library_schedules()})
MARCH = Period.parse("2026-03")
NOW = datetime(2026, 4, 15, 12, 0, tzinfo=SHANGHAI)


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


def step(n: int, due: datetime, met: datetime | None, enterprise: str = "E1") -> Step:
    return Step(f"m{n}:1", f"m{n}", enterprise, "handle", due, met, None, (f"m{n}@2",))


def facts(**changes: object) -> Facts:
    base = Facts(
        guarantors={"G": Guarantee("G", "张三", "person")},
        coverage=[
            Coverage("G", "E1", date(2026, 1, 1), None, "e1@2"),
            Coverage("G", "E2", date(2026, 3, 17), None, "e2@2"),
        ],
        steps=[
            step(1, at(3, 3, 17), at(3, 3, 9)),
            step(2, at(3, 10, 17), at(3, 10, 17)),
            step(3, at(3, 20, 17), at(3, 19, 9)),
            step(4, at(3, 25, 17), at(3, 27, 9)),
        ],
        ratings=[
            RatingFact("r1", "m1", "E1", at(3, 5), 5, "m1@4"),
            RatingFact("r2", "m2", "E1", at(3, 12), 2, "m2@4"),
        ],
        visits=[VisitFact("v1", "G", "E1", at(3, 18), "v1@1")],
        sales={
            "E1": SalesFact("E1", 10300, 10000, None),
            "E2": SalesFact("E2", 20000, 20000, None),
        },
        missed_slots=[],
    )
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def score_of(f: Facts, period: Period = MARCH) -> list:  # type: ignore[type-arg]
    return MonthScorer(period, PolicyDocument(), 1, CALENDAR, f, NOW).score_all()


def test_score_matches_the_one_worked_out_by_hand() -> None:
    # E1 covered all 31 days (w = 1), E2 from the 17th (w = 15/31).
    # sales: G = (103 + 15/31·200) / (100 + 15/31·200) − 1 = 93/6100;
    #   value = 100·(G/0.05) = 9300/305
    # timeliness 3 of 4 on time = 75; satisfaction 1 of 2 ratings ≥ 3 = 50;
    # service 1 visit / (46/31) = 3100/46; score = (40·9300/305 + 30·75 + 20·50 + 10·3100/46) / 100
    # = 51.435852 → 51.44
    (result,) = score_of(facts())
    assert result.score == Decimal("51.44")
    assert result.grade == "不合格"
    assert result.rank == 1
    components = result.explanation["components"]
    assert components["timeliness"]["on_time"] == 3
    assert components["timeliness"]["due"] == 4
    assert components["satisfaction"]["good"] == 1
    assert components["sales"]["growth"] == "0.015246"
    assert result.explanation["enterprises"][1]["weight"] == "15/31"


def test_a_step_left_undone_five_working_days_after_its_deadline_costs_two_points() -> None:
    # Due Wed 2026-02-25; working days after it: 26, 27, Sat 28 (调休), Mar 2, Mar 3 —
    # the 5th ends Tue 2026-03-03 17:30, in March.
    late = step(9, at(2, 25, 17), None)
    f = facts(steps=[*facts().steps, late])
    (result,) = score_of(f)
    (deduction,) = result.explanation["deductions"]
    assert deduction["counted_at"] == "2026-03-03T17:30:00+08:00"
    assert result.score == Decimal("49.44")


def test_a_missed_dispatch_slot_costs_five_points() -> None:
    slot = MissedSlot("G", "group_leader", date(2026, 3, 1), date(2026, 3, 31))
    (result,) = score_of(facts(missed_slots=[slot]))
    assert result.score == Decimal("46.44")


def test_components_with_nothing_to_count_are_left_out_and_the_rest_rescaled() -> None:
    only_steps = facts(ratings=[], visits=[], sales={}, coverage=[facts().coverage[0]])
    only_steps.steps = only_steps.steps[:2]
    (result,) = score_of(only_steps)
    # timeliness 2/2 = 100; service 0 visits / 1 = 0; sales and satisfaction left out
    # (30·100 + 10·0) / 40 = 75
    assert result.score == Decimal("75.00")
    assert result.grade == "良好"
    assert result.explanation["components"]["sales"]["counted"] is False


def test_nothing_at_all_to_count_leaves_no_score() -> None:
    f = facts(coverage=[], steps=[], ratings=[], visits=[], sales={})
    assert score_of(f) == []


def test_equal_scores_share_a_rank_and_departments_rank_apart() -> None:
    f = facts(
        guarantors={
            "A": Guarantee("A", "甲", "person"),
            "B": Guarantee("B", "乙", "person"),
            "C": Guarantee("C", "丙", "person"),
            "D": Guarantee("D", "经信局", "department"),
        },
        coverage=[Coverage(g, "E1", date(2026, 1, 1), None, f"{g}@1") for g in "ABD"]
        + [Coverage("C", "E9", date(2026, 1, 1), None, "c@1")],
        steps=[*facts().steps, step(7, at(3, 9, 17), None, "E9")],
        ratings=[],
        visits=[],
        sales={},
    )
    ranks = {s.guarantor.id: (s.score, s.rank) for s in score_of(f)}
    assert ranks["A"] == ranks["B"] == (Decimal("56.25"), 1)  # (30·75 + 10·0) / 40
    assert ranks["C"] == (Decimal("0.00"), 3)
    assert ranks["D"][1] == 1


def test_a_guarantor_reassigned_mid_month_counts_only_the_days_it_covered() -> None:
    f = facts(
        guarantors={"G": Guarantee("G", "张三", "person"), "H": Guarantee("H", "李四", "person")},
        coverage=[
            Coverage("G", "E1", date(2026, 1, 1), date(2026, 3, 15), "e1@2"),
            Coverage("H", "E1", date(2026, 3, 16), None, "e1@3"),
        ],
        visits=[],
        sales={},
    )
    scores = {s.guarantor.id: s for s in score_of(f)}
    # G: the step due 3 Mar and 10 Mar (both on time); H: due 20 Mar (on time), 25 Mar (late)
    assert scores["G"].explanation["components"]["timeliness"]["due"] == 2
    assert scores["H"].explanation["components"]["timeliness"]["due"] == 2
    assert scores["G"].explanation["enterprises"][0]["weight"] == "15/31"


def test_an_enterprise_with_no_base_year_is_left_out_of_sales_with_its_reason() -> None:
    f = facts(
        sales={"E1": SalesFact("E1", None, None, "missing 2025-01"), "E2": facts().sales["E2"]}
    )
    (result,) = score_of(f)
    sales = result.explanation["components"]["sales"]
    assert sales["excluded"] == [{"enterprise_id": "E1", "reason": "missing 2025-01"}]
    assert sales["growth"] == "0.000000"


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_periods_span_their_days(text: str, first: date, last: date) -> None:
    period = Period.parse(text)
    assert (period.first, period.last) == (first, last)


def test_a_quarter_is_the_mean_of_its_months() -> None:
    march = score_of(facts())
    february = score_of(facts(), Period.parse("2026-02"))
    (quarter,) = mean_of_months(Period.parse("2026-Q1"), [february, march])
    assert quarter.score == ((february[0].score + march[0].score) / 2).quantize(Decimal("0.01"))
