"""Use cases of no-application subsidies (免申即享): grants, approval, its deadline (SPEC §11)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from domain.application import ParkCore
from domain.base import Act, Actor
from domain.deadline import Rules
from domain.enterprise import Enterprise
from domain.entitlement import Entitlement, EntitlementRef, NotAboveScaleError, SubsidyLedger
from domain.errors import NotFoundError, VersionConflictError
from domain.money import to_fen
from domain.watch_cases import Noted

Grant = Callable[[SubsidyLedger, Rules], Entitlement]
ATTEMPTS = 3


class EntitlementCases(ParkCore):
    """Subsidies granted without application, approved by a leader within 3 working days."""

    def record_exhibition(
        self,
        act: Act,
        enterprise_id: UUID,
        exhibition: str,
        organiser_level: str,
        fee_paid: Decimal,
        held_on: date,
    ) -> tuple[SubsidyLedger, Entitlement]:
        """F1: recording a participation grants half its fee, within this year's caps."""
        enterprise = self.above_scale_enterprise(enterprise_id)
        fee_fen = to_fen(fee_paid)
        return self.grant(
            act,
            enterprise.id,
            held_on.year,
            lambda ledger, rules: ledger.grant_exhibition(
                act, rules, exhibition, organiser_level, fee_fen, held_on
            ),
        )

    def record_promotion(
        self,
        act: Act,
        enterprise_id: UUID,
        campaign: str,
        cost: Decimal,
        province_subsidy: Decimal,
        city_subsidy: Decimal,
        held_on: date,
    ) -> tuple[SubsidyLedger, Entitlement]:
        """F2: recording a 精品安徽 CCTV promotion grants what the province and city left."""
        enterprise = self.load(Enterprise, enterprise_id)
        enterprise.check_listed()
        cost_fen, province_fen, city_fen = map(to_fen, (cost, province_subsidy, city_subsidy))
        return self.grant(
            act,
            enterprise.id,
            held_on.year,
            lambda ledger, rules: ledger.grant_promotion(
                act, rules, campaign, cost_fen, province_fen, city_fen, held_on
            ),
        )

    def above_scale_enterprise(self, enterprise_id: UUID) -> Enterprise:
        """The enterprise, if listed and above scale as it stands when the participation is
        recorded; entitlements granted before it stopped being so stand."""
        enterprise = self.load(Enterprise, enterprise_id)
        enterprise.check_listed()
        if not enterprise.above_scale:
            raise NotAboveScaleError(
                f"enterprise {enterprise.id} ({enterprise.name}) is not above scale (四上); "
                "exhibition subsidies are for above-scale enterprises only"
            )
        return enterprise

    def grant(
        self, act: Act, enterprise_id: UUID, year: int, grant: Grant
    ) -> tuple[SubsidyLedger, Entitlement]:
        """Grant on the enterprise's ledger of the year and save it with the entitlement's
        pointer; a concurrent grant on the same ledger makes this one recompute its caps."""
        rules = self.rules_at(act.occurred_at)
        ledger_id = SubsidyLedger.id_for(enterprise_id, year)
        for attempt in range(1, ATTEMPTS + 1):
            if self.exists(ledger_id):
                ledger = self.load(SubsidyLedger, ledger_id)
            else:
                ledger = SubsidyLedger.open(act, enterprise_id, year)
            entitlement = grant(ledger, rules)
            try:
                self.commit(ledger, EntitlementRef.register(act, entitlement.id, ledger))
            except VersionConflictError:
                if attempt == ATTEMPTS:
                    raise
                continue
            return ledger, entitlement
        raise AssertionError("unreachable")  # pragma: no cover

    def approve_entitlement(
        self, act: Act, entitlement_id: UUID, expected_version: int | None = None
    ) -> tuple[SubsidyLedger, Entitlement]:
        """F3: a leader approves; If-Match is the version of the enterprise's ledger."""
        ledger = self.ledger_of(entitlement_id, expected_version)
        entitlement = ledger.approve(act, entitlement_id)
        self.commit(ledger)
        return ledger, entitlement

    def ledger_of(self, entitlement_id: UUID, expected_version: int | None = None) -> SubsidyLedger:
        """The ledger holding an entitlement, found through its pointer."""
        try:
            ref = self.load(EntitlementRef, entitlement_id)
        except NotFoundError:
            raise NotFoundError(f"no entitlement {entitlement_id}") from None
        return self.load(SubsidyLedger, ref.ledger_id, expected_version)

    def subsidy_ledger(self, enterprise_id: UUID, year: int) -> SubsidyLedger | None:
        """The enterprise's entitlements of a year, or None if none arose."""
        ledger_id = SubsidyLedger.id_for(enterprise_id, year)
        return self.load(SubsidyLedger, ledger_id) if self.exists(ledger_id) else None

    # -- the deadline watcher --------------------------------------------------------------

    def watch_entitlement(self, actor: Actor, entitlement_id: UUID, as_of: datetime) -> list[Noted]:
        """Record the approval reminder or miss due by `as_of`; a concurrent record wins."""
        for _ in range(ATTEMPTS):
            ledger = self.ledger_of(entitlement_id)
            noted = self.note_approval_due(ledger, entitlement_id, actor, as_of)
            if not noted:
                return []
            try:
                self.commit(ledger)
            except VersionConflictError:
                continue
            return noted
        return []

    def note_approval_due(
        self, ledger: SubsidyLedger, entitlement_id: UUID, actor: Actor, as_of: datetime
    ) -> list[Noted]:
        deadline = ledger.entitlement(entitlement_id).approval
        if not deadline.open_at(as_of):
            return []
        recorded_at = self.clock()
        if as_of > deadline.due_at:
            act = Act(actor, recorded_at=recorded_at, occurred_at=deadline.due_at)
            if ledger.note_missed(act, entitlement_id):
                return [Noted(entitlement_id, "missed", deadline.step, deadline.due_at)]
            return []
        rules = self.rules_at(as_of)
        calendar = rules.calendar
        day = rules.policy.document.office_hours().day_length()
        if calendar.working_time_between(as_of, deadline.due_at) > day:
            return []
        moment = max(deadline.started_at, calendar.working_time_before(deadline.due_at, day))
        act = Act(actor, recorded_at=recorded_at, occurred_at=moment)
        if ledger.remind(act, entitlement_id):
            return [Noted(entitlement_id, "reminded", deadline.step, deadline.due_at)]
        return []
