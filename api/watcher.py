"""The deadline watcher: finds matters with something due and records it (SPEC M7, M8)."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

from api.services import Services
from domain.base import Actor
from domain.errors import FutureTimeError
from domain.watch_cases import Noted
from projections.entitlements import entitlement_candidates

log = logging.getLogger("baobao.watcher")

# A reminder is due one working day before a deadline; over a long holiday that is weeks away.
HORIZON = timedelta(days=30)
INTERVAL_SECONDS = 30.0


class Watcher:
    """Looks at the matters that could have something due by a moment, and records it once."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc

    def candidates(self, as_of: datetime, live: bool) -> list[UUID]:
        """Open matters due before the horizon and resolved ones awaiting a rating; for a past
        `as_of`, every matter received by then (a step may have been open then and done since)."""
        if live:
            rows = self.svc.views.read(
                "SELECT id FROM v_matters WHERE (next_due IS NOT NULL AND next_due < ?) "
                "OR status='resolved' ORDER BY seq",
                [int((as_of + HORIZON).timestamp())],
            )
        else:
            rows = self.svc.views.read(
                "SELECT id FROM v_matters WHERE received <= ? AND status <> 'withdrawn' "
                "ORDER BY seq",
                [int(as_of.timestamp())],
            )
        return [UUID(str(r[0])) for r in rows]

    def run_once(
        self, as_of: datetime | None = None, progress: Callable[[int, int], None] | None = None
    ) -> list[Noted]:
        now = self.svc.clock()
        moment = as_of or now
        if moment > now:
            raise FutureTimeError(
                f"--as-of {moment.isoformat()} is after now; the watcher records only the past"
            )
        self.svc.settle()
        actor = Actor(principal_id="watcher", role="system", request_id=f"watch-{uuid.uuid4()}")
        ids = self.candidates(moment, live=as_of is None or now - moment < timedelta(minutes=1))
        noted: list[Noted] = []
        for done, matter_id in enumerate(ids, start=1):
            noted.extend(self.svc.park.watch_matter(actor, matter_id, moment))
            if progress is not None:
                progress(done, len(ids))
        # 免申即享 entitlements awaiting approval (SPEC F3): reminders and misses as for matters.
        live = as_of is None or now - moment < timedelta(minutes=1)
        for entitlement_id in entitlement_candidates(self.svc.views, moment, HORIZON, live=live):
            noted.extend(self.svc.park.watch_entitlement(actor, entitlement_id, moment))
        return noted

    def run(self, stop: threading.Event, interval: float = INTERVAL_SECONDS) -> None:
        """Watch until stopped; a failed round is logged and retried next time."""
        while not stop.is_set():
            try:
                for fact in self.run_once():
                    log.info("recorded %s of %s (%s)", fact.kind, fact.matter_id, fact.step)
            except Exception:
                log.exception("watch round failed; retrying")
            stop.wait(interval)
