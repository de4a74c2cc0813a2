"""Request and response models of the HTTP API (they are the OpenAPI schema)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

T = TypeVar("T")

# -- input limits (README "Limits") -----------------------------------------------------------

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
MONTH_PATTERN = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"  # yyyy-mm, 2000-01 to 2100-12
LINE_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_free(controls: re.Pattern[str]) -> AfterValidator:
    def check(value: str) -> str:
        found = controls.search(value)
        if found is not None:
            raise ValueError(f"control character U+{ord(found.group()):04X} is not allowed")
        if value and not value.strip():
            raise ValueError("must not be blank")
        return value

    return AfterValidator(check)


def check_business_date(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"must be from {EARLIEST} to {LATEST}")
    return value


def check_business_time(value: datetime) -> datetime:
    check_business_date(value.date())  # the date where it was written: no overflow near year 1
    return value


LINE_PATTERN = {"pattern": r"^[^\x00-\x1f\x7f-\x9f]*$"}
TEXT_PATTERN = {"pattern": r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"}

# A name, title or category: one line, no control characters (emoji are fine), not blank.
# Required fields give their length as the default (`name: CleanLine = Text`); optional ones
# use the Optional* types, which carry their length (a constraint after a validator would
# report "items" instead of characters).
CleanLine = Annotated[str, control_free(LINE_CONTROLS), Field(json_schema_extra=LINE_PATTERN)]
# Free text (summary, reason, reply, comment, notes): tab, line feed and carriage return too.
CleanText = Annotated[str, control_free(TEXT_CONTROLS), Field(json_schema_extra=TEXT_PATTERN)]
OptionalLine = Annotated[
    str,
    Field(max_length=200),
    control_free(LINE_CONTROLS),
    Field(json_schema_extra=LINE_PATTERN),
]
OptionalText = Annotated[
    str,
    Field(max_length=4000),
    control_free(TEXT_CONTROLS),
    Field(json_schema_extra=TEXT_PATTERN),
]
# Business dates and times: 2000-01-01 to 2100-12-31 (a time by the date where it was written).
BusinessDate = Annotated[date, AfterValidator(check_business_date)]
BusinessTime = Annotated[AwareDatetime, AfterValidator(check_business_time)]

Text = Field(min_length=1, max_length=200)
LongText = Field(min_length=1, max_length=4000)
Role = Literal["lead_leader", "department", "liaison"]
Channel = Literal["window", "phone", "online", "visit", "dispatch"]


class Command(BaseModel):
    """Fields every command accepts: `occurred_at` is late entry (补录), admin only."""

    model_config = ConfigDict(extra="forbid")
    occurred_at: BusinessTime | None = Field(
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
    uscc: CleanLine = Field(
        min_length=1, max_length=32, description="统一社会信用代码 (18 characters)"
    )
    name: CleanLine = Text
    industry: CleanLine = Text
    chain: CleanLine = Text
    above_scale: bool


class ReasonRequest(Command):
    reason: CleanText = LongText


class ReclassifyRequest(Command):
    above_scale: bool = Field(
        description="Whether the enterprise is above scale (四上) from now on"
    )
    reason: CleanText = LongText


class CreateGuarantorRequest(Command):
    kind: Literal["person", "department"]
    name: CleanLine = Text
    title: OptionalLine | None = None
    unit: OptionalLine | None = None


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
    effective_from: BusinessDate


class ReleaseAssignmentRequest(Command):
    effective_to: BusinessDate = Field(description="The last day the assignment is in effect")
    reason: CleanText = LongText


class ReassignRequest(Command):
    role: Role
    guarantor_id: UUID
    effective_from: BusinessDate
    reason: CleanText = LongText


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
    name: CleanLine = Text


class UnitPublic(BaseModel):
    id: UUID
    name: str
    version: int


# -- matters ----------------------------------------------------------------------------------


class CreateMatterRequest(Command):
    enterprise_id: UUID
    summary: CleanText = LongText
    category: CleanLine = Text
    channel: Channel
    received_at: BusinessTime | None = Field(
        default=None, description="When it was received, if earlier than now (clerk or admin)"
    )


class AssignMatterRequest(Command):
    unit_id: UUID


class TransferMatterRequest(Command):
    unit_id: UUID
    reason: CleanText = LongText


class CreateExtensionRequest(Command):
    requested_deadline: BusinessTime
    reason: CleanText = LongText


class ResolveMatterRequest(Command):
    reply: CleanText = LongText


class CreateRatingRequest(Command):
    level: int = Field(ge=1, le=5, description="5 非常满意 … 1 非常不满意")
    comment: OptionalText | None = None


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
    holidays: list[BusinessDate] = Field(max_length=366)
    workdays: list[BusinessDate] = Field(max_length=366)
    source: CleanLine = Field(
        min_length=1, max_length=500, description="e.g. the State Council notice number"
    )


class CalendarPublic(BaseModel):
    year: int
    holidays: list[date]
    workdays: list[date]
    source: str
    calendar_version: int
    recomputed_matters: int = 0


HourMinute = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
WorkingDays = Annotated[int, Field(ge=1, le=250)]
Points = Annotated[str, Field(pattern=r"^[0-9]{1,3}(\.[0-9]{1,2})?$", description='e.g. "2.5"')]


class PolicyWeights(BaseModel):
    """Weights of the four components (all four, at least one above 0)."""

    model_config = ConfigDict(extra="forbid")
    sales: int = Field(ge=0, le=100)
    timeliness: int = Field(ge=0, le=100)
    satisfaction: int = Field(ge=0, le=100)
    service: int = Field(ge=0, le=100)


class PolicyChanges(BaseModel):
    """The fields of the policy document (SPEC §9) to change; those not given keep v1's values."""

    model_config = ConfigDict(extra="forbid")
    office_sessions: list[Annotated[list[HourMinute], Field(min_length=2, max_length=2)]] | None = (
        Field(default=None, min_length=1, max_length=6, description='[["08:30", "12:00"], ...]')
    )
    handle_working_days: WorkingDays | None = None
    cap_working_days: WorkingDays | None = None
    rectification_working_days: WorkingDays | None = None
    rating_invitation_working_days: WorkingDays | None = None
    criticism_overdue_working_days: WorkingDays | None = None
    weights: PolicyWeights | None = None
    sales_target: str | None = Field(
        default=None,
        pattern=r"^-?[0-9]{1,3}(\.[0-9]{1,4})?$",
        description='Year-to-date growth target, e.g. "0.05" for +5%',
    )
    grade_thresholds: dict[Literal["优秀", "良好", "合格"], Points] | None = None
    deduction_per_overdue_step: Points | None = None
    deduction_per_missed_dispatch: Points | None = None


class AdoptPolicyRequest(Command):
    document: PolicyChanges = Field(description="Policy fields to change from v1 (SPEC §9)")
    effective_from: str = Field(
        pattern=MONTH_PATTERN, description="First month it governs (yyyy-mm, 2000-01 to 2100-12)"
    )


class PolicyPublic(BaseModel):
    version: int
    effective_from: str
    document: dict[str, Any]


class HealthPublic(BaseModel):
    status: str
    event_log_head: int
    projections: dict[str, int]
