"""Use cases of matters: intake, assignment, transfer, extensions, resolution, rating."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from domain.application import ParkCore
from domain.base import Act, require_aware
from domain.deadline import Deadline, Rules
from domain.enterprise import Enterprise
from domain.errors import DomainError
from domain.matter import ExtensionRequest, Matter, Rating
from domain.registry import Unit


class NotGuarantorError(DomainError):
    code = "not_guarantor"
    title = "The guarantor does not guarantee this enterprise on that date"


class MatterCases(ParkCore):
    """A matter from intake to closure."""

    def receive_matter(
        self, act: Act, enterprise_id: UUID, summary: str, category: str, channel: str
    ) -> Matter:
        enterprise = self.load(Enterprise, enterprise_id, read_only=True)
        enterprise.check_listed()
        if act.actor.role == "guarantor":
            self.check_guarantees(enterprise, act)
        matter = Matter.receive(
            act, self.rules_at(act.occurred_at), enterprise.id, summary, category, channel
        )
        self.commit(matter)
        return matter

    def check_guarantees(self, enterprise: Enterprise, act: Act) -> None:
        day = self.business_day(act.occurred_at)
        held = {str(a.guarantor_id) for a in enterprise.guarantors_on(day)}
        if act.actor.scope not in held:
            raise NotGuarantorError(
                f"guarantor {act.actor.scope} does not guarantee {enterprise.id} on {day}"
            )

    def assign_matter(
        self, act: Act, matter_id: UUID, unit_id: UUID, expected_version: int | None = None
    ) -> Matter:
        matter = self.load(Matter, matter_id, expected_version)
        unit = self.load(Unit, unit_id, read_only=True)
        matter.assign(act, self.rules_at(act.occurred_at), str(unit.id))
        self.commit(matter)
        return matter

    def transfer_matter(
        self,
        act: Act,
        matter_id: UUID,
        unit_id: UUID,
        reason: str,
        expected_version: int | None = None,
    ) -> Matter:
        matter = self.load(Matter, matter_id, expected_version)
        unit = self.load(Unit, unit_id, read_only=True)
        matter.transfer(act, self.rules_at(act.occurred_at), str(unit.id), reason)
        self.commit(matter)
        return matter

    def request_extension(
        self,
        act: Act,
        matter_id: UUID,
        requested_deadline: datetime,
        reason: str,
        expected_version: int | None = None,
    ) -> tuple[Matter, ExtensionRequest]:
        require_aware(requested_deadline, "requested_deadline")
        matter = self.load(Matter, matter_id, expected_version)
        request = matter.request_extension(act, requested_deadline, reason)
        self.commit(matter)
        return matter, request

    def approve_extension(
        self, act: Act, matter_id: UUID, request_id: UUID, expected_version: int | None = None
    ) -> Matter:
        matter = self.load(Matter, matter_id, expected_version)
        matter.approve_extension(act, request_id)
        self.commit(matter)
        return matter

    def reject_extension(
        self,
        act: Act,
        matter_id: UUID,
        request_id: UUID,
        reason: str,
        expected_version: int | None = None,
    ) -> Matter:
        matter = self.load(Matter, matter_id, expected_version)
        matter.reject_extension(act, request_id, reason)
        self.commit(matter)
        return matter

    def resolve_matter(
        self, act: Act, matter_id: UUID, reply: str, expected_version: int | None = None
    ) -> Matter:
        matter = self.load(Matter, matter_id, expected_version)
        matter.resolve(act, reply)
        self.commit(matter)
        return matter

    def rate_matter(
        self,
        act: Act,
        matter_id: UUID,
        level: int,
        comment: str | None,
        expected_version: int | None = None,
    ) -> tuple[Matter, Rating]:
        matter = self.load(Matter, matter_id, expected_version)
        rating = matter.rate(act, self.rules_at(act.occurred_at), level, comment)
        self.commit(matter)
        return matter, rating

    def withdraw_matter(
        self, act: Act, matter_id: UUID, reason: str, expected_version: int | None = None
    ) -> Matter:
        matter = self.load(Matter, matter_id, expected_version)
        matter.withdraw(act, reason)
        self.commit(matter)
        return matter

    def recompute_provisional(self, act: Act, matter_ids: Iterable[UUID]) -> int:
        """After a calendar is published: recompute open provisional deadlines, as events."""
        changed = 0
        calendar = self.calendar_book()
        policies = self.policy_book()

        def rules_for(deadline: Deadline) -> Rules:
            policy = policies.version_of(deadline.policy_version)
            hours = policy.document.office_hours()
            return Rules(calendar.working_calendar(hours), calendar.version, policy)

        for matter_id in matter_ids:
            matter = self.load(Matter, matter_id)
            if matter.recompute_provisional(act, rules_for):
                self.commit(matter)
                changed += 1
        return changed
