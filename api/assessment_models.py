"""Response models of assessments (考核)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


class Components(BaseModel):
    """Each component's value (0–100) or null when it had nothing to count."""

    sales: str | None
    timeliness: str | None
    satisfaction: str | None
    service: str | None


class AssessmentPublic(BaseModel):
    guarantor_id: UUID
    name: str
    kind: str
    period: str
    policy_version: int
    score: str | None = Field(description="Rounded half-up to 2 decimals; null if not assessable")
    grade: str | None = Field(description="优秀 | 良好 | 合格 | 不合格")
    rank: int | None = Field(description="Among the same kind; equal scores share a rank")
    components: Components
    deductions: str = Field(description="Points deducted in the period")


class AssessmentPage(BaseModel):
    period: str
    kind: str | None
    policy_version: int | None = Field(description="The what-if policy, or null: each month's own")
    items: list[AssessmentPublic]
    next_cursor: str | None = None


class ExplanationPublic(AssessmentPublic):
    explanation: dict[str, Any] = Field(
        description="Every input of every component with the ids (aggregate@version) of the events"
    )
