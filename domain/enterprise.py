"""The key enterprise library (重点企业库) and each enterprise's guarantors (包保人)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from domain.base import Act, BaobaoAggregate, create
from domain.calendar import SHANGHAI
from domain.errors import (
    AlreadyListedError,
    AssignmentEndedError,
    EnterpriseNotListedError,
    InvalidInputError,
    LeadLeaderInEffectError,
    NotFoundError,
)

ROLES = ("lead_leader", "department", "liaison")
PERSON_ROLES = ("lead_leader", "liaison")


@dataclass(frozen=True)
class Assignment:
    """A guarantor's assignment, in effect from a first day to a last day (inclusive)."""

    id: UUID
    guarantor_id: UUID
    role: str
    effective_from: date
    effective_to: date | None = None
    release_reason: str | None = None
    # Versions of the enterprise's events that assigned and released it.
    assigned_by: int = 0
    released_by: int = 0

    def in_effect_on(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def overlaps_from(self, day: date) -> bool:
        """Whether it is in effect on any day from `day` onwards."""
        return self.effective_to is None or self.effective_to >= day


class Enterprise(BaobaoAggregate):
    """A key enterprise, its listing and the guarantors answerable for it."""

    class Listed(BaobaoAggregate.Created):
        uscc: str
        name: str
        industry: str
        chain: str
        above_scale: bool

    class Delisted(BaobaoAggregate.Event):
        reason: str

        def apply(self, aggregate: Enterprise) -> None:
            aggregate.listed = False

    class Relisted(BaobaoAggregate.Event):
        reason: str

        def apply(self, aggregate: Enterprise) -> None:
            aggregate.listed = True

    class ScaleReclassified(BaobaoAggregate.Event):
        """Classed above scale (四上) or not, from now on; earlier facts keep their class."""

        above_scale: bool
        reason: str

        def apply(self, aggregate: Enterprise) -> None:
            aggregate.above_scale = self.above_scale

    class GuarantorAssigned(BaobaoAggregate.Event):
        assignment_id: UUID
        guarantor_id: UUID
        role: str
        effective_from: date

        def apply(self, aggregate: Enterprise) -> None:
            aggregate.assignments[str(self.assignment_id)] = Assignment(
                self.assignment_id,
                self.guarantor_id,
                self.role,
                self.effective_from,
                assigned_by=self.originator_version,
            )

    class GuarantorReleased(BaobaoAggregate.Event):
        assignment_id: UUID
        effective_to: date
        reason: str

        def apply(self, aggregate: Enterprise) -> None:
            current = aggregate.assignments[str(self.assignment_id)]
            aggregate.assignments[str(self.assignment_id)] = replace(
                current,
                effective_to=self.effective_to,
                release_reason=self.reason,
                released_by=self.originator_version,
            )

    def __init__(
        self,
        uscc: str,
        name: str,
        industry: str,
        chain: str,
        above_scale: bool,
        occurred_at: datetime,
    ) -> None:
        self.uscc = uscc
        self.listed_on = occurred_at.astimezone(SHANGHAI).date()
        self.name = name
        self.industry = industry
        self.chain = chain
        self.above_scale = above_scale
        self.listed = True
        # Keyed by the assignment id as text (the state is stored as JSON).
        self.assignments: dict[str, Assignment] = {}

    @classmethod
    def list_new(
        cls, act: Act, uscc: str, name: str, industry: str, chain: str, above_scale: bool
    ) -> Enterprise:
        return create(
            cls,
            cls.Listed,
            act,
            uuid4(),
            uscc=uscc,
            name=name,
            industry=industry,
            chain=chain,
            above_scale=above_scale,
        )

    def delist(self, act: Act, reason: str) -> None:
        self.check_listed()
        self.record(self.Delisted, act, reason=reason)

    def reclassify(self, act: Act, above_scale: bool, reason: str) -> None:
        if above_scale == self.above_scale:
            state = "above" if above_scale else "not above"
            raise InvalidInputError(f"enterprise {self.id} is already {state} scale")
        self.record(self.ScaleReclassified, act, above_scale=above_scale, reason=reason)

    def relist(self, act: Act, reason: str) -> None:
        if self.listed:
            raise AlreadyListedError(f"enterprise {self.id} is already listed")
        self.record(self.Relisted, act, reason=reason)

    def assign_guarantor(
        self, act: Act, guarantor_id: UUID, guarantor_kind: str, role: str, effective_from: date
    ) -> Assignment:
        self.check_listed()
        check_role_fits_kind(role, guarantor_kind)
        self.check_no_overlap(guarantor_id, role, effective_from)
        assignment_id = uuid4()
        self.record(
            self.GuarantorAssigned,
            act,
            assignment_id=assignment_id,
            guarantor_id=guarantor_id,
            role=role,
            effective_from=effective_from,
        )
        return self.assignments[str(assignment_id)]

    def release_guarantor(
        self, act: Act, assignment_id: UUID, effective_to: date, reason: str
    ) -> Assignment:
        current = self.assignment(assignment_id)
        if current.effective_to is not None:
            raise AssignmentEndedError(
                f"assignment {assignment_id} already ended on {current.effective_to.isoformat()}"
            )
        if effective_to < current.effective_from:
            raise InvalidInputError(
                f"effective_to {effective_to.isoformat()} is before the assignment began "
                f"({current.effective_from.isoformat()})"
            )
        self.record(
            self.GuarantorReleased,
            act,
            assignment_id=assignment_id,
            effective_to=effective_to,
            reason=reason,
        )
        return self.assignments[str(assignment_id)]

    def reassign(
        self,
        act: Act,
        role: str,
        guarantor_id: UUID,
        guarantor_kind: str,
        effective_from: date,
        reason: str,
    ) -> Assignment:
        """Release whoever holds the role and assign the new guarantor, as one act."""
        self.check_listed()
        check_role_fits_kind(role, guarantor_kind)
        for held in self.open_assignments(role):
            if held.effective_from >= effective_from:
                raise InvalidInputError(
                    f"the current {role} began on {held.effective_from.isoformat()}; "
                    "a reassignment must take effect after that"
                )
            self.release_guarantor(act, held.id, effective_from - timedelta(days=1), reason)
        return self.assign_guarantor(act, guarantor_id, guarantor_kind, role, effective_from)

    def open_assignments(self, role: str) -> list[Assignment]:
        return [a for a in self.assignments.values() if a.role == role and a.effective_to is None]

    def guarantors_on(self, day: date) -> list[Assignment]:
        return sorted(
            (a for a in self.assignments.values() if a.in_effect_on(day)),
            key=lambda a: (ROLES.index(a.role), a.effective_from),
        )

    def assignment(self, assignment_id: UUID) -> Assignment:
        try:
            return self.assignments[str(assignment_id)]
        except KeyError:
            raise NotFoundError(f"no assignment {assignment_id} on enterprise {self.id}") from None

    def check_listed(self) -> None:
        if not self.listed:
            raise EnterpriseNotListedError(f"enterprise {self.id} ({self.name}) is delisted")

    def check_no_overlap(self, guarantor_id: UUID, role: str, effective_from: date) -> None:
        for held in self.assignments.values():
            if not held.overlaps_from(effective_from):
                continue
            if role == "lead_leader" and held.role == "lead_leader":
                raise LeadLeaderInEffectError(
                    f"lead leader {held.guarantor_id} is in effect from "
                    f"{held.effective_from.isoformat()}; release them first or reassign"
                )
            if held.guarantor_id == guarantor_id and held.role == role:
                raise InvalidInputError(f"guarantor {guarantor_id} already holds role {role} here")


def check_role_fits_kind(role: str, kind: str) -> None:
    if role not in ROLES:
        raise InvalidInputError(f"role must be one of {', '.join(ROLES)}")
    if (role in PERSON_ROLES) != (kind == "person"):
        wanted = "a person" if role in PERSON_ROLES else "a department"
        raise InvalidInputError(f"role {role} must be held by {wanted}")
