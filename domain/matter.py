"""A matter (诉求): an enterprise's request or problem and its time-limited handling (SPEC §5)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from domain.base import Act, BaobaoAggregate, create
from domain.deadline import HALF_DAY, Deadline, Rules, working_days
from domain.errors import (
    AlreadyRatedError,
    BeyondCapError,
    DeadlinePassedError,
    ExtensionPendingError,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
    NotHoldingUnitError,
    NotOwnEnterpriseError,
    SameUnitError,
    VersionConflictError,
)

CHANNELS = ("window", "phone", "online", "visit", "dispatch")
OPEN_STATUSES = ("received", "assigned", "rectifying")


@dataclass(frozen=True)
class ExtensionRequest:
    """A unit's request to move its handle deadline (延期申请)."""

    id: UUID
    unit_id: str
    requested_deadline: datetime
    reason: str
    requested_at: datetime
    status: str = "pending"  # pending | approved | rejected
    decided_at: datetime | None = None
    decision_reason: str | None = None


@dataclass(frozen=True)
class Rating:
    """The enterprise's rating (好差评) of one resolution."""

    level: int
    comment: str | None
    rated_at: datetime
    resolution: int
    version: int = 0  # of the Rated event


class Matter(BaobaoAggregate):
    """An enterprise request from intake to closure, with every step's deadline."""

    class Received(BaobaoAggregate.Created):
        enterprise_id: UUID
        summary: str
        category: str
        channel: str
        received_at: datetime
        assign_deadline: Deadline

    class Assigned(BaobaoAggregate.Event):
        unit_id: str
        handle_deadline: Deadline
        cap: Deadline

        def apply(self, m: Matter) -> None:
            m.close_open_steps(self.occurred_at, self.originator_version)
            m.status = "assigned"
            m.unit_id = self.unit_id
            m.assigned_at = self.occurred_at
            m.cap = self.cap
            m.deadlines.append(self.handle_deadline)

    class Transferred(BaobaoAggregate.Event):
        from_unit_id: str
        unit_id: str
        reason: str
        handle_deadline: Deadline

        def apply(self, m: Matter) -> None:
            m.close_open_steps(self.occurred_at, self.originator_version)
            m.drop_pending_extension(self.occurred_at)
            m.unit_id = self.unit_id
            m.deadlines.append(self.handle_deadline)

    class ExtensionRequested(BaobaoAggregate.Event):
        request_id: UUID
        unit_id: str
        requested_deadline: datetime
        reason: str

        def apply(self, m: Matter) -> None:
            m.extension_requests.append(
                ExtensionRequest(
                    self.request_id,
                    self.unit_id,
                    self.requested_deadline,
                    self.reason,
                    self.occurred_at,
                )
            )

    class ExtensionApproved(BaobaoAggregate.Event):
        request_id: UUID

        def apply(self, m: Matter) -> None:
            request = m.decide(self.request_id, "approved", self.occurred_at, None)
            m.major = True
            index = m.open_step_index()
            if index is not None:
                m.deadlines[index] = m.deadlines[index].extended(
                    request.requested_deadline, self.originator_version
                )

    class ExtensionRejected(BaobaoAggregate.Event):
        request_id: UUID
        reason: str

        def apply(self, m: Matter) -> None:
            m.decide(self.request_id, "rejected", self.occurred_at, self.reason)

    class Resolved(BaobaoAggregate.Event):
        reply: str

        def apply(self, m: Matter) -> None:
            m.close_open_steps(self.occurred_at, self.originator_version)
            m.drop_pending_extension(self.occurred_at)
            m.status = "resolved"
            m.reply = self.reply
            m.resolved_at = self.occurred_at
            m.resolutions += 1

    class Rated(BaobaoAggregate.Event):
        level: int
        comment: str | None
        rectify_deadline: Deadline | None

        def apply(self, m: Matter) -> None:
            m.ratings.append(
                Rating(
                    self.level,
                    self.comment,
                    self.occurred_at,
                    m.resolutions,
                    self.originator_version,
                )
            )
            if self.rectify_deadline is None:
                m.status = "closed"
            else:
                m.status = "rectifying"
                m.deadlines.append(self.rectify_deadline)

    class Withdrawn(BaobaoAggregate.Event):
        reason: str

        def apply(self, m: Matter) -> None:
            for index, deadline in enumerate(m.deadlines):
                if deadline.open:
                    m.deadlines[index] = deadline.cancelled(
                        self.occurred_at, self.originator_version
                    )
            m.drop_pending_extension(self.occurred_at)
            m.status = "withdrawn"
            m.withdrawal_reason = self.reason

    class DeadlineReminded(BaobaoAggregate.Event):
        """One working day of working time remained before this deadline (限时办结提醒)."""

        index: int
        step: str
        due_at: datetime
        unit_id: str | None
        enterprise_id: UUID

        def apply(self, m: Matter) -> None:
            m.deadlines[self.index] = replace(m.deadlines[self.index], reminded_at=self.occurred_at)

    class DeadlineMissed(BaobaoAggregate.Event):
        """The deadline passed with the step not done (超期)."""

        index: int
        step: str
        due_at: datetime
        unit_id: str | None
        enterprise_id: UUID

        def apply(self, m: Matter) -> None:
            m.deadlines[self.index] = replace(m.deadlines[self.index], missed_at=self.occurred_at)

    class RatingInvited(BaobaoAggregate.Event):
        """The enterprise has not rated a resolution in time and is invited to (a notification)."""

        resolution: int
        enterprise_id: UUID

        def apply(self, m: Matter) -> None:
            m.invited_resolutions.append(self.resolution)

    class DeadlineRecomputed(BaobaoAggregate.Event):
        index: int
        deadline: Deadline

        def apply(self, m: Matter) -> None:
            if self.index < 0:
                m.cap = self.deadline
            else:
                m.deadlines[self.index] = self.deadline

    def __init__(
        self,
        enterprise_id: UUID,
        summary: str,
        category: str,
        channel: str,
        received_at: datetime,
        assign_deadline: Deadline,
    ) -> None:
        self.enterprise_id = enterprise_id
        self.summary = summary
        self.category = category
        self.channel = channel
        self.received_at = received_at
        self.status = "received"
        self.unit_id: str | None = None
        self.assigned_at: datetime | None = None
        self.resolved_at: datetime | None = None
        self.reply: str | None = None
        self.withdrawal_reason: str | None = None
        self.deadlines: list[Deadline] = [assign_deadline]
        self.cap: Deadline | None = None
        self.major = False
        self.resolutions = 0
        self.ratings: list[Rating] = []
        self.extension_requests: list[ExtensionRequest] = []
        self.invited_resolutions: list[int] = []

    # -- commands --------------------------------------------------------------------------

    @classmethod
    def receive(
        cls, act: Act, rules: Rules, enterprise_id: UUID, summary: str, category: str, channel: str
    ) -> Matter:
        """Intake (受理): the assign deadline is half a working day after receipt."""
        if channel not in CHANNELS:
            raise InvalidInputError(f"channel must be one of {', '.join(CHANNELS)}")
        received_at = act.occurred_at
        deadline = Deadline.compute("assign", None, HALF_DAY, received_at, rules, by=1)
        return create(
            cls,
            cls.Received,
            act,
            uuid4(),
            enterprise_id=enterprise_id,
            summary=summary,
            category=category,
            channel=channel,
            received_at=received_at,
            assign_deadline=deadline,
        )

    def assign(self, act: Act, rules: Rules, unit_id: str) -> None:
        """Assign (交办): fixes the handle deadline and the 30-working-day cap."""
        self.check_status("received")
        self.check_in_order(act)
        policy = rules.policy.document
        at = act.occurred_at
        handle = Deadline.compute(
            "handle",
            unit_id,
            working_days(policy.handle_working_days),
            at,
            rules,
            by=self.version + 1,
        )
        cap = Deadline.compute(
            "cap", unit_id, working_days(policy.cap_working_days), at, rules, by=self.version + 1
        )
        self.record(self.Assigned, act, unit_id=unit_id, handle_deadline=handle, cap=cap)

    def transfer(self, act: Act, rules: Rules, unit_id: str, reason: str) -> None:
        """Transfer (转办): the new unit gets a fresh handle deadline; the cap stays."""
        self.check_status("assigned")
        self.check_holding_unit(act)
        self.check_in_order(act)
        if unit_id == self.unit_id:
            raise SameUnitError(f"matter {self.id} is already with unit {unit_id}")
        days = working_days(rules.policy.document.handle_working_days)
        handle = Deadline.compute(
            "handle", unit_id, days, act.occurred_at, rules, by=self.version + 1
        )
        self.record(
            self.Transferred,
            act,
            from_unit_id=self.unit_id or "",
            unit_id=unit_id,
            reason=reason,
            handle_deadline=handle,
        )

    def request_extension(
        self, act: Act, requested_deadline: datetime, reason: str
    ) -> ExtensionRequest:
        self.check_status("assigned")
        self.check_holding_unit(act, clerk_may=False)
        self.check_in_order(act)
        if self.pending_extension() is not None:
            raise ExtensionPendingError(
                f"matter {self.id} has an extension request awaiting a decision"
            )
        current = self.current_step()
        if act.occurred_at > current.due_at:
            raise DeadlinePassedError(
                f"the handle deadline {current.due_at.isoformat()} has passed; "
                "an extension must be requested before it"
            )
        if requested_deadline <= current.due_at:
            raise InvalidInputError("the requested deadline must be after the current one")
        assert self.cap is not None
        if requested_deadline > self.cap.due_at:
            raise BeyondCapError(
                f"requested {requested_deadline.isoformat()} is beyond the cap "
                f"{self.cap.due_at.isoformat()} (working days after the first assignment: "
                f"{self.cap.rule.split(':')[-1]})"
            )
        request_id = uuid4()
        self.record(
            self.ExtensionRequested,
            act,
            request_id=request_id,
            unit_id=self.unit_id or "",
            requested_deadline=requested_deadline,
            reason=reason,
        )
        return self.extension_requests[-1]

    def approve_extension(self, act: Act, request_id: UUID) -> None:
        self.check_status("assigned")
        self.check_pending(request_id)
        self.check_in_order(act)
        self.record(self.ExtensionApproved, act, request_id=request_id)

    def reject_extension(self, act: Act, request_id: UUID, reason: str) -> None:
        self.check_status("assigned")
        self.check_pending(request_id)
        self.check_in_order(act)
        self.record(self.ExtensionRejected, act, request_id=request_id, reason=reason)

    def resolve(self, act: Act, reply: str) -> None:
        """Resolve (办结) with a reply; after the deadline it counts as resolved late."""
        self.check_status("assigned", "rectifying")
        self.check_holding_unit(act, clerk_may=False)
        self.check_in_order(act)
        self.record(self.Resolved, act, reply=reply)

    def rate(self, act: Act, rules: Rules, level: int, comment: str | None) -> Rating:
        """Rating (好差评): 1–2 reopens for rectification by the same unit, 3–5 closes."""
        if not 1 <= level <= 5:
            raise InvalidInputError("level must be 1 to 5")
        if self.status == "closed" or (self.status == "rectifying" and self.ratings):
            raise AlreadyRatedError(
                f"resolution {self.resolutions} of matter {self.id} is already rated"
            )
        self.check_status("resolved")
        self.check_own_enterprise(act)
        self.check_in_order(act)
        rectify = None
        if level <= 2:
            days = working_days(rules.policy.document.rectification_working_days)
            rectify = Deadline.compute(
                "rectify", self.unit_id, days, act.occurred_at, rules, by=self.version + 1
            )
        self.record(self.Rated, act, level=level, comment=comment, rectify_deadline=rectify)
        return self.ratings[-1]

    def withdraw(self, act: Act, reason: str) -> None:
        """Withdrawn by the enterprise (or the window on its behalf) before resolution."""
        self.check_status("received", "assigned")
        if act.actor.role == "enterprise":
            self.check_own_enterprise(act)
        self.check_in_order(act)
        self.record(self.Withdrawn, act, reason=reason)

    def recompute_provisional(self, act: Act, rules_for: Callable[[Deadline], Rules]) -> int:
        """Recompute open provisional deadlines under a newly published calendar, each under the
        policy version it was computed with."""
        if self.status not in OPEN_STATUSES:
            return 0
        changed = 0
        cap = [(-1, self.cap)] if self.status == "assigned" else []
        for index, deadline in [*enumerate(self.deadlines), *cap]:
            if deadline is None or not deadline.provisional or not deadline.open:
                continue
            if deadline.extended_from is not None:
                continue
            fresh = deadline.recomputed(rules_for(deadline), by=self.version + 1)
            if fresh != deadline:
                self.record(self.DeadlineRecomputed, act, index=index, deadline=fresh)
                changed += 1
        return changed

    def remind(self, act: Act, index: int) -> bool:
        """Record the reminder of a deadline, once per deadline instant; False if already."""
        deadline = self.deadlines[index]
        if deadline.reminded_at is not None or deadline.missed_at is not None:
            return False
        self.record(self.DeadlineReminded, act, index=index, **self.step_facts(index))
        return True

    def note_missed(self, act: Act, index: int) -> bool:
        """Record that a deadline passed undone, once per deadline instant; False if already."""
        deadline = self.deadlines[index]
        if deadline.missed_at is not None:
            return False
        self.record(self.DeadlineMissed, act, index=index, **self.step_facts(index))
        return True

    def step_facts(self, index: int) -> dict[str, Any]:
        """What a reminder or a miss says of its step: which, when due, who holds it, whose."""
        deadline = self.deadlines[index]
        return {
            "step": deadline.step,
            "due_at": deadline.due_at,
            "unit_id": deadline.unit_id,
            "enterprise_id": self.enterprise_id,
        }

    def invite_rating(self, act: Act) -> bool:
        """Invite the enterprise to rate the latest resolution, once per resolution."""
        if self.resolutions == 0 or self.resolutions in self.invited_resolutions:
            return False
        if any(r.resolution == self.resolutions for r in self.ratings):
            return False
        self.record(
            self.RatingInvited, act, resolution=self.resolutions, enterprise_id=self.enterprise_id
        )
        return True

    # -- rules -----------------------------------------------------------------------------

    def check_status(self, *allowed: str) -> None:
        if self.status not in allowed:
            raise InvalidStateError(
                f"matter {self.id} is {self.status}; needs {' or '.join(allowed)}"
            )

    def check_holding_unit(self, act: Act, *, clerk_may: bool = True) -> None:
        role = act.actor.role
        if role == "admin" or (clerk_may and role == "clerk"):
            return
        if role != "unit" or act.actor.scope != self.unit_id:
            raise NotHoldingUnitError(f"matter {self.id} is held by unit {self.unit_id}")

    def check_own_enterprise(self, act: Act) -> None:
        if act.actor.role == "admin":
            return
        if act.actor.role != "enterprise" or act.actor.scope != str(self.enterprise_id):
            raise NotOwnEnterpriseError(f"matter {self.id} belongs to another enterprise")

    def check_in_order(self, act: Act) -> None:
        last = self.last_business_time()
        if act.occurred_at < last and not act.backdated:
            # An act of "now" behind the last step: another request recorded that step after
            # this one began (a race), not bad input.
            raise VersionConflictError(
                f"matter {self.id} changed at {last.isoformat()}, after this request began; "
                "read it again and retry"
            )
        if act.occurred_at < last:
            raise InvalidInputError(
                f"business time {act.occurred_at.isoformat()} is before the matter's last step "
                f"({last.isoformat()})"
            )

    def check_pending(self, request_id: UUID) -> None:
        request = self.extension_request(request_id)
        if request.status != "pending":
            raise InvalidStateError(f"extension request {request_id} is already {request.status}")

    # -- state helpers ---------------------------------------------------------------------

    def last_business_time(self) -> datetime:
        times = [self.received_at]
        for d in self.deadlines:
            times.extend(t for t in (d.started_at, d.met_at, d.cancelled_at) if t is not None)
        times.extend(r.rated_at for r in self.ratings)
        times.extend(
            t for r in self.extension_requests for t in (r.requested_at, r.decided_at) if t
        )
        return max(times)

    def current_step(self) -> Deadline:
        index = self.open_step_index()
        if index is None:
            raise InvalidStateError(f"matter {self.id} has no open step")
        return self.deadlines[index]

    def open_step_index(self) -> int | None:
        for index in range(len(self.deadlines) - 1, -1, -1):
            if self.deadlines[index].open:
                return index
        return None

    def close_open_steps(self, at: datetime, by: int) -> None:
        for index, deadline in enumerate(self.deadlines):
            if deadline.open:
                self.deadlines[index] = deadline.met(at, by)

    def pending_extension(self) -> ExtensionRequest | None:
        return next((r for r in self.extension_requests if r.status == "pending"), None)

    def extension_request(self, request_id: UUID) -> ExtensionRequest:
        for request in self.extension_requests:
            if request.id == request_id:
                return request
        raise NotFoundError(f"no extension request {request_id} on matter {self.id}")

    def decide(
        self, request_id: UUID, status: str, at: datetime, reason: str | None
    ) -> ExtensionRequest:
        for index, request in enumerate(self.extension_requests):
            if request.id == request_id:
                decided = replace(request, status=status, decided_at=at, decision_reason=reason)
                self.extension_requests[index] = decided
                return decided
        raise NotFoundError(f"no extension request {request_id} on matter {self.id}")

    def drop_pending_extension(self, at: datetime) -> None:
        pending = self.pending_extension()
        if pending is not None:
            self.decide(pending.id, "lapsed", at, "the matter moved on")
