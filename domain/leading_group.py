"""The leading group (领导小组) and its dispatch meetings (调度), SPEC §6."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from domain.base import Act, BaobaoAggregate, create, require_aware
from domain.calendar import SHANGHAI
from domain.errors import DomainError, FutureTimeError, InvalidInputError

GROUP_ROLES = ("group_leader", "deputy_group_leader")
DISPATCH_KINDS = ("scheduled", "ad_hoc")
DIRECTIVE_CATEGORY = "调度交办"


class NotGroupMemberError(DomainError):
    code = "not_group_member"
    title = "The convener is not a leading-group member in tenure on that day"


class AlreadyMemberError(DomainError):
    code = "already_member"
    title = "The person already has an appointment to the leading group in that time"


class TenureEndedError(DomainError):
    code = "tenure_ended"
    title = "The tenure has already ended"


class NotAPersonError(InvalidInputError):
    code = "not_a_person"
    title = "Only a guarantor who is a person can join the leading group"


@dataclass(frozen=True)
class Directive:
    """A directive issued at a dispatch, and the matter it became."""

    enterprise_id: UUID
    summary: str
    unit_id: UUID
    matter_id: UUID


@dataclass(frozen=True)
class DirectiveOrder:
    """A directive as the convener gives it, before it becomes a matter."""

    enterprise_id: UUID
    summary: str
    unit_id: UUID


class GroupMember(BaobaoAggregate):
    """One appointment of a person to the leading group, from a first to a last day."""

    class Appointed(BaobaoAggregate.Created):
        person_id: UUID
        role: str
        effective_from: date

    class TenureEnded(BaobaoAggregate.Event):
        effective_to: date
        reason: str

        def apply(self, member: GroupMember) -> None:
            member.effective_to = self.effective_to
            member.end_reason = self.reason

    def __init__(self, person_id: UUID, role: str, effective_from: date) -> None:
        self.person_id = person_id
        self.role = role
        self.effective_from = effective_from
        self.effective_to: date | None = None
        self.end_reason: str | None = None

    @classmethod
    def appoint(cls, act: Act, person_id: UUID, role: str, effective_from: date) -> GroupMember:
        check_role(role)
        return create(
            cls,
            cls.Appointed,
            act,
            uuid4(),
            person_id=person_id,
            role=role,
            effective_from=effective_from,
        )

    def end_tenure(self, act: Act, effective_to: date, reason: str) -> None:
        """End the tenure: `effective_to` is its last day."""
        if self.effective_to is not None:
            raise TenureEndedError(
                f"member {self.id} already left on {self.effective_to.isoformat()}"
            )
        if effective_to < self.effective_from:
            raise InvalidInputError(
                f"effective_to {effective_to.isoformat()} is before the tenure began "
                f"({self.effective_from.isoformat()})"
            )
        self.record(self.TenureEnded, act, effective_to=effective_to, reason=reason)

    def in_tenure_on(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def check_no_overlap(self, effective_from: date) -> None:
        """Refuse an open-ended appointment from `effective_from` that would overlap this one."""
        if self.effective_to is None or self.effective_to >= effective_from:
            ends = self.effective_to.isoformat() if self.effective_to else "open-ended"
            raise AlreadyMemberError(
                f"person {self.person_id} is {self.role} from "
                f"{self.effective_from.isoformat()} ({ends}); end that tenure first"
            )


class PersonTenures(BaobaoAggregate):
    """The leading-group appointments of one person: makes overlaps and conveners checkable."""

    class Opened(BaobaoAggregate.Created):
        person_id: UUID

    class TenureAdded(BaobaoAggregate.Event):
        member_id: UUID

        def apply(self, tenures: PersonTenures) -> None:
            tenures.member_ids.append(self.member_id)

    def __init__(self, person_id: UUID) -> None:
        self.person_id = person_id
        self.member_ids: list[UUID] = []

    @staticmethod
    def id_for(person_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"baobao:group-tenures:{person_id}")

    @classmethod
    def open(cls, act: Act, person_id: UUID) -> PersonTenures:
        return create(cls, cls.Opened, act, cls.id_for(person_id), person_id=person_id)

    def add(self, act: Act, member_id: UUID) -> None:
        self.record(self.TenureAdded, act, member_id=member_id)


class Dispatch(BaobaoAggregate):
    """A dispatch meeting held by a leading-group member, and the directives it issued."""

    class Held(BaobaoAggregate.Created):
        convener_id: UUID
        member_id: UUID
        role: str
        kind: str
        held_at: datetime
        enterprise_ids: list[UUID]
        matter_ids: list[UUID]
        directives: list[Directive]

    def __init__(
        self,
        convener_id: UUID,
        member_id: UUID,
        role: str,
        kind: str,
        held_at: datetime,
        enterprise_ids: list[UUID],
        matter_ids: list[UUID],
        directives: list[Directive],
    ) -> None:
        self.convener_id = convener_id
        self.member_id = member_id
        self.role = role
        self.kind = kind
        self.held_at = held_at
        self.enterprise_ids = list(enterprise_ids)
        self.matter_ids = list(matter_ids)
        self.directives = list(directives)

    @classmethod
    def hold(
        cls,
        act: Act,
        convener: GroupMember,
        kind: str,
        enterprise_ids: Sequence[UUID],
        matter_ids: Sequence[UUID],
        directives: Sequence[Directive],
    ) -> Dispatch:
        """Record a meeting held at the act's business time by a member in tenure that day."""
        held_at = act.occurred_at
        check_kind(kind)
        if not (enterprise_ids or matter_ids or directives):
            raise InvalidInputError(
                "a dispatch covers at least one enterprise, matter or directive"
            )
        day = held_at.astimezone(SHANGHAI).date()
        if not convener.in_tenure_on(day):
            raise NotGroupMemberError(
                f"person {convener.person_id} is not a leading-group member on {day}"
            )
        return create(
            cls,
            cls.Held,
            act,
            uuid4(),
            convener_id=convener.person_id,
            member_id=convener.id,
            role=convener.role,
            kind=kind,
            held_at=held_at,
            enterprise_ids=list(enterprise_ids),
            matter_ids=list(matter_ids),
            directives=list(directives),
        )

    @property
    def held_on(self) -> date:
        return self.held_at.astimezone(SHANGHAI).date()


def check_role(role: str) -> None:
    if role not in GROUP_ROLES:
        raise InvalidInputError(f"role must be one of {', '.join(GROUP_ROLES)}")


def check_kind(kind: str) -> None:
    if kind not in DISPATCH_KINDS:
        raise InvalidInputError(f"kind must be one of {', '.join(DISPATCH_KINDS)}")


def check_held_at(act: Act, held_at: datetime) -> None:
    """A dispatch is recorded at or after it was held, with its time as the act's business time."""
    require_aware(held_at, "held_at")
    if held_at > act.recorded_at:
        raise FutureTimeError(f"held_at {held_at.isoformat()} is after now")
    if act.occurred_at != held_at:
        raise InvalidInputError(
            "the business time of a dispatch is when it was held: "
            f"occurred_at {act.occurred_at.isoformat()} differs from held_at {held_at.isoformat()}"
        )
