"""The 免申即享 rules at their edges, without storage (SPEC §11 F1–F3)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.calendar import WorkingCalendar, library_schedules
from domain.deadline import Rules
from domain.entitlement import (
    BRANDING_CAP_FEN,
    EXHIBITION_CAP_FEN,
    AlreadyApprovedError,
    OrganiserNotEligibleError,
    SubsidiesExceedCostError,
    SubsidyLedger,
    exhibition_award,
    promotion_award,
)
from domain.errors import FutureTimeError, InvalidInputError, NotFoundError
from domain.messages import LEADER, SUPERVISOR, compose
from domain.policy import AdoptedPolicy, PolicyDocument
from tests.conftest import Acts, Clock, sh

RULES = Rules(
    WorkingCalendar({s.year: s for s in library_schedules()}),
    24,
    AdoptedPolicy(1, "2000-01", PolicyDocument()),
)
YUAN = 100  # fen


class NoSubjects:
    def summary(self, matter_id: object) -> str | None:
        return None

    def unit_name(self, unit_id: str) -> str | None:
        return None


@pytest.fixture
def ledger(acts: Acts, clock: Clock) -> SubsidyLedger:
    clock.set(sh(2026, 3, 2, 9))
    return SubsidyLedger.open(acts.clerk(), uuid4(), 2026)


def exhibit(ledger: SubsidyLedger, acts: Acts, fee_fen: int, level: str = "city") -> int:
    entitlement = ledger.grant_exhibition(
        acts.clerk(), RULES, "亳州药博会", level, fee_fen, date(2026, 2, 1)
    )
    return entitlement.amount_fen


def promote(ledger: SubsidyLedger, acts: Acts, cost: int, province: int, city: int) -> int:
    entitlement = ledger.grant_promotion(
        acts.clerk(), RULES, "精品安徽·央视", cost, province, city, date(2026, 2, 1)
    )
    return entitlement.amount_fen


# -- F1: half the fee, 300,000 yuan a year ---------------------------------------------------


def test_half_of_the_fee_is_granted() -> None:
    award = exhibition_award(120_000 * YUAN, 0, 0)
    assert (award.uncapped_fen, award.amount_fen, award.capped) == (6_000_000, 6_000_000, False)


def test_half_a_fen_is_rounded_down_in_favour_of_the_budget() -> None:
    # 不超过参展费用50%: 1000.01 yuan → 500.005 → 500.00, never 500.01
    assert exhibition_award(100_001, 0, 0).amount_fen == 50_000


def test_exactly_at_the_exhibition_cap_is_granted_in_full() -> None:
    award = exhibition_award(600_000 * YUAN, 0, 0)
    assert award.amount_fen == EXHIBITION_CAP_FEN
    assert not award.capped


def test_one_fen_over_the_exhibition_cap_is_capped() -> None:
    # 600,000.02 yuan of fees: half is 300,000.01, one fen more than the cap
    award = exhibition_award(600_000 * YUAN + 2, 0, 0)
    assert (award.uncapped_fen, award.amount_fen, award.capped) == (
        EXHIBITION_CAP_FEN + 1,
        EXHIBITION_CAP_FEN,
        True,
    )


def test_a_used_up_exhibition_cap_grants_zero() -> None:
    award = exhibition_award(10_000 * YUAN, EXHIBITION_CAP_FEN, EXHIBITION_CAP_FEN)
    assert (award.exhibition_cap_left_fen, award.amount_fen, award.capped) == (0, 0, True)


def test_exhibition_cap_applies_before_the_branding_cap() -> None:
    # 1,900,000 of branding granted: 100,000 left of it; 50,000 left of the exhibition cap
    award = exhibition_award(400_000 * YUAN, 250_000 * YUAN, 1_900_000 * YUAN)
    assert award.exhibition_cap_left_fen == 50_000 * YUAN
    assert award.branding_cap_left_fen == 100_000 * YUAN
    assert award.amount_fen == 50_000 * YUAN


def test_branding_cap_bites_an_exhibition() -> None:
    award = exhibition_award(400_000 * YUAN, 0, 1_950_000 * YUAN)
    assert award.amount_fen == 50_000 * YUAN


def test_other_organisers_are_refused_and_nothing_recorded(
    ledger: SubsidyLedger, acts: Acts
) -> None:
    with pytest.raises(OrganiserNotEligibleError):
        exhibit(ledger, acts, 100_000 * YUAN, level="other")
    assert ledger.entitlements == {}
    assert ledger.version == 1


def test_an_unknown_organiser_level_is_bad_input(ledger: SubsidyLedger, acts: Acts) -> None:
    with pytest.raises(InvalidInputError):
        exhibit(ledger, acts, 100_000 * YUAN, level="county")


def test_a_fee_of_zero_is_bad_input(ledger: SubsidyLedger, acts: Acts) -> None:
    with pytest.raises(InvalidInputError):
        exhibit(ledger, acts, 0)


def test_an_exhibition_not_yet_held_is_refused(ledger: SubsidyLedger, acts: Acts) -> None:
    with pytest.raises(FutureTimeError):
        ledger.grant_exhibition(
            acts.clerk(), RULES, "世界制造业大会", "province", 1, date(2026, 3, 3)
        )


def test_an_exhibition_of_another_year_belongs_to_another_ledger(
    ledger: SubsidyLedger, acts: Acts
) -> None:
    with pytest.raises(InvalidInputError):
        ledger.grant_exhibition(acts.clerk(), RULES, "年货节", "park", 1, date(2025, 12, 31))


def test_entitlements_of_a_ledger_take_the_caps_in_the_order_they_arise(
    ledger: SubsidyLedger, acts: Acts
) -> None:
    amounts = [exhibit(ledger, acts, fee * YUAN) for fee in (500_000, 100_000, 100_000)]
    assert amounts == [250_000 * YUAN, 50_000 * YUAN, 0]
    capped = [e.capped for e in ledger.entitlements.values()]
    assert capped == [False, False, True]


# -- F2: what remains of the CCTV promotion, 2,000,000 yuan a year -----------------------------


def test_the_park_pays_what_remains_after_province_and_city() -> None:
    award = promotion_award(3_000_000 * YUAN, 1_000_000 * YUAN, 500_000 * YUAN, 0)
    assert award.amount_fen == 1_500_000 * YUAN
    assert award.exhibition_cap_left_fen is None


def test_subsidies_equal_to_the_cost_leave_nothing() -> None:
    award = promotion_award(100 * YUAN, 60 * YUAN, 40 * YUAN, 0)
    assert (award.amount_fen, award.capped) == (0, False)


def test_subsidies_exceeding_the_cost_are_refused() -> None:
    with pytest.raises(SubsidiesExceedCostError) as refused:
        promotion_award(100 * YUAN, 60 * YUAN, 40 * YUAN + 1, 0)
    assert refused.value.status == 422


def test_exactly_at_the_branding_cap_is_granted_in_full() -> None:
    award = promotion_award(BRANDING_CAP_FEN, 0, 0, 0)
    assert (award.amount_fen, award.capped) == (BRANDING_CAP_FEN, False)


def test_one_fen_over_the_branding_cap_is_capped() -> None:
    award = promotion_award(BRANDING_CAP_FEN + 1, 0, 0, 0)
    assert (award.amount_fen, award.capped) == (BRANDING_CAP_FEN, True)


def test_the_branding_cap_covers_exhibitions_and_promotions(
    ledger: SubsidyLedger, acts: Acts
) -> None:
    assert exhibit(ledger, acts, 600_000 * YUAN) == 300_000 * YUAN
    assert promote(ledger, acts, 2_000_000 * YUAN, 100_000 * YUAN, 100_000 * YUAN) == (
        1_700_000 * YUAN
    )
    assert promote(ledger, acts, 10 * YUAN, 0, 0) == 0
    assert ledger.granted_fen() == BRANDING_CAP_FEN


# -- F3: approval within 3 working days --------------------------------------------------------


def test_the_approval_is_due_3_working_days_after_the_grant(
    ledger: SubsidyLedger, acts: Acts
) -> None:
    exhibit(ledger, acts, 1_000 * YUAN)
    (entitlement,) = ledger.entitlements.values()
    assert entitlement.approval.started_at == sh(2026, 3, 2, 9)
    assert entitlement.approval.due_at == sh(2026, 3, 5, 17, 30)
    assert entitlement.approval.rule == "working_days:3"


def test_a_late_approval_is_recorded_as_late(
    ledger: SubsidyLedger, acts: Acts, clock: Clock
) -> None:
    exhibit(ledger, acts, 1_000 * YUAN)
    (entitlement,) = ledger.entitlements.values()
    clock.set(sh(2026, 3, 6, 9))
    approved = ledger.approve(acts.leader(), entitlement.id)
    assert approved.approved_at == sh(2026, 3, 6, 9)
    assert approved.approved_by == "p-leader"
    assert approved.approval.state(sh(2026, 3, 6, 10)) == "met"
    assert approved.approved_at > approved.approval.due_at


def test_approving_twice_is_refused(ledger: SubsidyLedger, acts: Acts) -> None:
    exhibit(ledger, acts, 1_000 * YUAN)
    (entitlement,) = ledger.entitlements.values()
    ledger.approve(acts.leader(), entitlement.id)
    version = ledger.version
    with pytest.raises(AlreadyApprovedError) as refused:
        ledger.approve(acts.leader(), entitlement.id)
    assert refused.value.status == 409
    assert ledger.version == version


def test_approving_an_unknown_entitlement_is_not_found(ledger: SubsidyLedger, acts: Acts) -> None:
    with pytest.raises(NotFoundError):
        ledger.approve(acts.leader(), uuid4())


def test_a_reminder_and_a_miss_are_recorded_once(ledger: SubsidyLedger, acts: Acts) -> None:
    exhibit(ledger, acts, 1_000 * YUAN)
    (entitlement,) = ledger.entitlements.values()
    assert ledger.remind(acts.clerk(), entitlement.id)
    assert not ledger.remind(acts.clerk(), entitlement.id)
    assert ledger.note_missed(acts.clerk(), entitlement.id)
    assert not ledger.note_missed(acts.clerk(), entitlement.id)
    assert not ledger.remind(acts.clerk(), entitlement.id)


def test_reminders_go_to_the_leaders_and_misses_to_supervision_too(
    ledger: SubsidyLedger, acts: Acts
) -> None:
    exhibit(ledger, acts, 1_000 * YUAN)
    (entitlement,) = ledger.entitlements.values()
    ledger.remind(acts.clerk(), entitlement.id)
    ledger.note_missed(acts.clerk(), entitlement.id)
    reminded, missed = ledger.collect_events()[-2:]
    (reminder,) = compose(reminded, NoSubjects())
    assert reminder.recipient == LEADER
    assert "免申即享补贴「亳州药博会」500.00元审批时限将于3月5日17:30届满" in reminder.text
    messages = compose(missed, NoSubjects())
    assert [m.recipient for m in messages] == [LEADER, SUPERVISOR]
    assert "现已超期" in messages[0].text
    assert "超期督办" in messages[1].text
