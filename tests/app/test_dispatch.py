"""The leading group and dispatches through the Park, on SQLite and PostgreSQL (SPEC §6)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any
from uuid import uuid4

import pytest

from domain.base import Act
from domain.cadence import Convened, Tenure, compliance
from domain.enterprise import Enterprise
from domain.errors import (
    EnterpriseNotListedError,
    FutureTimeError,
    InvalidInputError,
    NotFoundError,
)
from domain.leading_group import (
    AlreadyMemberError,
    DirectiveOrder,
    Dispatch,
    GroupMember,
    NotAPersonError,
    NotGroupMemberError,
    TenureEndedError,
)
from domain.matter import Matter
from domain.park import Park
from domain.registry import Guarantor, Unit
from domain.storage import parse_database_url
from projections.dispatch import DispatchProjection
from projections.runner import Follower
from projections.sql import ViewDatabase
from tests.conftest import Acts, Clock, sh

MARCH_1 = date(2026, 3, 1)


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
def group_leader(park: Park, acts: Acts, leader: Guarantor) -> GroupMember:
    return park.appoint_member(acts.admin(), leader.id, "group_leader", MARCH_1)


def leader_at(acts: Acts, held_at: datetime) -> Act:
    """A leader recording a meeting held at `held_at` (its business time)."""
    return acts.late("leader", held_at, {"leader"})


def head(park: Park) -> int:
    return park.log_head()


def events_after(park: Park, position: int) -> list[Any]:
    notifications = park.recorder.select_notifications(position + 1, 1000)
    return [park.mapper.to_domain_event(n) for n in notifications]


# -- appointments --------------------------------------------------------------------------


def test_a_registered_person_is_appointed_from_a_date(
    park: Park, group_leader: GroupMember, leader: Guarantor
) -> None:
    stored = park.load(GroupMember, group_leader.id)
    assert (stored.person_id, stored.role, stored.effective_from) == (
        leader.id,
        "group_leader",
        MARCH_1,
    )
    assert stored.effective_to is None
    assert [m.id for m in park.tenures_of(leader.id)] == [group_leader.id]


def test_the_appointment_records_who_appointed(park: Park, acts: Acts, leader: Guarantor) -> None:
    act = acts.admin()
    member = park.appoint_member(act, leader.id, "deputy_group_leader", MARCH_1)
    (event, *_) = park.events.get(member.id)
    assert isinstance(event, GroupMember.Appointed)
    assert event.actor == act.actor
    assert event.occurred_at == act.occurred_at


def test_a_department_cannot_join_the_leading_group(
    park: Park, acts: Acts, department: Guarantor
) -> None:
    with pytest.raises(NotAPersonError):
        park.appoint_member(acts.admin(), department.id, "group_leader", MARCH_1)


def test_an_unknown_person_cannot_be_appointed(park: Park, acts: Acts) -> None:
    with pytest.raises(NotFoundError):
        park.appoint_member(acts.admin(), uuid4(), "group_leader", MARCH_1)


def test_an_unknown_role_is_refused(park: Park, acts: Acts, leader: Guarantor) -> None:
    before = head(park)
    with pytest.raises(InvalidInputError):
        park.appoint_member(acts.admin(), leader.id, "chain_leader", MARCH_1)
    assert head(park) == before


@pytest.mark.parametrize("starts", [date(2026, 3, 1), date(2026, 6, 1), date(2026, 1, 1)])
def test_a_second_appointment_overlapping_the_first_is_refused(
    park: Park, acts: Acts, leader: Guarantor, group_leader: GroupMember, starts: date
) -> None:
    with pytest.raises(AlreadyMemberError):
        park.appoint_member(acts.admin(), leader.id, "deputy_group_leader", starts)


def test_after_a_tenure_ends_the_person_may_be_appointed_again(
    park: Park, acts: Acts, leader: Guarantor, group_leader: GroupMember
) -> None:
    park.end_tenure(acts.admin(), group_leader.id, date(2026, 5, 31), "换届")
    with pytest.raises(AlreadyMemberError):
        park.appoint_member(acts.admin(), leader.id, "deputy_group_leader", date(2026, 5, 31))
    again = park.appoint_member(acts.admin(), leader.id, "deputy_group_leader", date(2026, 6, 1))
    assert [m.id for m in park.tenures_of(leader.id)] == [group_leader.id, again.id]


def test_other_people_are_not_affected_by_an_appointment(
    park: Park, acts: Acts, group_leader: GroupMember, other_leader: Guarantor
) -> None:
    deputy = park.appoint_member(acts.admin(), other_leader.id, "deputy_group_leader", MARCH_1)
    assert deputy.person_id == other_leader.id


def test_a_tenure_ends_on_its_last_day(park: Park, acts: Acts, group_leader: GroupMember) -> None:
    park.end_tenure(acts.admin(), group_leader.id, date(2026, 3, 20), "调任")
    stored = park.load(GroupMember, group_leader.id)
    assert (stored.effective_to, stored.end_reason) == (date(2026, 3, 20), "调任")
    assert stored.in_tenure_on(date(2026, 3, 20))
    assert not stored.in_tenure_on(date(2026, 3, 21))


def test_a_tenure_cannot_end_twice_or_before_it_began(
    park: Park, acts: Acts, group_leader: GroupMember
) -> None:
    with pytest.raises(InvalidInputError):
        park.end_tenure(acts.admin(), group_leader.id, date(2026, 2, 28), "调任")
    park.end_tenure(acts.admin(), group_leader.id, date(2026, 3, 20), "调任")
    with pytest.raises(TenureEndedError):
        park.end_tenure(acts.admin(), group_leader.id, date(2026, 3, 25), "调任")


# -- dispatches ----------------------------------------------------------------------------


def test_a_directive_becomes_a_matter_assigned_to_its_unit(
    park: Park,
    acts: Acts,
    leader: Guarantor,
    group_leader: GroupMember,
    enterprise: Enterprise,
    unit: Unit,
) -> None:
    held_at = sh(2026, 3, 2, 9)
    order = DirectiveOrder(enterprise.id, "协调解决用地指标", unit.id)
    dispatch = park.hold_dispatch(
        leader_at(acts, held_at), leader.id, "scheduled", held_at, [enterprise.id], [], [order]
    )
    stored = park.load(Dispatch, dispatch.id)
    assert (stored.convener_id, stored.member_id, stored.role) == (
        leader.id,
        group_leader.id,
        "group_leader",
    )
    (directive,) = stored.directives
    matter = park.load(Matter, directive.matter_id)
    assert (matter.channel, matter.status, matter.unit_id) == ("dispatch", "assigned", str(unit.id))
    assert matter.summary == "协调解决用地指标"
    assert matter.received_at == held_at
    assert matter.deadlines[-1].step == "handle"
    assert matter.deadlines[-1].due_at == sh(2026, 3, 5, 17, 30)  # 3 working days


def test_the_dispatch_and_its_matters_are_recorded_in_one_commit(
    park: Park,
    acts: Acts,
    leader: Guarantor,
    group_leader: GroupMember,
    enterprise: Enterprise,
    unit: Unit,
    other_unit: Unit,
) -> None:
    before = head(park)
    held_at = sh(2026, 3, 2, 9)
    orders = [
        DirectiveOrder(enterprise.id, "协调用电", unit.id),
        DirectiveOrder(enterprise.id, "协调用水", other_unit.id),
    ]
    dispatch = park.hold_dispatch(
        leader_at(acts, held_at), leader.id, "ad_hoc", held_at, [], [], orders
    )
    events = events_after(park, before)
    assert [type(e).__qualname__ for e in events].count("Matter.Received") == 2
    assert [type(e).__qualname__ for e in events].count("Matter.Assigned") == 2
    assert sum(isinstance(e, Dispatch.Held) for e in events) == 1
    request_ids = {e.actor.request_id for e in events}
    assert len(request_ids) == 1
    assert all(e.occurred_at == held_at for e in events)
    assert dispatch.matter_ids == []


def test_a_directive_to_an_unknown_unit_records_nothing(
    park: Park,
    acts: Acts,
    leader: Guarantor,
    group_leader: GroupMember,
    enterprise: Enterprise,
    unit: Unit,
) -> None:
    before = head(park)
    held_at = sh(2026, 3, 2, 9)
    orders = [
        DirectiveOrder(enterprise.id, "协调用电", unit.id),
        DirectiveOrder(enterprise.id, "协调用水", uuid4()),
    ]
    with pytest.raises(NotFoundError):
        park.hold_dispatch(leader_at(acts, held_at), leader.id, "ad_hoc", held_at, [], [], orders)
    assert head(park) == before


def test_a_directive_for_a_delisted_enterprise_is_refused(
    park: Park,
    acts: Acts,
    leader: Guarantor,
    group_leader: GroupMember,
    enterprise: Enterprise,
    unit: Unit,
) -> None:
    park.delist_enterprise(acts.admin(), enterprise.id, "迁出园区")
    held_at = sh(2026, 3, 2, 9)
    order = DirectiveOrder(enterprise.id, "协调用电", unit.id)
    with pytest.raises(EnterpriseNotListedError):
        park.hold_dispatch(leader_at(acts, held_at), leader.id, "ad_hoc", held_at, [], [], [order])


@pytest.mark.parametrize("what", ["enterprise", "matter"])
def test_a_dispatch_covering_an_unknown_enterprise_or_matter_is_refused(
    park: Park, acts: Acts, leader: Guarantor, group_leader: GroupMember, what: str
) -> None:
    held_at = sh(2026, 3, 2, 9)
    enterprises, matters = ([uuid4()], []) if what == "enterprise" else ([], [uuid4()])
    with pytest.raises(NotFoundError):
        park.hold_dispatch(
            leader_at(acts, held_at), leader.id, "scheduled", held_at, enterprises, matters, []
        )


def test_a_dispatch_covers_existing_matters(
    park: Park, acts: Acts, leader: Guarantor, group_leader: GroupMember, enterprise: Enterprise
) -> None:
    matter = park.receive_matter(acts.clerk(), enterprise.id, "用电增容", "要素保障", "window")
    held_at = sh(2026, 3, 2, 9)
    dispatch = park.hold_dispatch(
        leader_at(acts, held_at),
        leader.id,
        "scheduled",
        held_at,
        [enterprise.id, enterprise.id],
        [matter.id],
        [],
    )
    assert park.load(Dispatch, dispatch.id).enterprise_ids == [enterprise.id]
    assert park.load(Dispatch, dispatch.id).matter_ids == [matter.id]


def test_a_dispatch_covering_nothing_is_refused(
    park: Park, acts: Acts, leader: Guarantor, group_leader: GroupMember
) -> None:
    held_at = sh(2026, 3, 2, 9)
    with pytest.raises(InvalidInputError):
        park.hold_dispatch(leader_at(acts, held_at), leader.id, "scheduled", held_at, [], [], [])


def test_an_unknown_kind_of_dispatch_is_refused(
    park: Park, acts: Acts, leader: Guarantor, group_leader: GroupMember, enterprise: Enterprise
) -> None:
    held_at = sh(2026, 3, 2, 9)
    with pytest.raises(InvalidInputError):
        park.hold_dispatch(
            leader_at(acts, held_at), leader.id, "monthly", held_at, [enterprise.id], [], []
        )


def test_someone_outside_the_leading_group_cannot_convene(
    park: Park, acts: Acts, other_leader: Guarantor, enterprise: Enterprise
) -> None:
    held_at = sh(2026, 3, 2, 9)
    with pytest.raises(NotGroupMemberError) as refused:
        park.hold_dispatch(
            leader_at(acts, held_at), other_leader.id, "scheduled", held_at, [enterprise.id], [], []
        )
    assert refused.value.code == "not_group_member"
    assert refused.value.status == 409


@pytest.mark.parametrize(
    ("held_at", "member"),
    [
        (sh(2026, 3, 9, 23, 59), False),  # the day before the tenure began
        (sh(2026, 3, 10, 0, 0), True),
        (sh(2026, 3, 20, 23, 59), True),  # its last day
    ],
)
def test_the_convener_must_be_in_tenure_on_the_shanghai_day_it_was_held(
    park: Park,
    acts: Acts,
    clock: Clock,
    leader: Guarantor,
    enterprise: Enterprise,
    held_at: datetime,
    member: bool,
) -> None:
    deputy = park.appoint_member(acts.admin(), leader.id, "deputy_group_leader", date(2026, 3, 10))
    park.end_tenure(acts.admin(), deputy.id, date(2026, 3, 20), "调任")
    clock.set(sh(2026, 3, 21, 9))
    act = acts.late("admin", held_at, {"admin"})
    if member:
        park.hold_dispatch(act, leader.id, "scheduled", held_at, [enterprise.id], [], [])
    else:
        with pytest.raises(NotGroupMemberError):
            park.hold_dispatch(act, leader.id, "scheduled", held_at, [enterprise.id], [], [])


def test_a_dispatch_in_the_future_is_refused(
    park: Park, acts: Acts, leader: Guarantor, group_leader: GroupMember, enterprise: Enterprise
) -> None:
    with pytest.raises(FutureTimeError):
        park.hold_dispatch(
            acts.leader(), leader.id, "scheduled", sh(2026, 3, 2, 10), [enterprise.id], [], []
        )


def test_the_business_time_of_a_dispatch_is_when_it_was_held(
    park: Park, acts: Acts, leader: Guarantor, group_leader: GroupMember, enterprise: Enterprise
) -> None:
    with pytest.raises(InvalidInputError):
        park.hold_dispatch(
            acts.leader(), leader.id, "scheduled", sh(2026, 3, 2, 8), [enterprise.id], [], []
        )


def test_a_late_entered_dispatch_is_backdated_and_its_matters_run_from_the_meeting(
    park: Park,
    acts: Acts,
    clock: Clock,
    leader: Guarantor,
    group_leader: GroupMember,
    enterprise: Enterprise,
    unit: Unit,
) -> None:
    clock.set(sh(2026, 3, 10, 9))
    held_at = sh(2026, 3, 3, 15)
    act = acts.late("admin", held_at, {"admin"})
    order = DirectiveOrder(enterprise.id, "协调融资", unit.id)
    before = head(park)
    dispatch = park.hold_dispatch(act, leader.id, "scheduled", held_at, [], [], [order])
    assert all(e.backdated for e in events_after(park, before))
    matter = park.load(Matter, dispatch.directives[0].matter_id)
    assert matter.deadlines[-1].due_at == sh(2026, 3, 6, 17, 30)


def test_compliance_of_stored_members_and_dispatches(
    park: Park,
    acts: Acts,
    clock: Clock,
    leader: Guarantor,
    other_leader: Guarantor,
    group_leader: GroupMember,
    enterprise: Enterprise,
) -> None:
    deputy = park.appoint_member(acts.admin(), other_leader.id, "deputy_group_leader", MARCH_1)
    clock.set(sh(2026, 3, 16, 9))
    dispatch = park.hold_dispatch(
        acts.leader(), other_leader.id, "scheduled", clock(), [enterprise.id], [], []
    )
    members = [park.load(GroupMember, m) for m in (group_leader.id, deputy.id)]
    held = [Convened.of(park.load(Dispatch, dispatch.id))]
    report = compliance([Tenure.of(m) for m in members], held, "2026-03", sh(2026, 4, 1))
    assert [(r.tenure.member_id, r.held, r.missed) for r in report] == [
        (group_leader.id, 0, 1),
        (deputy.id, 1, 1),
    ]


# -- the projection ------------------------------------------------------------------------


def rows(views: ViewDatabase, table: str) -> list[dict[str, Any]]:
    return [json.loads(doc) for (doc,) in views.read(f"SELECT doc FROM {table} ORDER BY seq")]


def test_the_projection_keeps_members_and_dispatches_and_rebuilds_the_same(
    park: Park,
    views: ViewDatabase,
    acts: Acts,
    clock: Clock,
    leader: Guarantor,
    group_leader: GroupMember,
    enterprise: Enterprise,
    unit: Unit,
) -> None:
    held_at = sh(2026, 3, 2, 9)
    order = DirectiveOrder(enterprise.id, "协调用地", unit.id)
    dispatch = park.hold_dispatch(
        leader_at(acts, held_at), leader.id, "scheduled", held_at, [enterprise.id], [], [order]
    )
    follower = Follower(park, views)
    follower.catch_up()
    park.end_tenure(acts.admin(), group_leader.id, date(2026, 3, 31), "换届")
    follower.catch_up()

    (member,) = rows(views, "v_group_members")
    assert member["id"] == str(group_leader.id)
    assert (member["effective_to"], member["end_reason"], member["version"]) == (
        "2026-03-31",
        "换届",
        2,
    )
    (stored,) = rows(views, "v_dispatches")
    assert stored["id"] == str(dispatch.id)
    assert stored["held_at"] == "2026-03-02T09:00:00+08:00"
    assert stored["directives"][0]["matter_id"] == str(dispatch.directives[0].matter_id)
    assert views.read("SELECT period, held_on FROM v_dispatches") == [("2026-03", "2026-03-02")]

    projection = follower.projection("dispatch")
    assert isinstance(projection, DispatchProjection)
    with views.transaction(write=False) as tx:
        live = projection.digest(tx)
    follower.reset("dispatch")
    assert rows(views, "v_group_members") == []
    follower.catch_up()
    with views.transaction(write=False) as tx:
        assert projection.digest(tx) == live


def test_the_projection_files_a_dispatch_under_its_shanghai_month(
    park: Park,
    views: ViewDatabase,
    acts: Acts,
    clock: Clock,
    leader: Guarantor,
    group_leader: GroupMember,
    enterprise: Enterprise,
) -> None:
    clock.set(sh(2026, 4, 1, 9))
    held_at = datetime.fromisoformat("2026-03-31T15:30:00+00:00")  # 23:30 in Shanghai
    park.hold_dispatch(
        acts.late("admin", held_at, {"admin"}),
        leader.id,
        "ad_hoc",
        held_at,
        [enterprise.id],
        [],
        [],
    )
    Follower(park, views).catch_up()
    assert views.read("SELECT period, held_on FROM v_dispatches") == [("2026-03", "2026-03-31")]
