"""Request and response models of the HTTP API (they are the OpenAPI schema)."""

from __future__ import annotations

from datetime import date
from typing import Any, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

T = TypeVar("T")

Text = Field(min_length=1, max_length=200)
LongText = Field(min_length=1, max_length=4000)
Role = Literal["lead_leader", "department", "liaison"]
Channel = Literal["window", "phone", "online", "visit", "dispatch"]


class Command(BaseModel):
    """Fields every command accepts: `occurred_at` is late entry (补录), admin only."""

    model_config = ConfigDict(extra="forbid")
    occurred_at: AwareDatetime | None = Field(
        default=None, description="Business time of the fact, if earlier than now (admin only)."
    )


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` as `cursor` for the next."""

    items: list[T]
    next_cursor: str | None = None


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[dict[str, Any]] | None = None


# -- enterprises and guarantors -----------------------------------------------------------


class CreateEnterpriseRequest(Command):
    uscc: str = Field(min_length=1, max_length=32, description="统一社会信用代码 (18 characters)")
    name: str = Text
    industry: str = Text
    chain: str = Text
    above_scale: bool


class ReasonRequest(Command):
    reason: str = LongText


class CreateGuarantorRequest(Command):
    kind: Literal["person", "department"]
    name: str = Text
    title: str | None = Field(default=None, max_length=200)
    unit: str | None = Field(default=None, max_length=200)


class GuarantorPublic(BaseModel):
    id: UUID
    kind: str
    name: str
    title: str | None
    unit: str | None
    version: int


class CreateAssignmentRequest(Command):
    guarantor_id: UUID
    role: Role
    effective_from: date


class ReleaseAssignmentRequest(Command):
    effective_to: date = Field(description="The last day the assignment is in effect")
    reason: str = LongText


class ReassignRequest(Command):
    role: Role
    guarantor_id: UUID
    effective_from: date
    reason: str = LongText


class AssignmentPublic(BaseModel):
    id: UUID
    enterprise_id: UUID
    guarantor_id: UUID
    role: str
    effective_from: date
    effective_to: date | None
    release_reason: str | None
    version: int = Field(description="Version of the enterprise that holds the assignment")
    guarantor_name: str | None = None
    guarantor_kind: str | None = None


class EnterprisePublic(BaseModel):
    id: UUID
    uscc: str
    name: str
    industry: str
    chain: str
    above_scale: bool
    listed: bool
    listed_on: date
    version: int
    guarantors: list[AssignmentPublic] = Field(description="Assignments in effect today")


class GapPublic(BaseModel):
    enterprise_id: UUID
    name: str
    chain: str
    missing: list[Literal["lead_leader", "department"]]


class CreateUnitRequest(Command):
    name: str = Text


class UnitPublic(BaseModel):
    id: UUID
    name: str
    version: int


# -- matters ----------------------------------------------------------------------------------


class CreateMatterRequest(Command):
    enterprise_id: UUID
    summary: str = LongText
    category: str = Text
    channel: Channel
    received_at: AwareDatetime | None = Field(
        default=None, description="When it was received, if earlier than now (clerk or admin)"
    )


class AssignMatterRequest(Command):
    unit_id: UUID


class TransferMatterRequest(Command):
    unit_id: UUID
    reason: str = LongText


class CreateExtensionRequest(Command):
    requested_deadline: AwareDatetime
    reason: str = LongText


class ResolveMatterRequest(Command):
    reply: str = LongText


class CreateRatingRequest(Command):
    level: int = Field(ge=1, le=5, description="5 非常满意 … 1 非常不满意")
    comment: str | None = Field(default=None, max_length=4000)


class DeadlinePublic(BaseModel):
    step: Literal["assign", "handle", "rectify"]
    unit_id: UUID | None
    due_at: AwareDatetime
    provisional: bool
    calendar_version: int
    policy_version: int
    met_at: AwareDatetime | None
    state: Literal["pending", "reminded", "met", "missed", "cancelled"]
    started_at: AwareDatetime
    rule: str
    extended_from: AwareDatetime | None
    cancelled_at: AwareDatetime | None
    late: bool = Field(description="Met after its due time, or missed")
    reminded_at: AwareDatetime | None = Field(
        default=None, description="When the reminder fell due"
    )
    missed_at: AwareDatetime | None = Field(
        default=None, description="Recorded as missed (= due_at)"
    )


class RatingPublic(BaseModel):
    level: int
    comment: str | None
    rated_at: AwareDatetime
    resolution: int
    version: int | None = Field(default=None, description="The matter's version after the rating")


class ExtensionRequestPublic(BaseModel):
    id: UUID
    unit_id: UUID
    requested_deadline: AwareDatetime
    reason: str
    requested_at: AwareDatetime
    status: Literal["pending", "approved", "rejected", "lapsed"]
    decided_at: AwareDatetime | None
    decision_reason: str | None
    version: int | None = Field(default=None, description="The matter's version after the request")


class MatterPublic(BaseModel):
    id: UUID
    enterprise_id: UUID
    summary: str
    category: str
    channel: str
    status: Literal["received", "assigned", "resolved", "rectifying", "closed", "withdrawn"]
    unit_id: UUID | None
    received_at: AwareDatetime
    assigned_at: AwareDatetime | None
    resolved_at: AwareDatetime | None
    reply: str | None
    withdrawal_reason: str | None
    deadlines: list[DeadlinePublic]
    cap_at: AwareDatetime | None
    cap_provisional: bool | None
    major: bool
    ratings: list[RatingPublic]
    extension_requests: list[ExtensionRequestPublic]
    overdue: bool = Field(description="An open step is past its due time")
    rating_invitations: list[int] = Field(
        default_factory=list,
        description="Resolutions whose rating the enterprise was invited to give",
    )
    version: int


class TimelineEntry(BaseModel):
    position: int | None
    version: int
    type: str
    recorded_at: AwareDatetime
    occurred_at: AwareDatetime
    backdated: bool
    actor: dict[str, str | None]
    data: dict[str, Any]


# -- calendar and policy ----------------------------------------------------------------------


class PublishCalendarRequest(Command):
    holidays: list[date] = Field(max_length=366)
    workdays: list[date] = Field(max_length=366)
    source: str = Field(
        min_length=1, max_length=500, description="e.g. the State Council notice number"
    )


class CalendarPublic(BaseModel):
    year: int
    holidays: list[date]
    workdays: list[date]
    source: str
    calendar_version: int
    recomputed_matters: int = 0


class AdoptPolicyRequest(Command):
    document: dict[str, Any] = Field(description="Policy fields to change from v1 (SPEC §9)")
    effective_from: str = Field(
        pattern=r"^\d{4}-\d{2}$", description="First month it governs (yyyy-mm)"
    )


class PolicyPublic(BaseModel):
    version: int
    effective_from: str
    document: dict[str, Any]


class HealthPublic(BaseModel):
    status: str
    event_log_head: int
    projections: dict[str, int]
