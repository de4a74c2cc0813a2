"""The working calendar, the policy, and the service's health."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from api.calendar_service import publish_year
from api.deps import AppDep, RequestId, ServicesDep, allow, make_act, versioned
from api.models import (
    AdoptPolicyRequest,
    CalendarPublic,
    HealthPublic,
    PolicyPublic,
    PublishCalendarRequest,
)
from api.services import Caller
from domain.policy import PolicyDocument

router = APIRouter()

Admin = Annotated[Caller, Depends(allow("admin"))]


@router.post(
    "/v1/calendars/{year}", status_code=201, response_model=CalendarPublic, tags=["calendar"]
)
def publish_calendar(
    year: Annotated[int, Path(ge=2000, le=2100)],
    body: PublishCalendarRequest,
    svc: ServicesDep,
    caller: Admin,
    req: RequestId,
    response: Response,
) -> CalendarPublic:
    """Publish a year's official schedule: holidays, adjusted workdays, the notice number."""
    act = make_act(svc, caller, req, body.occurred_at)
    version, changed = publish_year(svc, act, year, body.holidays, body.workdays, body.source)
    versioned(response, version, svc.park.log_head())
    return CalendarPublic(
        year=year,
        holidays=sorted(body.holidays),
        workdays=sorted(body.workdays),
        source=body.source,
        calendar_version=version,
        recomputed_matters=changed,
    )


@router.get("/v1/calendars/{year}", response_model=CalendarPublic, tags=["calendar"])
def get_calendar(
    year: Annotated[int, Path(ge=2000, le=2100)],
    app: AppDep,
    _: Annotated[
        Caller,
        Depends(
            allow(
                "admin",
                "clerk",
                "leader",
                "supervisor",
                "unit",
                "guarantor",
                "hr",
                "auditor",
                "enterprise",
            )
        ),
    ],
) -> CalendarPublic:
    """A year's published schedule (404 if the year is not published: deadlines are provisional)."""
    book = app.calendar_book()
    schedule = book.years.get(year)
    if schedule is None:
        from api.errors import not_found

        raise not_found(f"the calendar of {year} is not published; its deadlines are provisional")
    return CalendarPublic(
        year=year,
        holidays=sorted(schedule.holidays),
        workdays=sorted(schedule.workdays),
        source=schedule.source,
        calendar_version=book.version,
    )


@router.post("/v1/policies", status_code=201, response_model=PolicyPublic, tags=["policy"])
def adopt_policy(
    body: AdoptPolicyRequest,
    app: AppDep,
    svc: ServicesDep,
    caller: Admin,
    req: RequestId,
    response: Response,
) -> PolicyPublic:
    """Adopt a new policy version from a month on; fields not given keep v1's values."""
    act = make_act(svc, caller, req, body.occurred_at)
    document = {**PolicyDocument().to_dict(), **body.document.model_dump(exclude_none=True)}
    adopted = app.adopt_policy(act, document, body.effective_from)
    versioned(response, adopted.version, app.log_head())
    return PolicyPublic(
        version=adopted.version,
        effective_from=adopted.effective_from,
        document=adopted.document.to_dict(),
    )


@router.get("/v1/policies", response_model=list[PolicyPublic], tags=["policy"])
def list_policies(
    app: AppDep,
    _: Annotated[Caller, Depends(allow("admin", "supervisor", "hr", "auditor", "leader"))],
) -> list[PolicyPublic]:
    """Every adopted policy version."""
    book = app.policy_book()
    versions = [book.version_of(v) for v in range(1, len(book.adoptions) + 1)]
    return [
        PolicyPublic(
            version=p.version, effective_from=p.effective_from, document=p.document.to_dict()
        )
        for p in versions
    ]


@router.get("/v1/health", response_model=HealthPublic, tags=["health"])
def health(svc: ServicesDep) -> HealthPublic:
    """Liveness, the log head, and how far each projection lags behind it (no token needed)."""
    head = svc.park.log_head()
    return HealthPublic(
        status="ok",
        event_log_head=head,
        projections={name: head - position for name, position in svc.follower.positions().items()},
    )
