"""The Park's use cases end to end, on SQLite and on PostgreSQL (SPEC §3 T8, §4, §5, §12 A1)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from domain.base import Act, Actor
from domain.calendar import YearSchedule
from domain.enterprise import Enterprise
from domain.errors import (
    AlreadyRatedError,
    BackdatingNotAllowedError,
    BeyondCapError,
    DeadlinePassedError,
    EnterpriseNotListedError,
    ExtensionPendingError,
    FutureTimeError,
    InvalidStateError,
    LeadLeaderInEffectError,
    NotFoundError,
    NotHoldingUnitError,
    NotOwnEnterpriseError,
    SameUnitError,
    VersionConflictError,
)
from domain.matter import Matter
from domain.park import Park
from domain.registry import Guarantor, Unit
from tests.conftest import Acts, Clock, sh

HANDLE_DUE = sh(2026, 3, 5, 17, 30)  # 3 working days after Mon 2026-03-02
CAP = sh(2026, 4, 14, 17, 30)  # 30 working days after Mon 2026-03-02


@pytest.fixture
def park(database_url: str, open_park: Callable[[str], Park]) -> Park:
    """The Park on each store in turn (closed before its schema is dropped)."""
    return open_park(database_url)


@pytest.fixture
def received(park: Park, acts: Acts, clock: Clock, enterprise: Enterprise) -> Matter:
    clock.set(sh(2026, 3, 2, 9))
    return park.receive_matter(acts.clerk(), enterprise.id, "用电增容", "要素保障", "window")


@pytest.fixture
def assigned(park: Park, acts: Acts, clock: Clock, received: Matter, unit: Unit) -> Matter:
    clock.set(sh(2026, 3, 2, 10))
    return park.assign_matter(acts.clerk(), received.id, unit.id)


@pytest.fixture
def resolved(park: Park, acts: Acts, clock: Clock, assigned: Matter, unit: Unit) -> Matter:
    clock.set(sh(2026, 3, 4, 15))
    return park.resolve_matter(acts.unit(unit.id), assigned.id, "已协调供电公司增容")


def stored(park: Park, matter: Matter) -> Matter:
    return park.load(Matter, matter.id)


def events_after(park: Park, head: int) -> list[Any]:
    notifications = park.recorder.select_notifications(head + 1, 1000)
    return [park.mapper.to_domain_event(n) for n in notifications]


# -- the calendar and the policy -----------------------------------------------------------


def test_bootstrap_publishes_the_library_years_and_policy_v1(park: Park) -> None:
    years = park.calendar_book().years
    assert min(years) == 2004
    assert max(years) == 2026
    assert years[2026].source.startswith("chinesecalendar")
    assert park.policy_book().in_force(date(2026, 3, 2)).version == 1


def test_bootstrapping_again_records_nothing(
    park: Park, open_park: Callable[[str], Park], database_url: str
) -> None:
    head = park.log_head()
    again = open_park(database_url)
    assert again.log_head() == head


# -- intake and assignment (M1, M2, T8) ----------------------------------------------------


def test_intake_on_national_day_eve_must_be_assigned_after_the_holiday(
    park: Park, acts: Acts, clock: Clock, enterprise: Enterprise
) -> None:
    clock.set(sh(2026, 9, 30, 16))
    matter = park.receive_matter(acts.clerk(), enterprise.id, "用工招聘", "人才", "phone")
    (assign,) = stored(park, matter).deadlines
    assert assign.due_at == sh(2026, 10, 8, 10, 30)
    assert not assign.provisional


def test_assignment_sets_three_working_days_and_the_thirty_day_cap(
    park: Park, acts: Acts, clock: Clock, enterprise: Enterprise, unit: Unit
) -> None:
    clock.set(sh(2026, 9, 30, 16))
    matter = park.receive_matter(acts.clerk(), enterprise.id, "用工招聘", "人才", "phone")
    clock.set(sh(2026, 10, 8, 9))
    park.assign_matter(acts.clerk(), matter.id, unit.id)
    matter = stored(park, matter)
    assign, handle = matter.deadlines
    assert assign.met_at == sh(2026, 10, 8, 9)
    assert (handle.unit_id, handle.due_at) == (str(unit.id), sh(2026, 10, 12, 17, 30))
    assert matter.cap is not None
    assert matter.cap.due_at == sh(2026, 11, 18, 17, 30)
    assert (matter.status, matter.unit_id) == ("assigned", str(unit.id))


def test_every_deadline_stores_the_calendar_and_policy_versions(
    park: Park, acts: Acts, clock: Clock, resolved: Matter, enterprise: Enterprise
) -> None:
    clock.set(sh(2026, 3, 5, 9))
    park.rate_matter(acts.enterprise(enterprise.id), resolved.id, 2, "未解决")
    matter = stored(park, resolved)
    assert matter.cap is not None
    steps = [*matter.deadlines, matter.cap]
    assert [d.step for d in steps] == ["assign", "handle", "rectify", "cap"]
    calendar_version = park.calendar_book().version
    assert {(d.calendar_version, d.policy_version) for d in steps} == {(calendar_version, 1)}


def test_a_new_policy_governs_deadlines_from_its_first_month(
    park: Park, acts: Acts, clock: Clock, enterprise: Enterprise, unit: Unit
) -> None:
    park.adopt_policy(acts.admin(), {"handle_working_days": 5}, "2026-04")
    clock.set(sh(2026, 4, 1, 9))
    matter = park.receive_matter(acts.clerk(), enterprise.id, "融资", "金融", "online")
    park.assign_matter(acts.clerk(), matter.id, unit.id)
    handle = stored(park, matter).deadlines[-1]
    assert (handle.due_at, handle.policy_version) == (sh(2026, 4, 9, 17, 30), 2)


def test_a_delisted_enterprise_cannot_raise_a_matter(
    park: Park, acts: Acts, enterprise: Enterprise
) -> None:
    park.delist_enterprise(acts.admin(), enterprise.id, "迁出园区")
    with pytest.raises(EnterpriseNotListedError):
        park.receive_matter(acts.clerk(), enterprise.id, "x", "x", "window")


def test_assigning_to_an_unknown_unit_is_not_found(
    park: Park, acts: Acts, received: Matter, other_enterprise: Enterprise
) -> None:
    with pytest.raises(NotFoundError, match="no unit"):
        park.assign_matter(acts.clerk(), received.id, other_enterprise.id)


# -- transfer (M3) -------------------------------------------------------------------------


def test_transfer_gives_the_new_unit_three_fresh_days_and_keeps_the_cap(
    park: Park, acts: Acts, clock: Clock, assigned: Matter, unit: Unit, other_unit: Unit
) -> None:
    clock.set(sh(2026, 3, 4, 11))
    park.transfer_matter(acts.unit(unit.id), assigned.id, other_unit.id, "属住建职责")
    matter = stored(park, assigned)
    handle = matter.deadlines[-1]
    assert (handle.unit_id, handle.due_at) == (str(other_unit.id), sh(2026, 3, 9, 17, 30))
    assert matter.cap is not None
    assert matter.cap.due_at == CAP
    assert matter.deadlines[1].met_at == sh(2026, 3, 4, 11)
    assert matter.unit_id == str(other_unit.id)


def test_transfer_to_the_same_unit_is_refused(
    park: Park, acts: Acts, assigned: Matter, unit: Unit
) -> None:
    with pytest.raises(SameUnitError):
        park.transfer_matter(acts.clerk(), assigned.id, unit.id, "?")


# -- extensions (M4) -----------------------------------------------------------------------


def test_extension_requested_by_another_unit_is_refused(
    park: Park, acts: Acts, assigned: Matter, other_unit: Unit
) -> None:
    with pytest.raises(NotHoldingUnitError):
        park.request_extension(acts.unit(other_unit.id), assigned.id, CAP, "需现场踏勘")


def test_extension_requested_after_the_deadline_is_refused(
    park: Park, acts: Acts, clock: Clock, assigned: Matter, unit: Unit
) -> None:
    clock.set(sh(2026, 3, 6, 9))
    with pytest.raises(DeadlinePassedError):
        park.request_extension(acts.unit(unit.id), assigned.id, CAP, "需现场踏勘")


def test_extension_beyond_cap_is_refused(
    park: Park, acts: Acts, assigned: Matter, unit: Unit
) -> None:
    head = park.log_head()
    with pytest.raises(BeyondCapError, match="2026-04-14T17:30"):
        park.request_extension(
            acts.unit(unit.id), assigned.id, sh(2026, 4, 15, 17, 30), "需专家论证"
        )
    assert park.log_head() == head


def test_only_one_extension_may_await_a_decision(
    park: Park, acts: Acts, assigned: Matter, unit: Unit
) -> None:
    park.request_extension(acts.unit(unit.id), assigned.id, sh(2026, 3, 10, 17, 30), "踏勘")
    with pytest.raises(ExtensionPendingError):
        park.request_extension(acts.unit(unit.id), assigned.id, sh(2026, 3, 11, 17, 30), "再议")


def test_approved_extension_moves_the_deadline_and_marks_the_matter_major(
    park: Park, acts: Acts, clock: Clock, assigned: Matter, unit: Unit
) -> None:
    wanted = sh(2026, 3, 20, 17, 30)
    _, request = park.request_extension(acts.unit(unit.id), assigned.id, wanted, "需现场踏勘")
    clock.set(sh(2026, 3, 3, 11))
    park.approve_extension(acts.leader(), assigned.id, request.id)
    matter = stored(park, assigned)
    handle = matter.current_step()
    assert (handle.due_at, handle.extended_from) == (wanted, HANDLE_DUE)
    assert matter.major
    assert matter.extension_request(request.id).status == "approved"


def test_rejected_extension_keeps_the_deadline(
    park: Park, acts: Acts, assigned: Matter, unit: Unit
) -> None:
    wanted = sh(2026, 3, 20, 17, 30)
    _, request = park.request_extension(acts.unit(unit.id), assigned.id, wanted, "需现场踏勘")
    park.reject_extension(acts.leader(), assigned.id, request.id, "请按期办结")
    matter = stored(park, assigned)
    assert matter.current_step().due_at == HANDLE_DUE
    assert not matter.major
    decided = matter.extension_request(request.id)
    assert (decided.status, decided.decision_reason) == ("rejected", "请按期办结")


# -- resolution and rating (M5, M6) --------------------------------------------------------


def test_resolution_in_time_meets_the_handle_step(park: Park, resolved: Matter) -> None:
    matter = stored(park, resolved)
    handle = matter.deadlines[-1]
    assert handle.met_at is not None
    assert handle.met_at <= handle.due_at
    assert (matter.status, matter.reply) == ("resolved", "已协调供电公司增容")


def test_resolution_after_the_deadline_is_late(
    park: Park, acts: Acts, clock: Clock, assigned: Matter, unit: Unit
) -> None:
    clock.set(sh(2026, 3, 6, 9))
    park.resolve_matter(acts.unit(unit.id), assigned.id, "已办结")
    handle = stored(park, assigned).deadlines[-1]
    assert handle.met_at == sh(2026, 3, 6, 9)
    assert handle.met_at > handle.due_at


def test_rating_before_resolution_is_refused(
    park: Park, acts: Acts, assigned: Matter, enterprise: Enterprise
) -> None:
    with pytest.raises(InvalidStateError):
        park.rate_matter(acts.enterprise(enterprise.id), assigned.id, 5, None)


def test_only_the_matters_own_enterprise_may_rate(
    park: Park, acts: Acts, resolved: Matter, other_enterprise: Enterprise
) -> None:
    with pytest.raises(NotOwnEnterpriseError):
        park.rate_matter(acts.enterprise(other_enterprise.id), resolved.id, 5, None)


def test_a_good_rating_closes_and_a_second_rating_is_refused(
    park: Park, acts: Acts, clock: Clock, resolved: Matter, enterprise: Enterprise
) -> None:
    clock.set(sh(2026, 3, 5, 9))
    park.rate_matter(acts.enterprise(enterprise.id), resolved.id, 4, "满意")
    assert stored(park, resolved).status == "closed"
    with pytest.raises(AlreadyRatedError):
        park.rate_matter(acts.enterprise(enterprise.id), resolved.id, 5, None)


def test_a_bad_rating_reopens_for_rectification_within_five_working_days(
    park: Park, acts: Acts, clock: Clock, resolved: Matter, enterprise: Enterprise, unit: Unit
) -> None:
    clock.set(sh(2026, 3, 5, 10))
    park.rate_matter(acts.enterprise(enterprise.id), resolved.id, 1, "未解决")
    matter = stored(park, resolved)
    rectify = matter.current_step()
    assert matter.status == "rectifying"
    assert (rectify.step, rectify.unit_id) == ("rectify", str(unit.id))
    assert rectify.due_at == sh(2026, 3, 12, 17, 30)
    with pytest.raises(AlreadyRatedError):
        park.rate_matter(acts.enterprise(enterprise.id), resolved.id, 5, None)


def test_the_next_resolution_after_rectification_is_rated_again(
    park: Park, acts: Acts, clock: Clock, resolved: Matter, enterprise: Enterprise, unit: Unit
) -> None:
    clock.set(sh(2026, 3, 5, 10))
    park.rate_matter(acts.enterprise(enterprise.id), resolved.id, 2, "未解决")
    clock.set(sh(2026, 3, 10, 10))
    park.resolve_matter(acts.unit(unit.id), resolved.id, "已整改到位")
    clock.set(sh(2026, 3, 11, 10))
    park.rate_matter(acts.enterprise(enterprise.id), resolved.id, 5, "非常满意")
    matter = stored(park, resolved)
    assert matter.status == "closed"
    assert [(r.level, r.resolution) for r in matter.ratings] == [(2, 1), (5, 2)]
    assert matter.deadlines[-1].met_at == sh(2026, 3, 10, 10)


# -- withdrawal ----------------------------------------------------------------------------


def test_withdrawal_before_resolution_cancels_open_deadlines(
    park: Park, acts: Acts, clock: Clock, assigned: Matter, enterprise: Enterprise
) -> None:
    clock.set(sh(2026, 3, 3, 9))
    park.withdraw_matter(acts.enterprise(enterprise.id), assigned.id, "已自行解决")
    matter = stored(park, assigned)
    assert matter.status == "withdrawn"
    assert matter.deadlines[-1].cancelled_at == sh(2026, 3, 3, 9)
    assert not any(d.open for d in matter.deadlines)


def test_withdrawal_after_resolution_is_refused(
    park: Park, acts: Acts, resolved: Matter, enterprise: Enterprise
) -> None:
    with pytest.raises(InvalidStateError):
        park.withdraw_matter(acts.enterprise(enterprise.id), resolved.id, "?")


# -- concurrency ---------------------------------------------------------------------------


def test_stale_expected_version_is_a_conflict_and_records_nothing(
    park: Park, acts: Acts, assigned: Matter, unit: Unit
) -> None:
    head = park.log_head()
    with pytest.raises(VersionConflictError, match=f"at version {assigned.version}"):
        park.resolve_matter(
            acts.unit(unit.id), assigned.id, "已办结", expected_version=assigned.version - 1
        )
    assert park.log_head() == head
    assert stored(park, assigned).status == "assigned"


def test_the_slower_of_two_concurrent_writers_gets_a_conflict(
    park: Park, acts: Acts, assigned: Matter, unit: Unit
) -> None:
    first, second = stored(park, assigned), stored(park, assigned)
    first.resolve(acts.unit(unit.id), "已办结")
    second.withdraw(acts.clerk(), "企业撤回")
    park.commit(first)
    head = park.log_head()
    with pytest.raises(VersionConflictError, match="read it again"):
        park.commit(second)
    assert park.log_head() == head
    assert stored(park, assigned).status == "resolved"


# -- late entry and the audit trail (A1) ---------------------------------------------------


def test_a_clerk_may_late_enter_when_a_matter_was_received(
    park: Park, acts: Acts, clock: Clock, enterprise: Enterprise
) -> None:
    clock.set(sh(2026, 3, 3, 9))
    act = acts.late("clerk", sh(2026, 3, 2, 16), {"admin", "clerk"})
    matter = park.receive_matter(act, enterprise.id, "电话诉求补录", "要素保障", "phone")
    assert stored(park, matter).received_at == sh(2026, 3, 2, 16)
    events: list[Any] = list(park.events.get(matter.id))
    (received,) = events
    assert received.backdated
    assert received.timestamp == sh(2026, 3, 3, 9)
    assert received.occurred_at == sh(2026, 3, 2, 16)


def test_late_entry_by_a_clerk_of_other_facts_is_refused(acts: Acts) -> None:
    with pytest.raises(BackdatingNotAllowedError, match="'clerk'"):
        acts.late("clerk", sh(2026, 3, 1, 9), {"admin"})


def test_late_entry_in_the_future_is_refused(acts: Acts) -> None:
    with pytest.raises(FutureTimeError):
        acts.late("admin", sh(2026, 3, 2, 9, 1), {"admin"})


def test_every_event_carries_the_actor_and_the_request(
    park: Park, clock: Clock, enterprise: Enterprise, unit: Unit
) -> None:
    def act(principal: str, role: str, request: str, scope: object = None) -> Act:
        actor = Actor(principal, role, request, scope=None if scope is None else str(scope))
        return Act.now(actor, clock)

    head = park.log_head()
    matter = park.receive_matter(act("p1", "clerk", "r1"), enterprise.id, "x", "x", "visit")
    park.assign_matter(act("p1", "clerk", "r2"), matter.id, unit.id)
    _, request = park.request_extension(
        act("p2", "unit", "r3", unit.id), matter.id, CAP, "需现场踏勘"
    )
    park.approve_extension(act("p3", "leader", "r4"), matter.id, request.id)
    park.resolve_matter(act("p2", "unit", "r5", unit.id), matter.id, "已办结")
    park.rate_matter(act("p4", "enterprise", "r6", enterprise.id), matter.id, 5, None)
    seen = [
        (type(e).__name__, e.actor.principal_id, e.actor.role, e.actor.request_id)
        for e in events_after(park, head)
    ]
    assert seen == [
        ("Received", "p1", "clerk", "r1"),
        ("Assigned", "p1", "clerk", "r2"),
        ("ExtensionRequested", "p2", "unit", "r3"),
        ("ExtensionApproved", "p3", "leader", "r4"),
        ("Resolved", "p2", "unit", "r5"),
        ("Rated", "p4", "enterprise", "r6"),
    ]
    assert all(not e.backdated for e in events_after(park, head))


# -- provisional deadlines (T4) ------------------------------------------------------------

SCHEDULE_2027 = YearSchedule(
    2027,
    holidays=frozenset(
        [date(2027, 1, d) for d in (1, 2, 3, 4)] + [date(2027, 2, d) for d in range(5, 12)]
    ),
    workdays=frozenset([date(2027, 1, 31)]),
    source="国办发明电〔2026〕X号",
)


@pytest.fixture
def year_end_matter(
    park: Park, acts: Acts, clock: Clock, enterprise: Enterprise, unit: Unit
) -> Matter:
    clock.set(sh(2026, 12, 29, 9))
    matter = park.receive_matter(acts.clerk(), enterprise.id, "年底用地", "用地", "window")
    clock.set(sh(2026, 12, 29, 10))
    return park.assign_matter(acts.clerk(), matter.id, unit.id)


def test_a_deadline_reaching_an_unpublished_year_is_provisional(year_end_matter: Matter) -> None:
    assign, handle = year_end_matter.deadlines
    assert not assign.provisional
    assert (handle.due_at, handle.provisional) == (sh(2027, 1, 4, 17, 30), True)
    assert year_end_matter.cap is not None
    assert year_end_matter.cap.provisional


def test_publishing_the_year_recomputes_provisional_deadlines_as_events(
    park: Park, acts: Acts, clock: Clock, year_end_matter: Matter
) -> None:
    clock.set(sh(2026, 12, 30, 9))
    park.publish_calendar(acts.admin(), SCHEDULE_2027)
    head = park.log_head()
    assert park.recompute_provisional(acts.admin(), [year_end_matter.id]) == 1
    matter = stored(park, year_end_matter)
    handle = matter.deadlines[-1]
    assert (handle.due_at, handle.provisional) == (sh(2027, 1, 5, 17, 30), False)
    assert handle.calendar_version == park.calendar_book().version
    assert matter.cap is not None
    assert (matter.cap.due_at, matter.cap.provisional) == (sh(2027, 2, 17, 17, 30), False)
    recomputed = events_after(park, head)
    assert {type(e) for e in recomputed} == {Matter.DeadlineRecomputed}
    assert sorted(e.index for e in recomputed) == [-1, 1]


def test_recomputing_again_records_nothing(
    park: Park, acts: Acts, clock: Clock, year_end_matter: Matter
) -> None:
    clock.set(sh(2026, 12, 30, 9))
    park.publish_calendar(acts.admin(), SCHEDULE_2027)
    park.recompute_provisional(acts.admin(), [year_end_matter.id])
    head = park.log_head()
    assert park.recompute_provisional(acts.admin(), [year_end_matter.id]) == 0
    assert park.log_head() == head


def test_a_withdrawn_matter_has_no_open_deadline_to_recompute(
    park: Park, acts: Acts, clock: Clock, year_end_matter: Matter
) -> None:
    clock.set(sh(2026, 12, 29, 11))
    park.withdraw_matter(acts.clerk(), year_end_matter.id, "企业撤回")
    park.publish_calendar(acts.admin(), SCHEDULE_2027)
    head = park.log_head()
    assert park.recompute_provisional(acts.admin(), [year_end_matter.id]) == 0
    assert park.log_head() == head


def test_a_policy_and_a_calendar_changed_by_another_process_govern_the_next_command(
    park: Park,
    database_url: str,
    open_park: Callable[[str], Park],
    acts: Acts,
    clock: Clock,
    enterprise: Enterprise,
    unit: Unit,
) -> None:
    """A process holds the policy and the calendar between commands; what another process
    adopted or published meanwhile governs its next command."""
    clock.set(sh(2026, 12, 29, 9))
    before = park.receive_matter(acts.clerk(), enterprise.id, "年底用地", "用地", "window")
    held = park.assign_matter(acts.clerk(), before.id, unit.id).deadlines[-1]
    assert (held.policy_version, held.provisional) == (1, True)
    other = open_park(database_url)
    other.adopt_policy(acts.admin(), {"handle_working_days": 5}, "2026-12")
    other.publish_calendar(acts.admin(), SCHEDULE_2027)
    clock.set(sh(2026, 12, 29, 10))
    after = park.receive_matter(acts.clerk(), enterprise.id, "年底用电", "用电", "window")
    handle = park.assign_matter(acts.clerk(), after.id, unit.id).deadlines[-1]
    assert (handle.policy_version, handle.calendar_version, handle.provisional) == (
        2,
        other.calendar_book().version,
        False,
    )
    # Five working days from Tuesday 29 December, over New Year's days 1 to 4 January 2027.
    assert handle.due_at == sh(2027, 1, 7, 17, 30)


# -- guarantors through the Park (§4) ------------------------------------------------------


def test_reassign_is_one_save_with_both_events(
    park: Park,
    acts: Acts,
    enterprise: Enterprise,
    leader: Guarantor,
    other_leader: Guarantor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, zhang = park.assign_guarantor(
        acts.admin(), enterprise.id, leader.id, "lead_leader", date(2026, 1, 5)
    )
    transactions: list[int] = []
    put = park.events.put

    def counting_put(events: Any, **kwargs: Any) -> Any:
        transactions.append(len(events))
        return put(events, **kwargs)

    monkeypatch.setattr(park.events, "put", counting_put)
    head = park.log_head()
    park.reassign(
        acts.admin(), enterprise.id, "lead_leader", other_leader.id, date(2026, 3, 1), "调任"
    )
    assert transactions == [2]
    released, assigned = events_after(park, head)
    assert isinstance(released, Enterprise.GuarantorReleased)
    assert (released.assignment_id, released.effective_to) == (zhang.id, date(2026, 2, 28))
    assert isinstance(assigned, Enterprise.GuarantorAssigned)
    assert (assigned.guarantor_id, assigned.effective_from) == (other_leader.id, date(2026, 3, 1))


def test_a_refused_second_lead_leader_records_nothing(
    park: Park, acts: Acts, enterprise: Enterprise, leader: Guarantor, other_leader: Guarantor
) -> None:
    park.assign_guarantor(acts.admin(), enterprise.id, leader.id, "lead_leader", date(2026, 1, 5))
    head = park.log_head()
    with pytest.raises(LeadLeaderInEffectError):
        park.assign_guarantor(
            acts.admin(), enterprise.id, other_leader.id, "lead_leader", date(2026, 3, 1)
        )
    assert park.log_head() == head


def test_who_guaranteed_on_a_past_date_survives_a_restart(
    park: Park,
    open_park: Callable[[str], Park],
    database_url: str,
    acts: Acts,
    enterprise: Enterprise,
    leader: Guarantor,
    other_leader: Guarantor,
    department: Guarantor,
) -> None:
    park.assign_guarantor(acts.admin(), enterprise.id, leader.id, "lead_leader", date(2026, 1, 5))
    park.assign_guarantor(
        acts.admin(), enterprise.id, department.id, "department", date(2026, 2, 1)
    )
    park.reassign(
        acts.admin(), enterprise.id, "lead_leader", other_leader.id, date(2026, 3, 1), "调任"
    )
    reloaded = open_park(database_url).load(Enterprise, enterprise.id)

    def on(day: date) -> list[tuple[Any, str]]:
        return [(a.guarantor_id, a.role) for a in reloaded.guarantors_on(day)]

    assert on(date(2026, 1, 4)) == []
    assert on(date(2026, 1, 20)) == [(leader.id, "lead_leader")]
    assert on(date(2026, 2, 28)) == [(leader.id, "lead_leader"), (department.id, "department")]
    assert on(date(2026, 3, 1)) == [
        (other_leader.id, "lead_leader"),
        (department.id, "department"),
    ]


def test_assigning_a_guarantor_to_a_delisted_enterprise_is_refused(
    park: Park, acts: Acts, enterprise: Enterprise, leader: Guarantor
) -> None:
    park.delist_enterprise(acts.admin(), enterprise.id, "迁出园区")
    with pytest.raises(EnterpriseNotListedError):
        park.assign_guarantor(
            acts.admin(), enterprise.id, leader.id, "lead_leader", date(2026, 3, 1)
        )
    park.relist_enterprise(acts.admin(), enterprise.id, "迁回园区")
    park.assign_guarantor(acts.admin(), enterprise.id, leader.id, "lead_leader", date(2026, 3, 1))


def test_times_read_back_from_the_store_are_aware(park: Park, received: Matter) -> None:
    matter = stored(park, received)
    assert matter.received_at == sh(2026, 3, 2, 9)
    assert all(t.utcoffset() is not None for t in (matter.received_at, matter.deadlines[0].due_at))


def test_recomputation_keeps_the_office_hours_the_deadline_was_set_under(
    park: Park, acts: Acts, clock: Clock, enterprise: Enterprise, unit: Unit
) -> None:
    clock.set(sh(2026, 11, 30, 9))
    matter = park.receive_matter(acts.clerk(), enterprise.id, "年底用地", "用地", "window")
    park.adopt_policy(
        acts.admin(), {"office_sessions": [["08:30", "12:00"], ["14:00", "17:00"]]}, "2026-12"
    )
    clock.set(sh(2026, 12, 29, 10))
    park.assign_matter(acts.clerk(), matter.id, unit.id)
    assert stored(park, matter).deadlines[-1].due_at == sh(2027, 1, 4, 17)
    park.publish_calendar(acts.admin(), SCHEDULE_2027)
    park.recompute_provisional(acts.admin(), [matter.id])
    handle = stored(park, matter).deadlines[-1]
    assert (handle.due_at, handle.policy_version) == (sh(2027, 1, 5, 17), 2)
