"""Use cases of service visits: recording a visit and opening matters for its problems."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from domain.application import ParkCore
from domain.base import Act
from domain.enterprise import Enterprise
from domain.matter import Matter
from domain.matter_cases import NotGuarantorError
from domain.registry import Guarantor
from domain.visit import Visit, VisitProblem, check_visit


class VisitCases(ParkCore):
    """A guarantor's visits to the enterprises it guarantees."""

    def record_visit(
        self,
        act: Act,
        guarantor_id: UUID,
        enterprise_id: UUID,
        kind: str,
        visited_at: datetime,
        notes: str,
        problems: Sequence[VisitProblem],
    ) -> tuple[Visit, list[Matter]]:
        """Record a visit; each problem found opens a matter; all saved in one commit."""
        check_visit(act, guarantor_id, kind, visited_at, problems)
        guarantor = self.load(Guarantor, guarantor_id)
        enterprise = self.load(Enterprise, enterprise_id)
        enterprise.check_listed()
        day = self.business_day(visited_at)
        if guarantor.id not in {a.guarantor_id for a in enterprise.guarantors_on(day)}:
            raise NotGuarantorError(
                f"guarantor {guarantor.id} ({guarantor.name}) does not guarantee "
                f"{enterprise.id} ({enterprise.name}) on {day.isoformat()}"
            )
        matters = []
        if problems:
            rules = self.rules_at(act.occurred_at)
            matters = [
                Matter.receive(act, rules, enterprise.id, p.summary, p.category, "visit")
                for p in problems
            ]
        visit = Visit.record_new(
            act,
            guarantor.id,
            enterprise.id,
            kind,
            visited_at,
            notes,
            problems,
            [m.id for m in matters],
        )
        self.commit(visit, *matters)
        return visit, matters
