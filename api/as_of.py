"""Reads "as of" a recorded time: the views rebuilt beside the live ones up to the log position
that had been recorded by then, so that the answer is what the system showed then (SPEC A3)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from api.projection_verify import rebuild, scratch_views
from api.services import Services
from domain.base import require_aware
from domain.errors import FutureTimeError
from projections.assessment import Assessor
from projections.log_times import position_at
from projections.notices import Drafter
from projections.sql import ViewDatabase

# What assessments and notices read; the outbox and the log's times are not needed for them.
READ_MODELS = ("entities", "dispatch", "sales", "visits", "notices")


@dataclass(frozen=True)
class Past:
    """Assessor and drafter over the views as they stood at a recorded time."""

    as_of: datetime
    position: int
    views: ViewDatabase
    assessor: Assessor
    drafter: Drafter


@contextmanager
def as_of(svc: Services, moment: datetime) -> Iterator[Past]:
    require_aware(moment, "as_of")
    if moment > svc.clock():
        raise FutureTimeError(f"as_of {moment.isoformat()} is in the future")
    svc.settle()
    position = position_at(svc.views, moment)
    with scratch_views(svc) as views:
        rebuild(svc, views, dict.fromkeys(READ_MODELS, position))
        assessor = Assessor(views, svc.park, as_of=moment)
        yield Past(moment, position, views, assessor, Drafter(views, assessor))
