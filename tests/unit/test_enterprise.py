"""The key enterprise library and its guarantors (SPEC §4)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.enterprise import Enterprise
from domain.errors import (
    AlreadyListedError,
    AssignmentEndedError,
    DuplicateUsccError,
    EnterpriseNotListedError,
    InvalidInputError,
    InvalidUsccError,
    LeadLeaderInEffectError,
    NotFoundError,
)
from domain.park import Park
from tests.conftest import Acts, valid_uscc

ZHANG, LI, WANG = uuid4(), uuid4(), uuid4()  # people
ECONOMY, HOUSING = uuid4(), uuid4()  # departments


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.fixture
def hengfeng(acts: Acts) -> Enterprise:
    return Enterprise.list_new(
        acts.admin(), valid_uscc(1), "恒丰汽车", "汽车零部件", "新能源汽车", True
    )


def lead(e: Enterprise, acts: Acts, who: UUID, since: str) -> UUID:
    return e.assign_guarantor(acts.admin(), who, "person", "lead_leader", d(since)).id


def held_on(e: Enterprise, day: str) -> list[tuple[UUID, str]]:
    return [(a.guarantor_id, a.role) for a in e.guarantors_on(d(day))]


# -- listing -------------------------------------------------------------------------------


def test_a_listed_enterprise_keeps_its_particulars(hengfeng: Enterprise) -> None:
    assert (hengfeng.uscc, hengfeng.name, hengfeng.industry, hengfeng.chain) == (
        valid_uscc(1),
        "恒丰汽车",
        "汽车零部件",
        "新能源汽车",
    )
    assert hengfeng.above_scale
    assert hengfeng.listed
    assert hengfeng.listed_on == date(2026, 3, 2)


def test_delisting_records_the_reason(hengfeng: Enterprise, acts: Acts) -> None:
    hengfeng.delist(acts.admin(), "迁出园区")
    assert not hengfeng.listed
    delisted = hengfeng.collect_events()[-1]
    assert isinstance(delisted, Enterprise.Delisted)
    assert delisted.reason == "迁出园区"


def test_a_delisted_enterprise_can_be_relisted(hengfeng: Enterprise, acts: Acts) -> None:
    hengfeng.delist(acts.admin(), "迁出园区")
    hengfeng.relist(acts.admin(), "迁回园区")
    assert hengfeng.listed


def test_delisting_twice_is_refused(hengfeng: Enterprise, acts: Acts) -> None:
    hengfeng.delist(acts.admin(), "迁出园区")
    with pytest.raises(EnterpriseNotListedError):
        hengfeng.delist(acts.admin(), "again")


def test_relisting_a_listed_enterprise_is_refused(hengfeng: Enterprise, acts: Acts) -> None:
    with pytest.raises(AlreadyListedError):
        hengfeng.relist(acts.admin(), "迁回园区")


def test_assigning_a_guarantor_to_a_delisted_enterprise_is_refused(
    hengfeng: Enterprise, acts: Acts
) -> None:
    hengfeng.delist(acts.admin(), "迁出园区")
    with pytest.raises(EnterpriseNotListedError):
        lead(hengfeng, acts, ZHANG, "2026-03-01")


# -- roles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "kind"),
    [("lead_leader", "department"), ("liaison", "department"), ("department", "person")],
)
def test_a_role_held_by_the_wrong_kind_of_guarantor_is_refused(
    hengfeng: Enterprise, acts: Acts, role: str, kind: str
) -> None:
    with pytest.raises(InvalidInputError, match=f"role {role} must be held by"):
        hengfeng.assign_guarantor(acts.admin(), uuid4(), kind, role, d("2026-03-01"))
    assert hengfeng.assignments == {}


def test_an_unknown_role_is_refused(hengfeng: Enterprise, acts: Acts) -> None:
    with pytest.raises(InvalidInputError, match="role must be one of"):
        hengfeng.assign_guarantor(acts.admin(), ZHANG, "person", "mascot", d("2026-03-01"))


def test_one_lead_leader_one_department_and_a_liaison_can_serve_together(
    hengfeng: Enterprise, acts: Acts
) -> None:
    lead(hengfeng, acts, ZHANG, "2026-01-05")
    hengfeng.assign_guarantor(acts.admin(), ECONOMY, "department", "department", d("2026-01-05"))
    hengfeng.assign_guarantor(acts.admin(), WANG, "person", "liaison", d("2026-01-05"))
    assert held_on(hengfeng, "2026-02-01") == [
        (ZHANG, "lead_leader"),
        (ECONOMY, "department"),
        (WANG, "liaison"),
    ]


def test_the_same_guarantor_in_the_same_role_twice_is_refused(
    hengfeng: Enterprise, acts: Acts
) -> None:
    hengfeng.assign_guarantor(acts.admin(), ECONOMY, "department", "department", d("2026-01-05"))
    with pytest.raises(InvalidInputError, match="already holds role department"):
        hengfeng.assign_guarantor(
            acts.admin(), ECONOMY, "department", "department", d("2026-02-01")
        )


# -- one lead leader at a time -------------------------------------------------------------


def test_a_second_lead_leader_while_one_is_in_effect_is_refused(
    hengfeng: Enterprise, acts: Acts
) -> None:
    lead(hengfeng, acts, ZHANG, "2026-01-05")
    with pytest.raises(LeadLeaderInEffectError, match="release them first or reassign"):
        lead(hengfeng, acts, LI, "2026-03-01")
    assert held_on(hengfeng, "2026-03-01") == [(ZHANG, "lead_leader")]


def test_a_back_dated_lead_leader_overlapping_a_released_one_is_refused(
    hengfeng: Enterprise, acts: Acts
) -> None:
    zhang = lead(hengfeng, acts, ZHANG, "2026-01-05")
    hengfeng.release_guarantor(acts.admin(), zhang, d("2026-02-27"), "调任")
    with pytest.raises(LeadLeaderInEffectError):
        lead(hengfeng, acts, LI, "2026-02-01")


def test_a_lead_leader_back_dated_before_the_current_one_is_refused(
    hengfeng: Enterprise, acts: Acts
) -> None:
    lead(hengfeng, acts, ZHANG, "2026-03-01")
    with pytest.raises(LeadLeaderInEffectError):
        lead(hengfeng, acts, LI, "2025-12-01")


def test_after_release_a_new_lead_leader_is_accepted(hengfeng: Enterprise, acts: Acts) -> None:
    zhang = lead(hengfeng, acts, ZHANG, "2026-01-05")
    hengfeng.release_guarantor(acts.admin(), zhang, d("2026-02-27"), "调任")
    lead(hengfeng, acts, LI, "2026-02-28")
    assert held_on(hengfeng, "2026-02-27") == [(ZHANG, "lead_leader")]
    assert held_on(hengfeng, "2026-02-28") == [(LI, "lead_leader")]


def test_a_lead_leader_released_in_advance_still_blocks_until_their_last_day(
    hengfeng: Enterprise, acts: Acts
) -> None:
    zhang = lead(hengfeng, acts, ZHANG, "2026-01-05")
    hengfeng.release_guarantor(acts.admin(), zhang, d("2026-06-30"), "届满")
    with pytest.raises(LeadLeaderInEffectError):
        lead(hengfeng, acts, LI, "2026-06-30")
    lead(hengfeng, acts, LI, "2026-07-01")


# -- release -------------------------------------------------------------------------------


def test_release_keeps_the_last_day_and_the_reason(hengfeng: Enterprise, acts: Acts) -> None:
    zhang = lead(hengfeng, acts, ZHANG, "2026-01-05")
    released = hengfeng.release_guarantor(acts.admin(), zhang, d("2026-02-27"), "调任")
    assert (released.effective_to, released.release_reason) == (d("2026-02-27"), "调任")


def test_release_on_the_first_day_is_allowed(hengfeng: Enterprise, acts: Acts) -> None:
    zhang = lead(hengfeng, acts, ZHANG, "2026-01-05")
    hengfeng.release_guarantor(acts.admin(), zhang, d("2026-01-05"), "误录")
    assert held_on(hengfeng, "2026-01-05") == [(ZHANG, "lead_leader")]
    assert held_on(hengfeng, "2026-01-06") == []


def test_release_before_the_start_date_is_refused(hengfeng: Enterprise, acts: Acts) -> None:
    zhang = lead(hengfeng, acts, ZHANG, "2026-01-05")
    with pytest.raises(InvalidInputError, match="before the assignment began"):
        hengfeng.release_guarantor(acts.admin(), zhang, d("2026-01-04"), "调任")


def test_releasing_twice_is_refused(hengfeng: Enterprise, acts: Acts) -> None:
    zhang = lead(hengfeng, acts, ZHANG, "2026-01-05")
    hengfeng.release_guarantor(acts.admin(), zhang, d("2026-02-27"), "调任")
    with pytest.raises(AssignmentEndedError, match="already ended on 2026-02-27"):
        hengfeng.release_guarantor(acts.admin(), zhang, d("2026-03-31"), "again")


def test_releasing_an_unknown_assignment_is_not_found(hengfeng: Enterprise, acts: Acts) -> None:
    with pytest.raises(NotFoundError):
        hengfeng.release_guarantor(acts.admin(), uuid4(), d("2026-03-31"), "?")


# -- reassignment --------------------------------------------------------------------------


def test_reassign_releases_the_old_the_day_before_and_assigns_the_new(
    hengfeng: Enterprise, acts: Acts
) -> None:
    zhang = lead(hengfeng, acts, ZHANG, "2026-01-05")
    hengfeng.collect_events()
    li = hengfeng.reassign(acts.admin(), "lead_leader", LI, "person", d("2026-03-01"), "调任")
    released, assigned = hengfeng.collect_events()
    assert isinstance(released, Enterprise.GuarantorReleased)
    assert (released.assignment_id, released.effective_to) == (zhang, d("2026-02-28"))
    assert isinstance(assigned, Enterprise.GuarantorAssigned)
    assert (assigned.assignment_id, assigned.effective_from) == (li.id, d("2026-03-01"))
    assert held_on(hengfeng, "2026-02-28") == [(ZHANG, "lead_leader")]
    assert held_on(hengfeng, "2026-03-01") == [(LI, "lead_leader")]


def test_reassign_of_a_role_nobody_holds_just_assigns(hengfeng: Enterprise, acts: Acts) -> None:
    hengfeng.reassign(acts.admin(), "department", HOUSING, "department", d("2026-03-01"), "新设")
    assert held_on(hengfeng, "2026-03-01") == [(HOUSING, "department")]


def test_reassign_not_after_the_current_start_is_refused_and_changes_nothing(
    hengfeng: Enterprise, acts: Acts
) -> None:
    lead(hengfeng, acts, ZHANG, "2026-03-01")
    hengfeng.collect_events()
    with pytest.raises(InvalidInputError, match="must take effect after"):
        hengfeng.reassign(acts.admin(), "lead_leader", LI, "person", d("2026-03-01"), "调任")
    assert hengfeng.collect_events() == []


def test_reassign_to_the_wrong_kind_is_refused_before_any_release(
    hengfeng: Enterprise, acts: Acts
) -> None:
    lead(hengfeng, acts, ZHANG, "2026-01-05")
    hengfeng.collect_events()
    with pytest.raises(InvalidInputError):
        hengfeng.reassign(
            acts.admin(), "lead_leader", ECONOMY, "department", d("2026-03-01"), "调任"
        )
    assert hengfeng.collect_events() == []


# -- who guaranteed it on a past date ------------------------------------------------------


def test_guarantors_on_a_date_answer_for_before_during_and_after(
    hengfeng: Enterprise, acts: Acts
) -> None:
    zhang = lead(hengfeng, acts, ZHANG, "2026-01-05")
    hengfeng.assign_guarantor(acts.admin(), ECONOMY, "department", "department", d("2026-02-01"))
    hengfeng.release_guarantor(acts.admin(), zhang, d("2026-02-27"), "调任")
    lead(hengfeng, acts, LI, "2026-03-01")
    assert held_on(hengfeng, "2026-01-04") == []
    assert held_on(hengfeng, "2026-01-05") == [(ZHANG, "lead_leader")]
    assert held_on(hengfeng, "2026-02-27") == [(ZHANG, "lead_leader"), (ECONOMY, "department")]
    assert held_on(hengfeng, "2026-02-28") == [(ECONOMY, "department")]  # a gap, not refused
    assert held_on(hengfeng, "2030-01-01") == [(LI, "lead_leader"), (ECONOMY, "department")]


# -- the credit code through the Park ------------------------------------------------------


def test_a_duplicate_credit_code_is_refused(
    park: Park, acts: Acts, new_uscc: Callable[[], str]
) -> None:
    code = new_uscc()
    first = park.list_enterprise(acts.admin(), code, "恒丰汽车", "汽车", "新能源汽车", True)
    head = park.log_head()
    with pytest.raises(DuplicateUsccError, match=str(first.id)):
        park.list_enterprise(acts.admin(), code.lower(), "恒丰汽车二", "汽车", "新能源汽车", True)
    assert park.log_head() == head


def test_a_delisted_enterprises_credit_code_is_still_taken(
    park: Park, acts: Acts, new_uscc: Callable[[], str]
) -> None:
    code = new_uscc()
    first = park.list_enterprise(acts.admin(), code, "恒丰汽车", "汽车", "新能源汽车", True)
    park.delist_enterprise(acts.admin(), first.id, "迁出园区")
    with pytest.raises(DuplicateUsccError, match="relist it instead"):
        park.list_enterprise(acts.admin(), code, "恒丰汽车", "汽车", "新能源汽车", True)


def test_an_invalid_credit_code_is_refused_by_the_park(park: Park, acts: Acts) -> None:
    head = park.log_head()
    with pytest.raises(InvalidUsccError):
        park.list_enterprise(acts.admin(), "91340100MA2N000010", "x", "x", "x", False)
    assert park.log_head() == head
