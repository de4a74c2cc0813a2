"""Domain errors: each carries a stable machine code and the HTTP status it maps to."""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """A rule of the policy refused a command; nothing was recorded."""

    code: ClassVar[str] = "rule_violation"
    status: ClassVar[int] = 409
    title: ClassVar[str] = "The command breaks a rule"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFoundError(DomainError):
    code = "not_found"
    status = 404
    title = "No such resource"


class InvalidInputError(DomainError):
    code = "invalid_input"
    status = 422
    title = "The input is not valid"


class InvalidUsccError(InvalidInputError):
    code = "invalid_uscc"
    title = "Not a valid unified social credit code"


class FutureTimeError(InvalidInputError):
    code = "time_in_future"
    title = "A business time may not lie in the future"


class ForbiddenError(DomainError):
    code = "forbidden"
    status = 403
    title = "Not allowed for this principal"


class BackdatingNotAllowedError(ForbiddenError):
    code = "backdating_not_allowed"
    title = "Late entry is not allowed for this role"


class NotHoldingUnitError(ForbiddenError):
    code = "not_holding_unit"
    title = "Only the unit holding the matter may do this"


class NotOwnEnterpriseError(ForbiddenError):
    code = "not_own_enterprise"
    title = "Only the matter's own enterprise may do this"


class VersionConflictError(DomainError):
    code = "version_conflict"
    title = "The resource has changed since it was read"


class DuplicateUsccError(DomainError):
    code = "duplicate_uscc"
    title = "An enterprise with this credit code is already in the library"


class EnterpriseNotListedError(DomainError):
    code = "enterprise_not_listed"
    title = "The enterprise is not in the key enterprise library"


class AlreadyListedError(DomainError):
    code = "already_listed"
    title = "The enterprise is already listed"


class LeadLeaderInEffectError(DomainError):
    code = "lead_leader_in_effect"
    title = "The enterprise already has a lead leader in effect"


class AssignmentEndedError(DomainError):
    code = "assignment_ended"
    title = "The assignment has already ended"


class InvalidStateError(DomainError):
    code = "invalid_state"
    title = "Not possible in the matter's current state"


class DeadlinePassedError(DomainError):
    code = "deadline_passed"
    title = "The deadline has already passed"


class BeyondCapError(DomainError):
    code = "beyond_cap"
    title = "Beyond the 30-working-day cap"


class ExtensionPendingError(DomainError):
    code = "extension_pending"
    title = "An extension request is already awaiting a decision"


class AlreadyRatedError(DomainError):
    code = "already_rated"
    title = "This resolution has already been rated"


class SameUnitError(DomainError):
    code = "same_unit"
    title = "The matter is already with that unit"
