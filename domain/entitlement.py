"""No-application subsidies (免申即享): each enterprise's branding subsidies of a year (SPEC §11).

Amounts are integer fen. Half of an exhibition fee is rounded down to the fen: the policy grants
"不超过参展费用50%", so half a fen more would exceed it. The exhibition cap (300,000 yuan a year)
applies first, then the branding cap (2,000,000 yuan a year over exhibitions and promotions), in
the order the entitlements arise; one that finds a cap used up is still granted, at 0, so that
the enterprise sees why.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from domain.base import Act, BaobaoAggregate, create
from domain.calendar import SHANGHAI
from domain.deadline import Deadline, Rules, working_days
from domain.errors import DomainError, FutureTimeError, InvalidInputError, NotFoundError

ORGANISER_LEVELS = ("province", "city", "park", "other")
ELIGIBLE_ORGANISERS = ("province", "city", "park")
EXHIBITION = "exhibition"
PROMOTION = "promotion"
EXHIBITION_CAP_FEN = 300_000_00
BRANDING_CAP_FEN = 2_000_000_00
APPROVAL_WORKING_DAYS = 3
APPROVE = "approve"


class NotAboveScaleError(DomainError):
    code = "not_above_scale"
    title = "Only above-scale (四上) enterprises are entitled"


class OrganiserNotEligibleError(DomainError):
    code = "organiser_not_eligible"
    title = "Only exhibitions organised by the province, the city or the park are subsidised"


class SubsidiesExceedCostError(InvalidInputError):
    code = "subsidies_exceed_cost"
    title = "The province and city subsidies exceed the cost"


class AlreadyApprovedError(DomainError):
    code = "already_approved"
    title = "The entitlement is already approved"


@dataclass(frozen=True)
class Award:
    """What an entitlement comes to: the share before caps, what the caps left, the amount."""

    uncapped_fen: int
    exhibition_cap_left_fen: int | None  # None: not an exhibition
    branding_cap_left_fen: int
    amount_fen: int

    @property
    def capped(self) -> bool:
        return self.amount_fen < self.uncapped_fen


def exhibition_award(fee_fen: int, exhibitions_fen: int, branding_fen: int) -> Award:
    """50% of the fee (rounded down to the fen), within what the two caps leave this year."""
    uncapped = fee_fen // 2
    exhibition_left = max(0, EXHIBITION_CAP_FEN - exhibitions_fen)
    branding_left = max(0, BRANDING_CAP_FEN - branding_fen)
    amount = min(uncapped, exhibition_left, branding_left)
    return Award(uncapped, exhibition_left, branding_left, amount)


def promotion_award(cost_fen: int, province_fen: int, city_fen: int, branding_fen: int) -> Award:
    """100% of what the province and city subsidies leave of the cost, within the branding cap."""
    if province_fen + city_fen > cost_fen:
        raise SubsidiesExceedCostError(
            f"province ({province_fen} fen) and city ({city_fen} fen) subsidies exceed "
            f"the cost ({cost_fen} fen)"
        )
    uncapped = cost_fen - province_fen - city_fen
    branding_left = max(0, BRANDING_CAP_FEN - branding_fen)
    return Award(uncapped, None, branding_left, min(uncapped, branding_left))


@dataclass(frozen=True)
class Entitlement:
    """One subsidy granted without application, with its arithmetic and its approval."""

    id: UUID
    kind: str  # exhibition | promotion
    subject: str  # the exhibition's or the campaign's name
    organiser_level: str | None
    held_on: date
    fee_paid_fen: int | None
    cost_fen: int | None
    province_subsidy_fen: int | None
    city_subsidy_fen: int | None
    uncapped_fen: int
    exhibition_cap_left_fen: int | None
    branding_cap_left_fen: int
    amount_fen: int
    approval: Deadline
    approved_by: str | None = None
    # Versions of the ledger's events that granted it and that last changed it.
    granted_by: int = 0
    changed_by: int = 0

    @property
    def capped(self) -> bool:
        return self.amount_fen < self.uncapped_fen

    @property
    def approved_at(self) -> datetime | None:
        return self.approval.met_at


class SubsidyLedger(BaobaoAggregate):
    """One enterprise's branding subsidies of one year; its id derives from both, so that the
    caps are applied in the order the entitlements arise, one writer at a time."""

    class Opened(BaobaoAggregate.Created):
        enterprise_id: UUID
        year: int

    class ExhibitionSubsidyGranted(BaobaoAggregate.Event):
        enterprise_id: UUID
        entitlement: Entitlement

        def apply(self, ledger: SubsidyLedger) -> None:
            ledger.put(self.entitlement, self.originator_version)

    class PromotionSubsidyGranted(BaobaoAggregate.Event):
        enterprise_id: UUID
        entitlement: Entitlement

        def apply(self, ledger: SubsidyLedger) -> None:
            ledger.put(self.entitlement, self.originator_version)

    class Approved(BaobaoAggregate.Event):
        entitlement_id: UUID
        enterprise_id: UUID

        def apply(self, ledger: SubsidyLedger) -> None:
            e = ledger.entitlement(self.entitlement_id)
            approval = e.approval.met(self.occurred_at, self.originator_version)
            by = self.actor.principal_id
            ledger.put(replace(e, approval=approval, approved_by=by), self.originator_version)

    class ApprovalReminded(BaobaoAggregate.Event):
        """One working day remains to approve the entitlement (限时办结提醒)."""

        entitlement_id: UUID
        enterprise_id: UUID
        subject: str
        amount_fen: int
        due_at: datetime

        def apply(self, ledger: SubsidyLedger) -> None:
            e = ledger.entitlement(self.entitlement_id)
            approval = replace(e.approval, reminded_at=self.occurred_at)
            ledger.put(replace(e, approval=approval), self.originator_version)

    class ApprovalMissed(BaobaoAggregate.Event):
        """The approval deadline passed with the entitlement not approved (超期)."""

        entitlement_id: UUID
        enterprise_id: UUID
        subject: str
        amount_fen: int
        due_at: datetime

        def apply(self, ledger: SubsidyLedger) -> None:
            e = ledger.entitlement(self.entitlement_id)
            approval = replace(e.approval, missed_at=self.occurred_at)
            ledger.put(replace(e, approval=approval), self.originator_version)

    def __init__(self, enterprise_id: UUID, year: int) -> None:
        self.enterprise_id = enterprise_id
        self.year = year
        # In the order they arose; keyed by the entitlement id as text (state is JSON).
        self.entitlements: dict[str, Entitlement] = {}

    @staticmethod
    def id_for(enterprise_id: UUID, year: int) -> UUID:
        return uuid5(NAMESPACE_URL, f"baobao:subsidies:{enterprise_id}:{year}")

    @classmethod
    def open(cls, act: Act, enterprise_id: UUID, year: int) -> SubsidyLedger:
        ledger_id = cls.id_for(enterprise_id, year)
        return create(cls, cls.Opened, act, ledger_id, enterprise_id=enterprise_id, year=year)

    # -- commands --------------------------------------------------------------------------

    def grant_exhibition(
        self,
        act: Act,
        rules: Rules,
        exhibition: str,
        organiser_level: str,
        fee_fen: int,
        held_on: date,
    ) -> Entitlement:
        """F1: half the fee of a province/city/park organised exhibition, within the caps."""
        if organiser_level not in ORGANISER_LEVELS:
            raise InvalidInputError(f"organiser_level must be one of {', '.join(ORGANISER_LEVELS)}")
        if organiser_level not in ELIGIBLE_ORGANISERS:
            raise OrganiserNotEligibleError(
                f"{exhibition!r} is organised at level {organiser_level!r}; only exhibitions "
                "organised by the province, the city or the park are subsidised"
            )
        self.check_positive(fee_fen, "fee_paid")
        self.check_held_on(act, held_on)
        award = exhibition_award(fee_fen, self.granted_fen(EXHIBITION), self.granted_fen())
        entitlement = self.entitlement_of(act, rules, award, EXHIBITION, exhibition, held_on)
        entitlement = replace(entitlement, organiser_level=organiser_level, fee_paid_fen=fee_fen)
        self.record(
            self.ExhibitionSubsidyGranted,
            act,
            enterprise_id=self.enterprise_id,
            entitlement=entitlement,
        )
        return self.entitlement(entitlement.id)

    def grant_promotion(
        self,
        act: Act,
        rules: Rules,
        campaign: str,
        cost_fen: int,
        province_fen: int,
        city_fen: int,
        held_on: date,
    ) -> Entitlement:
        """F2: what remains of a 精品安徽 CCTV promotion after province and city subsidies."""
        self.check_positive(cost_fen, "cost")
        self.check_held_on(act, held_on)
        award = promotion_award(cost_fen, province_fen, city_fen, self.granted_fen())
        entitlement = self.entitlement_of(act, rules, award, PROMOTION, campaign, held_on)
        entitlement = replace(
            entitlement,
            cost_fen=cost_fen,
            province_subsidy_fen=province_fen,
            city_subsidy_fen=city_fen,
        )
        self.record(
            self.PromotionSubsidyGranted,
            act,
            enterprise_id=self.enterprise_id,
            entitlement=entitlement,
        )
        return self.entitlement(entitlement.id)

    def approve(self, act: Act, entitlement_id: UUID) -> Entitlement:
        """F3: a leader approves; after the deadline it is approved late."""
        e = self.entitlement(entitlement_id)
        if e.approved_at is not None:
            raise AlreadyApprovedError(
                f"entitlement {entitlement_id} was approved at {e.approved_at.isoformat()}"
            )
        if act.occurred_at < e.approval.started_at:
            raise InvalidInputError(
                f"business time {act.occurred_at.isoformat()} is before the entitlement was "
                f"granted ({e.approval.started_at.isoformat()})"
            )
        self.record(
            self.Approved, act, entitlement_id=entitlement_id, enterprise_id=self.enterprise_id
        )
        return self.entitlement(entitlement_id)

    def remind(self, act: Act, entitlement_id: UUID) -> bool:
        """Record the approval reminder once; False if already reminded or missed."""
        approval = self.entitlement(entitlement_id).approval
        if approval.reminded_at is not None or approval.missed_at is not None:
            return False
        self.record(self.ApprovalReminded, act, **self.approval_facts(entitlement_id))
        return True

    def note_missed(self, act: Act, entitlement_id: UUID) -> bool:
        """Record once that the approval deadline passed; False if already."""
        if self.entitlement(entitlement_id).approval.missed_at is not None:
            return False
        self.record(self.ApprovalMissed, act, **self.approval_facts(entitlement_id))
        return True

    # -- rules -----------------------------------------------------------------------------

    def check_held_on(self, act: Act, held_on: date) -> None:
        """In the ledger's year and not after the business day of the act (参展后即可享受)."""
        if held_on.year != self.year:
            raise InvalidInputError(f"held on {held_on.isoformat()}, not in {self.year}")
        today = act.occurred_at.astimezone(SHANGHAI).date()
        if held_on > today:
            raise FutureTimeError(f"held_on {held_on.isoformat()} is after today ({today})")

    @staticmethod
    def check_positive(fen: int, field: str) -> None:
        if fen <= 0:
            raise InvalidInputError(f"{field} must be more than 0")

    # -- state helpers ---------------------------------------------------------------------

    def granted_fen(self, kind: str | None = None) -> int:
        """What this year's entitlements (of a kind, or all) came to."""
        found = self.entitlements.values()
        return sum(e.amount_fen for e in found if kind is None or e.kind == kind)

    def entitlement_of(
        self, act: Act, rules: Rules, award: Award, kind: str, subject: str, held_on: date
    ) -> Entitlement:
        by = self.version + 1
        days = working_days(APPROVAL_WORKING_DAYS)
        return Entitlement(
            id=uuid4(),
            kind=kind,
            subject=subject,
            organiser_level=None,
            held_on=held_on,
            fee_paid_fen=None,
            cost_fen=None,
            province_subsidy_fen=None,
            city_subsidy_fen=None,
            uncapped_fen=award.uncapped_fen,
            exhibition_cap_left_fen=award.exhibition_cap_left_fen,
            branding_cap_left_fen=award.branding_cap_left_fen,
            amount_fen=award.amount_fen,
            approval=Deadline.compute(APPROVE, None, days, act.occurred_at, rules, by=by),
            granted_by=by,
            changed_by=by,
        )

    def put(self, entitlement: Entitlement, version: int) -> None:
        self.entitlements[str(entitlement.id)] = replace(entitlement, changed_by=version)

    def entitlement(self, entitlement_id: UUID) -> Entitlement:
        try:
            return self.entitlements[str(entitlement_id)]
        except KeyError:
            raise NotFoundError(f"no entitlement {entitlement_id}") from None

    def approval_facts(self, entitlement_id: UUID) -> dict[str, Any]:
        """What a reminder or a miss says: which entitlement, whose, how much, when due."""
        e = self.entitlement(entitlement_id)
        return {
            "entitlement_id": e.id,
            "enterprise_id": self.enterprise_id,
            "subject": e.subject,
            "amount_fen": e.amount_fen,
            "due_at": e.approval.due_at,
        }


class EntitlementRef(BaobaoAggregate):
    """Points an entitlement's id at its ledger, saved with the grant (for the approve URL)."""

    class Registered(BaobaoAggregate.Created):
        ledger_id: UUID
        enterprise_id: UUID
        year: int

    def __init__(self, ledger_id: UUID, enterprise_id: UUID, year: int) -> None:
        self.ledger_id = ledger_id
        self.enterprise_id = enterprise_id
        self.year = year

    @classmethod
    def register(cls, act: Act, entitlement_id: UUID, ledger: SubsidyLedger) -> EntitlementRef:
        return create(
            cls,
            cls.Registered,
            act,
            entitlement_id,
            ledger_id=ledger.id,
            enterprise_id=ledger.enterprise_id,
            year=ledger.year,
        )
