"""Use cases of the key enterprise library: enterprises, guarantors, units, assignments, tokens."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.application import ParkCore
from domain.base import Act
from domain.enterprise import Assignment, Enterprise
from domain.errors import DuplicateUsccError, InvalidInputError
from domain.principal import Principal, principal_id_for
from domain.registry import GUARANTOR_KINDS, Guarantor, Unit, UsccClaim
from domain.uscc import validate_uscc


class RegistryCases(ParkCore):
    """Listing enterprises and making guarantors answerable for them."""

    def list_enterprise(
        self, act: Act, uscc: str, name: str, industry: str, chain: str, above_scale: bool
    ) -> Enterprise:
        code = validate_uscc(uscc)
        claim_id = UsccClaim.id_for(code)
        if self.exists(claim_id):
            holder = self.load(UsccClaim, claim_id).enterprise_id
            raise DuplicateUsccError(
                f"credit code {code} belongs to enterprise {holder}; relist it instead"
            )
        enterprise = Enterprise.list_new(act, code, name, industry, chain, above_scale)
        claim = UsccClaim.claim(act, code, enterprise.id)
        self.commit(enterprise, claim)
        return enterprise

    def delist_enterprise(
        self, act: Act, enterprise_id: UUID, reason: str, expected_version: int | None = None
    ) -> Enterprise:
        enterprise = self.load(Enterprise, enterprise_id, expected_version)
        enterprise.delist(act, reason)
        self.commit(enterprise)
        return enterprise

    def relist_enterprise(
        self, act: Act, enterprise_id: UUID, reason: str, expected_version: int | None = None
    ) -> Enterprise:
        enterprise = self.load(Enterprise, enterprise_id, expected_version)
        enterprise.relist(act, reason)
        self.commit(enterprise)
        return enterprise

    def reclassify_enterprise(
        self,
        act: Act,
        enterprise_id: UUID,
        above_scale: bool,
        reason: str,
        expected_version: int | None = None,
    ) -> Enterprise:
        """An enterprise enters or leaves the above-scale (四上) class."""
        enterprise = self.load(Enterprise, enterprise_id, expected_version)
        enterprise.reclassify(act, above_scale, reason)
        self.commit(enterprise)
        return enterprise

    def register_guarantor(
        self, act: Act, kind: str, name: str, title: str | None, unit: str | None
    ) -> Guarantor:
        if kind not in GUARANTOR_KINDS:
            raise InvalidInputError(f"kind must be one of {', '.join(GUARANTOR_KINDS)}")
        guarantor = Guarantor.register(act, kind, name, title, unit)
        self.commit(guarantor)
        return guarantor

    def register_unit(self, act: Act, name: str) -> Unit:
        unit = Unit.register(act, name)
        self.commit(unit)
        return unit

    def assign_guarantor(
        self,
        act: Act,
        enterprise_id: UUID,
        guarantor_id: UUID,
        role: str,
        effective_from: date,
        expected_version: int | None = None,
    ) -> tuple[Enterprise, Assignment]:
        enterprise = self.load(Enterprise, enterprise_id, expected_version)
        guarantor = self.load(Guarantor, guarantor_id)
        assignment = enterprise.assign_guarantor(
            act, guarantor.id, guarantor.kind, role, effective_from
        )
        self.commit(enterprise)
        return enterprise, assignment

    def release_assignment(
        self,
        act: Act,
        enterprise_id: UUID,
        assignment_id: UUID,
        effective_to: date,
        reason: str,
        expected_version: int | None = None,
    ) -> tuple[Enterprise, Assignment]:
        enterprise = self.load(Enterprise, enterprise_id, expected_version)
        assignment = enterprise.release_guarantor(act, assignment_id, effective_to, reason)
        self.commit(enterprise)
        return enterprise, assignment

    def reassign(
        self,
        act: Act,
        enterprise_id: UUID,
        role: str,
        guarantor_id: UUID,
        effective_from: date,
        reason: str,
        expected_version: int | None = None,
    ) -> tuple[Enterprise, Assignment]:
        enterprise = self.load(Enterprise, enterprise_id, expected_version)
        guarantor = self.load(Guarantor, guarantor_id)
        assignment = enterprise.reassign(
            act, role, guarantor.id, guarantor.kind, effective_from, reason
        )
        self.commit(enterprise)
        return enterprise, assignment

    def issue_token(
        self, act: Act, name: str, role: str, scope: str | None
    ) -> tuple[Principal, str]:
        principal, token = Principal.issue(act, name, role, scope)
        self.commit(principal)
        return principal, token

    def principal_for(self, token: str) -> Principal | None:
        """The live principal holding this token, if any."""
        if not token:
            return None
        principal_id = principal_id_for(token)
        if not self.exists(principal_id):
            return None
        principal = self.load(Principal, principal_id)
        return None if principal.revoked else principal
