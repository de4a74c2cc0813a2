"""Use cases of the leading group: appointments, tenures and dispatch meetings (SPEC §6)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from domain.application import ParkCore
from domain.base import Act
from domain.enterprise import Enterprise
from domain.leading_group import (
    DIRECTIVE_CATEGORY,
    Directive,
    DirectiveOrder,
    Dispatch,
    GroupMember,
    NotAPersonError,
    NotGroupMemberError,
    PersonTenures,
    check_held_at,
    check_role,
)
from domain.matter import Matter
from domain.registry import Guarantor, Unit


class DispatchCases(ParkCore):
    """The leading group and the dual-dispatch mechanism (调度)."""

    def appoint_member(
        self, act: Act, person_id: UUID, role: str, effective_from: date
    ) -> GroupMember:
        """Appoint a registered person to the group; one appointment at a time per person."""
        check_role(role)
        person = self.load(Guarantor, person_id)
        if person.kind != "person":
            raise NotAPersonError(f"guarantor {person_id} is a {person.kind}, not a person")
        tenures = self.person_tenures(act, person.id)
        for earlier in self.tenures_of(person.id):
            earlier.check_no_overlap(effective_from)
        member = GroupMember.appoint(act, person.id, role, effective_from)
        tenures.add(act, member.id)
        self.commit(member, tenures)
        return member

    def end_tenure(
        self,
        act: Act,
        member_id: UUID,
        effective_to: date,
        reason: str,
        expected_version: int | None = None,
    ) -> GroupMember:
        member = self.load(GroupMember, member_id, expected_version)
        member.end_tenure(act, effective_to, reason)
        self.commit(member)
        return member

    def hold_dispatch(
        self,
        act: Act,
        convener_id: UUID,
        kind: str,
        held_at: datetime,
        enterprise_ids: Sequence[UUID],
        matter_ids: Sequence[UUID],
        directives: Sequence[DirectiveOrder],
    ) -> Dispatch:
        """Record a dispatch; each directive becomes a matter assigned to its unit, atomically.

        The act's business time must be `held_at`: the directives' matters are received and
        assigned at the meeting, so their deadlines run from then.
        """
        check_held_at(act, held_at)
        convener = self.convener(convener_id, held_at)
        for enterprise_id in dict.fromkeys(enterprise_ids):
            self.load(Enterprise, enterprise_id)
        for matter_id in dict.fromkeys(matter_ids):
            self.load(Matter, matter_id)
        rules = self.rules_at(act.occurred_at)
        matters: list[Matter] = []
        issued: list[Directive] = []
        for order in directives:
            enterprise = self.load(Enterprise, order.enterprise_id)
            enterprise.check_listed()
            unit = self.load(Unit, order.unit_id)
            matter = Matter.receive(
                act, rules, enterprise.id, order.summary, DIRECTIVE_CATEGORY, "dispatch"
            )
            matter.assign(act, rules, str(unit.id))
            matters.append(matter)
            issued.append(Directive(enterprise.id, order.summary, unit.id, matter.id))
        dispatch = Dispatch.hold(
            act,
            convener,
            kind,
            list(dict.fromkeys(enterprise_ids)),
            list(dict.fromkeys(matter_ids)),
            issued,
        )
        self.commit(dispatch, *matters)
        return dispatch

    # -- helpers ---------------------------------------------------------------------------

    def tenures_of(self, person_id: UUID) -> list[GroupMember]:
        """Every appointment of the person, in the order they were made."""
        tenures_id = PersonTenures.id_for(person_id)
        if not self.exists(tenures_id):
            return []
        tenures = self.load(PersonTenures, tenures_id)
        return [self.load(GroupMember, m) for m in tenures.member_ids]

    def person_tenures(self, act: Act, person_id: UUID) -> PersonTenures:
        tenures_id = PersonTenures.id_for(person_id)
        if self.exists(tenures_id):
            return self.load(PersonTenures, tenures_id)
        return PersonTenures.open(act, person_id)

    def convener(self, person_id: UUID, held_at: datetime) -> GroupMember:
        """The person's appointment in tenure on the meeting's day, or `not_group_member`."""
        day = self.business_day(held_at)
        for member in self.tenures_of(person_id):
            if member.in_tenure_on(day):
                return member
        raise NotGroupMemberError(f"person {person_id} is not a leading-group member on {day}")
