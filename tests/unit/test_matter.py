"""The Matter aggregate's rules, without storage (SPEC §5)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.base import Act
from domain.calendar import WorkingCalendar, library_schedules
from domain.deadline import Rules
from domain.errors import (
    AlreadyRatedError,
    BeyondCapError,
    DeadlinePassedError,
    ExtensionPendingError,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
    NotHoldingUnitError,
    NotOwnEnterpriseError,
    SameUnitError,
)
from domain.matter import Matter
from domain.policy import AdoptedPolicy, PolicyDocument
from tests.conftest import Acts, Clock, sh

RULES = Rules(
    WorkingCalendar({s.year: s for s in library_schedules()}),
    24,
    AdoptedPolicy(1, "2000-01", PolicyDocument()),
)
ENTERPRISE = uuid4()
UNIT, OTHER_UNIT = str(uuid4()), str(uuid4())
HANDLE_DUE = sh(2026, 3, 5, 17, 30)  # 3 working days after Mon 2026-03-02
CAP = sh(2026, 4, 14, 17, 30)  # 30 working days after Mon 2026-03-02 (清明 4-6 April off)


@pytest.fixture
def received(acts: Acts, clock: Clock) -> Matter:
    clock.set(sh(2026, 3, 2, 9))
    return Matter.receive(acts.clerk(), RULES, ENTERPRISE, "用电增容", "要素保障", "window")


@pytest.fixture
def matter(received: Matter, acts: Acts, clock: Clock) -> Matter:
    clock.set(sh(2026, 3, 2, 10))
    received.assign(acts.clerk(), RULES, UNIT)
    return received


def unit_act(acts: Acts, unit_id: str = UNIT) -> Act:
    return acts.by("p-unit", "unit", unit_id)


@pytest.fixture
def resolved(matter: Matter, acts: Acts, clock: Clock) -> Matter:
    clock.set(sh(2026, 3, 4, 15))
    matter.resolve(unit_act(acts), "已协调供电公司增容")
    return matter


# -- intake and assignment -----------------------------------------------------------------


def test_intake_sets_the_assign_deadline_half_a_working_day_on(received: Matter) -> None:
    (assign,) = received.deadlines
    assert (assign.step, assign.due_at, assign.provisional) == (
        "assign",
        sh(2026, 3, 2, 14, 30),
        False,
    )
    assert received.status == "received"


def test_an_unknown_channel_is_refused(acts: Acts) -> None:
    with pytest.raises(InvalidInputError, match="channel must be one of"):
        Matter.receive(acts.clerk(), RULES, ENTERPRISE, "x", "x", "fax")


def test_assignment_meets_the_assign_step_and_opens_the_handle_step(matter: Matter) -> None:
    assign, handle = matter.deadlines
    assert assign.met_at == sh(2026, 3, 2, 10)
    assert (handle.step, handle.unit_id, handle.due_at) == ("handle", UNIT, HANDLE_DUE)
    assert matter.cap is not None
    assert matter.cap.due_at == CAP


def test_assigning_twice_is_refused(matter: Matter, acts: Acts) -> None:
    with pytest.raises(InvalidStateError):
        matter.assign(acts.clerk(), RULES, OTHER_UNIT)


def test_an_act_dated_before_the_matters_last_step_is_refused(matter: Matter, acts: Acts) -> None:
    act = acts.late("admin", sh(2026, 3, 2, 9, 30), {"admin"})
    with pytest.raises(InvalidInputError, match="before the matter's last step"):
        matter.resolve(act, "补录")


# -- transfer ------------------------------------------------------------------------------


def test_transfer_by_another_unit_is_refused(matter: Matter, acts: Acts) -> None:
    with pytest.raises(NotHoldingUnitError):
        matter.transfer(acts.by("p-x", "unit", OTHER_UNIT), RULES, OTHER_UNIT, "不属本单位")


def test_transfer_to_the_same_unit_is_refused(matter: Matter, acts: Acts) -> None:
    with pytest.raises(SameUnitError):
        matter.transfer(acts.clerk(), RULES, UNIT, "?")


def test_transfer_lapses_a_pending_extension(matter: Matter, acts: Acts, clock: Clock) -> None:
    clock.set(sh(2026, 3, 3, 9))
    request = matter.request_extension(unit_act(acts), sh(2026, 3, 10, 17, 30), "需现场踏勘")
    matter.transfer(unit_act(acts), RULES, OTHER_UNIT, "属住建职责")
    assert matter.pending_extension() is None
    assert matter.extension_request(request.id).status == "lapsed"
    with pytest.raises(InvalidStateError):
        matter.approve_extension(acts.leader(), request.id)


# -- extensions ----------------------------------------------------------------------------


def test_an_extension_may_be_asked_at_the_very_deadline(
    matter: Matter, acts: Acts, clock: Clock
) -> None:
    clock.set(HANDLE_DUE)
    request = matter.request_extension(unit_act(acts), CAP, "需现场踏勘")
    assert (request.status, request.requested_deadline, request.unit_id) == ("pending", CAP, UNIT)


def test_an_extension_a_moment_after_the_deadline_is_refused(
    matter: Matter, acts: Acts, clock: Clock
) -> None:
    clock.set(sh(2026, 3, 5, 17, 31))
    with pytest.raises(DeadlinePassedError, match="has passed"):
        matter.request_extension(unit_act(acts), CAP, "需现场踏勘")


def test_an_extension_must_move_the_deadline_later(matter: Matter, acts: Acts) -> None:
    with pytest.raises(InvalidInputError, match="after the current one"):
        matter.request_extension(unit_act(acts), HANDLE_DUE, "?")


def test_an_extension_to_exactly_the_cap_is_allowed_one_beyond_is_refused(
    matter: Matter, acts: Acts
) -> None:
    with pytest.raises(BeyondCapError, match="beyond the cap"):
        matter.request_extension(unit_act(acts), sh(2026, 4, 14, 17, 31), "需现场踏勘")
    matter.request_extension(unit_act(acts), CAP, "需现场踏勘")


@pytest.mark.parametrize("role", ["clerk", "leader", "enterprise"])
def test_only_the_holding_unit_may_ask_for_an_extension(
    matter: Matter, acts: Acts, role: str
) -> None:
    with pytest.raises(NotHoldingUnitError):
        matter.request_extension(acts.by("p", role, None), CAP, "?")


def test_a_second_extension_after_a_decision_is_allowed(
    matter: Matter, acts: Acts, clock: Clock
) -> None:
    first = matter.request_extension(unit_act(acts), sh(2026, 3, 10, 17, 30), "需现场踏勘")
    with pytest.raises(ExtensionPendingError):
        matter.request_extension(unit_act(acts), sh(2026, 3, 11, 17, 30), "再议")
    matter.approve_extension(acts.leader(), first.id)
    clock.set(sh(2026, 3, 9, 9))  # past the original deadline, before the extended one
    second = matter.request_extension(unit_act(acts), sh(2026, 3, 20, 17, 30), "需专家论证")
    matter.reject_extension(acts.leader(), second.id, "请按期办结")
    assert matter.current_step().due_at == sh(2026, 3, 10, 17, 30)
    assert matter.current_step().extended_from == HANDLE_DUE


def test_deciding_an_unknown_request_is_not_found(matter: Matter, acts: Acts) -> None:
    with pytest.raises(NotFoundError):
        matter.approve_extension(acts.leader(), uuid4())


def test_deciding_a_request_twice_is_refused(matter: Matter, acts: Acts) -> None:
    request = matter.request_extension(unit_act(acts), CAP, "需现场踏勘")
    matter.reject_extension(acts.leader(), request.id, "请按期办结")
    with pytest.raises(InvalidStateError, match="already rejected"):
        matter.approve_extension(acts.leader(), request.id)


def test_resolution_lapses_a_pending_extension(matter: Matter, acts: Acts) -> None:
    request = matter.request_extension(unit_act(acts), CAP, "需现场踏勘")
    matter.resolve(unit_act(acts), "已办结")
    assert matter.extension_request(request.id).status == "lapsed"


def test_a_stale_extension_cannot_move_the_rectification_deadline(
    matter: Matter, acts: Acts, clock: Clock
) -> None:
    request = matter.request_extension(unit_act(acts), CAP, "需现场踏勘")
    matter.resolve(unit_act(acts), "已办结")
    clock.set(sh(2026, 3, 3, 10))
    matter.rate(acts.enterprise(ENTERPRISE), RULES, 1, "没解决")
    rectify_due = matter.current_step().due_at
    with pytest.raises(InvalidStateError):
        matter.approve_extension(acts.leader(), request.id)
    assert matter.current_step().due_at == rectify_due


# -- resolution and rating -----------------------------------------------------------------


def test_only_the_holding_unit_may_resolve(matter: Matter, acts: Acts) -> None:
    with pytest.raises(NotHoldingUnitError):
        matter.resolve(acts.clerk(), "代为办结")
    with pytest.raises(NotHoldingUnitError):
        matter.resolve(unit_act(acts, OTHER_UNIT), "代为办结")


def test_rating_before_resolution_is_refused(matter: Matter, acts: Acts) -> None:
    with pytest.raises(InvalidStateError):
        matter.rate(acts.enterprise(ENTERPRISE), RULES, 5, None)


@pytest.mark.parametrize("level", [0, 6, -1])
def test_a_rating_outside_one_to_five_is_refused(resolved: Matter, acts: Acts, level: int) -> None:
    with pytest.raises(InvalidInputError, match="1 to 5"):
        resolved.rate(acts.enterprise(ENTERPRISE), RULES, level, None)


def test_another_enterprise_may_not_rate(resolved: Matter, acts: Acts) -> None:
    with pytest.raises(NotOwnEnterpriseError):
        resolved.rate(acts.enterprise(uuid4()), RULES, 5, None)
    with pytest.raises(NotOwnEnterpriseError):
        resolved.rate(acts.clerk(), RULES, 5, None)


@pytest.mark.parametrize("level", [3, 4, 5])
def test_a_good_or_middling_rating_closes_the_matter(
    resolved: Matter, acts: Acts, level: int
) -> None:
    rating = resolved.rate(acts.enterprise(ENTERPRISE), RULES, level, "满意")
    assert (rating.level, rating.resolution) == (level, 1)
    assert resolved.status == "closed"
    assert resolved.open_step_index() is None


@pytest.mark.parametrize("level", [1, 2])
def test_a_bad_rating_reopens_for_the_same_unit(resolved: Matter, acts: Acts, level: int) -> None:
    resolved.rate(acts.enterprise(ENTERPRISE), RULES, level, "未解决")
    rectify = resolved.current_step()
    assert resolved.status == "rectifying"
    assert (rectify.step, rectify.unit_id, rectify.rule) == ("rectify", UNIT, "working_days:5")


@pytest.mark.parametrize("level", [1, 5])
def test_a_second_rating_of_the_same_resolution_is_refused(
    resolved: Matter, acts: Acts, level: int
) -> None:
    resolved.rate(acts.enterprise(ENTERPRISE), RULES, level, None)
    with pytest.raises(AlreadyRatedError):
        resolved.rate(acts.enterprise(ENTERPRISE), RULES, 4, None)


def test_no_extension_may_be_asked_during_rectification(resolved: Matter, acts: Acts) -> None:
    resolved.rate(acts.enterprise(ENTERPRISE), RULES, 1, None)
    with pytest.raises(InvalidStateError):
        resolved.request_extension(unit_act(acts), CAP, "?")


# -- withdrawal ----------------------------------------------------------------------------


def test_withdrawal_before_assignment_cancels_the_assign_step(received: Matter, acts: Acts) -> None:
    received.withdraw(acts.enterprise(ENTERPRISE), "已自行解决")
    (assign,) = received.deadlines
    assert assign.cancelled_at == sh(2026, 3, 2, 9)
    assert assign.met_at is None
    assert received.status == "withdrawn"


def test_another_enterprise_may_not_withdraw(matter: Matter, acts: Acts) -> None:
    with pytest.raises(NotOwnEnterpriseError):
        matter.withdraw(acts.enterprise(uuid4()), "?")


def test_a_withdrawn_matter_takes_no_further_steps(matter: Matter, acts: Acts) -> None:
    matter.withdraw(acts.clerk(), "企业电话撤回")
    with pytest.raises(InvalidStateError):
        matter.resolve(unit_act(acts), "已办结")
    with pytest.raises(InvalidStateError):
        matter.withdraw(acts.clerk(), "again")
