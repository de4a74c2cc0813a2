"""Request and response models of service visits (SPEC §7)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api.models import BusinessTime, CleanLine, CleanText, Command, OptionalText

VisitKind = Literal["visit", "four_deliveries", "tea_talk"]


class VisitProblemRequest(BaseModel):
    """A problem found on the visit: it becomes a matter (channel `visit`)."""

    model_config = ConfigDict(extra="forbid")
    summary: CleanText = Field(min_length=1, max_length=4000)
    category: CleanLine = Field(min_length=1, max_length=200)


class CreateVisitRequest(Command):
    guarantor_id: UUID
    enterprise_id: UUID
    kind: VisitKind = Field(
        description="`visit` 走访, `four_deliveries` 四送一服, `tea_talk` 畅聊下午茶"
    )
    visited_at: BusinessTime = Field(
        description="When the visit took place: not after now; a guarantor may record a visit up "
        "to 30 days later, older visits only an admin"
    )
    notes: OptionalText | None = None
    problems: list[VisitProblemRequest] = Field(default_factory=list, max_length=50)


class VisitProblemPublic(BaseModel):
    summary: str | None = Field(
        description="The matter's summary; null for hr, who read no matter contents"
    )
    category: str
    matter_id: UUID = Field(description="The matter opened for it")


class VisitPublic(BaseModel):
    """A recorded visit and the matters opened from the problems found."""

    id: UUID
    guarantor_id: UUID
    enterprise_id: UUID
    kind: VisitKind
    visited_at: AwareDatetime = Field(description="When the visit took place (business time)")
    notes: str
    problems: list[VisitProblemPublic]
    matter_ids: list[UUID]
    recorded_at: AwareDatetime = Field(description="When it was recorded")
    version: int
