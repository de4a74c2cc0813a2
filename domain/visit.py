"""Service visits (走访, 四送一服, 畅聊下午茶) by guarantors to their enterprises (SPEC §7)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from domain.base import Act, BaobaoAggregate, create, require_aware
from domain.errors import (
    BackdatingNotAllowedError,
    ForbiddenError,
    FutureTimeError,
    InvalidInputError,
)

KINDS = ("visit", "four_deliveries", "tea_talk")
# How long after a visit its guarantor may still record it; later only an admin may (补录).
LATE_ENTRY_DAYS = 30


class NotOwnVisitError(ForbiddenError):
    code = "not_own_visit"
    title = "A guarantor records only its own visits"


@dataclass(frozen=True)
class VisitProblem:
    """A problem found on a visit; each becomes a matter (channel `visit`)."""

    summary: str
    category: str


class Visit(BaobaoAggregate):
    """A guarantor's visit to an enterprise, the problems found and the matters opened."""

    class Recorded(BaobaoAggregate.Created):
        guarantor_id: UUID
        enterprise_id: UUID
        kind: str
        visited_at: datetime
        notes: str
        problems: list[VisitProblem]
        matter_ids: list[UUID]

    def __init__(
        self,
        guarantor_id: UUID,
        enterprise_id: UUID,
        kind: str,
        visited_at: datetime,
        notes: str,
        problems: list[VisitProblem],
        matter_ids: list[UUID],
    ) -> None:
        self.guarantor_id = guarantor_id
        self.enterprise_id = enterprise_id
        self.kind = kind
        self.visited_at = visited_at
        self.notes = notes
        self.problems = list(problems)
        self.matter_ids = list(matter_ids)

    @classmethod
    def record_new(
        cls,
        act: Act,
        guarantor_id: UUID,
        enterprise_id: UUID,
        kind: str,
        visited_at: datetime,
        notes: str,
        problems: Sequence[VisitProblem],
        matter_ids: Sequence[UUID],
    ) -> Visit:
        check_visit(act, guarantor_id, kind, visited_at, problems)
        return create(
            cls,
            cls.Recorded,
            act,
            uuid4(),
            guarantor_id=guarantor_id,
            enterprise_id=enterprise_id,
            kind=kind,
            visited_at=visited_at,
            notes=notes,
            problems=list(problems),
            matter_ids=list(matter_ids),
        )


def check_visit(
    act: Act,
    guarantor_id: UUID,
    kind: str,
    visited_at: datetime,
    problems: Sequence[VisitProblem],
) -> None:
    """Who may record it, what it is, and its time: not after the recording, not too old."""
    check_recorder(act, guarantor_id)
    if kind not in KINDS:
        raise InvalidInputError(f"kind must be one of {', '.join(KINDS)}")
    for number, problem in enumerate(problems, start=1):
        if not problem.summary.strip() or not problem.category.strip():
            raise InvalidInputError(f"problem {number} needs a summary and a category")
    require_aware(visited_at, "visited_at")
    if visited_at > act.occurred_at:
        raise FutureTimeError(
            f"visited_at {visited_at.isoformat()} is after the time of recording "
            f"{act.occurred_at.isoformat()}"
        )
    if act.actor.role != "admin" and visited_at < act.recorded_at - timedelta(days=LATE_ENTRY_DAYS):
        raise BackdatingNotAllowedError(
            f"a visit may be recorded up to {LATE_ENTRY_DAYS} days after it took place; "
            "an admin enters older visits"
        )


def check_recorder(act: Act, guarantor_id: UUID) -> None:
    role = act.actor.role
    if role == "admin":
        return
    if role != "guarantor" or act.actor.scope != str(guarantor_id):
        raise NotOwnVisitError(
            f"{role} {act.actor.scope or act.actor.principal_id} may not record "
            f"a visit of guarantor {guarantor_id}"
        )
