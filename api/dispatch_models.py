"""Request and response models of the leading group, dispatches and dispatch compliance."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api.models import BusinessDate, BusinessTime, CleanText, Command, LongText

GroupRole = Literal["group_leader", "deputy_group_leader"]
DispatchKind = Literal["scheduled", "ad_hoc"]
SlotStatus = Literal["held", "missed", "open", "not_required"]


class AppointMemberRequest(Command):
    person_id: UUID = Field(description="A registered guarantor of kind `person`")
    role: GroupRole
    effective_from: BusinessDate = Field(description="The first day in tenure")


class EndTenureRequest(Command):
    effective_to: BusinessDate = Field(description="The last day in tenure")
    reason: CleanText = LongText


class GroupMemberPublic(BaseModel):
    """One appointment to the leading group (组长 or 副组长)."""

    id: UUID
    person_id: UUID
    name: str | None = Field(description="The person's name, as registered")
    role: GroupRole
    effective_from: date
    effective_to: date | None
    end_reason: str | None
    version: int


class DirectiveRequest(BaseModel):
    """A directive issued at the meeting: it becomes a matter assigned to the unit."""

    model_config = ConfigDict(extra="forbid")
    enterprise_id: UUID
    summary: CleanText = LongText
    unit_id: UUID


class CreateDispatchRequest(Command):
    convener_id: UUID = Field(description="person_id of the member who held the meeting")
    kind: DispatchKind
    held_at: BusinessTime = Field(description="When the meeting was held (not in the future)")
    enterprise_ids: list[UUID] = Field(max_length=500, description="Enterprises covered")
    matter_ids: list[UUID] = Field(max_length=500, description="Matters covered")
    directives: list[DirectiveRequest] = Field(max_length=100)


class DirectivePublic(BaseModel):
    enterprise_id: UUID
    summary: str
    unit_id: UUID
    matter_id: UUID = Field(description="The matter (channel `dispatch`) the directive became")


class DispatchPublic(BaseModel):
    """A dispatch meeting (调度) and what it issued."""

    id: UUID
    convener_id: UUID
    convener_name: str | None
    member_id: UUID = Field(description="The appointment the convener held it under")
    role: GroupRole
    kind: DispatchKind
    held_at: AwareDatetime
    enterprise_ids: list[UUID]
    matter_ids: list[UUID]
    directives: list[DirectivePublic]
    recorded_at: AwareDatetime
    backdated: bool = Field(description="Recorded after it was held")
    version: int


class SlotPublic(BaseModel):
    """A month (组长) or half-month (副组长) in which a dispatch is due."""

    start: date
    end: date
    required: bool = Field(description="False when the slot is only partly inside the tenure")
    status: SlotStatus
    dispatch_ids: list[UUID]


class MemberCompliancePublic(BaseModel):
    member_id: UUID
    person_id: UUID
    name: str | None
    role: GroupRole
    effective_from: date
    effective_to: date | None
    slots: list[SlotPublic]
    held: int = Field(description="Required slots with a dispatch")
    missed: int = Field(description="Required slots that ended without one")


class DispatchCompliancePage(BaseModel):
    """Each member in office during the period, with its slots as of `as_of`."""

    period: str
    as_of: AwareDatetime
    items: list[MemberCompliancePublic]
    next_cursor: str | None = None
