"""Section 1: the month's ranking of people and departments, and each one's year in scores."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from api.assessment_models import AssessmentPublic, ExplanationPublic
from api.routes.assessments import explained as explain
from api.routes.assessments import explanation_of, page_of, scored
from api.services import Caller, Services
from domain.period import Period
from projections.assessment import Ranked

EVERYONE = 500  # the API's largest page: every guarantor of the park
TOP = 5


@dataclass(frozen=True)
class Series:
    """One guarantor's score in each month of the year up to the period (None: no score)."""

    guarantor_id: str
    name: str
    scores: tuple[Decimal | None, ...]


@dataclass(frozen=True)
class RankingSection:
    period: str
    people: list[AssessmentPublic]
    departments: list[AssessmentPublic]
    charted: list[tuple[str, str]]  # the guarantors the chart draws: id, name
    selected: str | None

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(str(r.guarantor_id), r.name) for r in [*self.people, *self.departments]]


def ranked(scores: Ranked, period: Period, kind: str) -> list[AssessmentPublic]:
    """The API's ranking of one kind (GET /v1/assessments?kind=), every row on one page."""
    return page_of(scores, period, kind, None, EVERYONE, 0).items


def ranking_section(svc: Services, period: Period, selected: str | None) -> RankingSection:
    """The ranking as GET /v1/assessments gives it, and whom the chart draws: the one selected,
    or the month's top people."""
    scores = scored(svc, period, None, None)
    people = ranked(scores, period, "person")
    departments = ranked(scores, period, "department")
    names = {str(r.guarantor_id): r.name for r in [*people, *departments]}
    if selected in names:
        charted = [(str(selected), names[str(selected)])]
    else:
        selected = None
        charted = [(str(p.guarantor_id), p.name) for p in people if p.score is not None][:TOP]
    return RankingSection(str(period), people, departments, charted, selected)


def score_series(svc: Services, period: Period, charted: list[tuple[str, str]]) -> list[Series]:
    """Each charted guarantor's score in every month from January to the period, each month as
    GET /v1/assessments?period=yyyy-mm gives it (months not yet begun have none)."""
    months = [
        {
            s.guarantor.id: s.score
            for s in scored(svc, Period("month", period.year, m), None, None).scores
        }
        for m in range(1, period.number + 1)
    ]
    return [Series(g, name, tuple(month.get(g) for month in months)) for g, name in charted]


def explained(svc: Services, caller: Caller, period: str, guarantor_id: str) -> ExplanationPublic:
    """One score with its explanation, as GET /v1/assessments/{period}/guarantors/{id}."""
    return explanation_of(explain(svc, caller, period, UUID(guarantor_id))[1])


def enterprise_ids(explanation: dict[str, Any]) -> list[str]:
    """The enterprises an explanation names (its weights, excluded sales, visits)."""
    components = explanation.get("components", {})
    found = [e["enterprise_id"] for e in explanation.get("enterprises", [])]
    found += [e["enterprise_id"] for e in components.get("sales", {}).get("excluded", [])]
    found += [v["enterprise_id"] for v in components.get("service", {}).get("visits", [])]
    return sorted(set(found))
