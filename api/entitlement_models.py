"""Request and response models of no-application subsidies (免申即享, SPEC §11)."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from api.models import BusinessDate, CleanLine, Command

YUAN = 'Yuan as a decimal string with 2 decimals, e.g. "1234567.89"'
AMOUNT = Field(
    min_length=1,
    max_length=40,
    description="Yuan: a plain decimal string, 0 or more, at most 2 decimals "
    "(no sign, exponent or separators)",
    examples=["120000.00"],
)
OrganiserLevel = Literal["province", "city", "park", "other"]


class RecordParticipationRequest(Command):
    enterprise_id: UUID
    exhibition: CleanLine = Field(min_length=1, max_length=200, description="展销会 name")
    organiser_level: OrganiserLevel = Field(
        description="Who organised it: `province`, `city` or `park` are subsidised (统一组织); "
        "`other` is refused"
    )
    fee_paid: str = AMOUNT
    held_on: BusinessDate = Field(description="When it was held; its year is the cap's year")


class RecordPromotionRequest(Command):
    enterprise_id: UUID
    campaign: CleanLine = Field(min_length=1, max_length=200, description="精品安徽 CCTV campaign")
    cost: str = AMOUNT
    province_subsidy: str = AMOUNT
    city_subsidy: str = AMOUNT
    held_on: BusinessDate = Field(description="When it ran; its year is the cap's year")


class ArithmeticPublic(BaseModel):
    """How the amount was reached; figures that do not apply to the kind are null."""

    fee_paid: str | None = Field(description=f"Exhibition fee paid. {YUAN}")
    cost: str | None = Field(description=f"Promotion cost. {YUAN}")
    province_subsidy: str | None = Field(description=f"Paid by the province. {YUAN}")
    city_subsidy: str | None = Field(description=f"Paid by the city. {YUAN}")
    remaining: str | None = Field(description=f"cost - province - city. {YUAN}")
    rate: str = Field(description='The park\'s share: "0.5" of a fee, "1" of what remains')
    uncapped: str = Field(
        description=f"The share before caps (half a fee is rounded down to the fen). {YUAN}"
    )
    exhibition_cap: str | None = Field(description=f"Exhibitions, per enterprise a year. {YUAN}")
    exhibition_cap_left: str | None = Field(
        description=f"What this year's earlier exhibition entitlements left of it. {YUAN}"
    )
    branding_cap: str = Field(description=f"All branding subsidies, per enterprise a year. {YUAN}")
    branding_cap_left: str = Field(
        description=f"What this year's earlier entitlements left of it. {YUAN}"
    )
    amount: str = Field(description=f"min(uncapped, what the caps left). {YUAN}")
    rule: str = Field(description="The rule applied, with the policy's words")


class ApprovalPublic(BaseModel):
    """The approval's time limit: 3 working days from the grant."""

    step: Literal["approve"]
    rule: str
    started_at: AwareDatetime = Field(description="When the entitlement was granted")
    due_at: AwareDatetime
    provisional: bool = Field(description="Computed over a year without a published calendar")
    calendar_version: int
    policy_version: int
    met_at: AwareDatetime | None = Field(description="When it was approved")
    reminded_at: AwareDatetime | None = Field(description="When the reminder fell due")
    missed_at: AwareDatetime | None = Field(description="Recorded as missed (= due_at)")
    state: Literal["pending", "reminded", "met", "missed"]
    late: bool = Field(description="Approved after its due time, or missed")


class EntitlementPublic(BaseModel):
    """An entitlement granted without application, its arithmetic and its approval."""

    id: UUID
    enterprise_id: UUID
    year: int = Field(description="The year of held_on: the caps' year")
    kind: Literal["exhibition", "promotion"]
    subject: str = Field(description="The exhibition or the campaign")
    organiser_level: OrganiserLevel | None
    held_on: date = Field(description="When the exhibition or promotion was held")
    amount: str = Field(description=YUAN)
    capped: bool = Field(description="A cap made the amount less than the share")
    arithmetic: ArithmeticPublic
    granted_at: AwareDatetime
    status: Literal["awaiting_approval", "approved"]
    approval: ApprovalPublic
    approved_at: AwareDatetime | None
    approved_by: str | None = Field(description="The approving principal")
    version: int = Field(
        description="Version of the enterprise's subsidy ledger when this entitlement last "
        "changed; If-Match of approve takes the ledger's current version"
    )
