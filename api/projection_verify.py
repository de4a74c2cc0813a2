"""Projection digests (SPEC A4): rebuild every projection beside the live one, from position 0
up to exactly the live position, in a scratch database, and compare digests."""

from __future__ import annotations

import dataclasses
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from api.services import Services
from domain.storage import Database, parse_database_url
from projections.base import PositionedEvent, Projection
from projections.runner import Follower, all_projections
from projections.sql import Tx, ViewDatabase


@dataclass(frozen=True)
class LiveProjection:
    """A projection as it stands: its position and the digest of its content."""

    name: str
    position: int
    digest: str | None  # None: the projection has no digest()


@dataclass(frozen=True)
class ProjectionCheck:
    """One projection's live digest and the digest of its rebuild to the same position."""

    name: str
    position: int
    live: str | None
    rebuilt: str | None

    @property
    def ok(self) -> bool:
        return self.live is not None and self.live == self.rebuilt


def digest_of(projection: Projection, tx: Tx) -> str | None:
    digest = getattr(projection, "digest", None)
    return str(digest(tx)) if callable(digest) else None


def snapshot(tx: Tx) -> None:
    """Make the statements of this read transaction see one moment (READ COMMITTED does not)."""
    if tx.postgres:
        tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def live_projections(svc: Services) -> list[LiveProjection]:
    """Every projection's position and digest, read in one transaction."""
    with svc.views.transaction(write=False) as tx:
        snapshot(tx)
        known = {str(n): int(p) for n, p in tx.all("SELECT name, position FROM view_positions")}
        return [
            LiveProjection(p.name, known.get(p.name, 0), digest_of(p, tx))
            for p in svc.follower.projections
        ]


@contextmanager
def scratch_views(svc: Services) -> Iterator[ViewDatabase]:
    """Empty views beside the live ones: a temporary SQLite file or PostgreSQL schema."""
    database = svc.settings.database
    if database.kind != "postgres":
        with tempfile.TemporaryDirectory(prefix="baobao-verify-") as folder:
            views = ViewDatabase(parse_database_url(f"sqlite:///{folder}/views.db"))
            try:
                yield views
            finally:
                views.close()
        return
    schema = f"baobao_verify_{uuid.uuid4().hex[:16]}"
    with svc.views.transaction() as tx:
        tx.execute(f'CREATE SCHEMA "{schema}"')
    scratch: Database = dataclasses.replace(
        database, env={**database.env, "POSTGRES_SCHEMA": schema}
    )
    views = ViewDatabase(scratch)
    try:
        yield views
    finally:
        views.close()
        with svc.views.transaction() as tx:
            tx.execute(f'DROP SCHEMA "{schema}" CASCADE')


def rebuild(
    svc: Services,
    views: ViewDatabase,
    stops: dict[str, int],
    progress: Callable[[int], None] | None = None,
    page_size: int = 1000,
) -> list[Projection]:
    """Fresh projections in `views`, each fed the log up to its own stop position."""
    fresh = [p for p in all_projections(svc.park) if p.name in stops]
    Follower(svc.park, views, fresh)  # creates their tables and positions
    last, after = max(stops.values(), default=0), 0
    while after < last:
        notifications = svc.park.recorder.select_notifications(
            start=after, limit=page_size, stop=last, inclusive_of_start=False
        )
        if not notifications:
            break
        events: list[PositionedEvent] = [
            (n.id, svc.park.mapper.to_domain_event(n)) for n in notifications
        ]
        with views.transaction() as tx:
            for projection in fresh:
                mine = [pe for pe in events if pe[0] <= stops[projection.name]]
                if mine:
                    projection.apply(tx, mine)
                    tx.execute(
                        "UPDATE view_positions SET position=? WHERE name=?",
                        [mine[-1][0], projection.name],
                    )
        after = notifications[-1].id
        if progress is not None:
            progress(len(notifications))
    return fresh


def verify_projections(
    svc: Services, progress: Callable[[int], None] | None = None
) -> list[ProjectionCheck]:
    """Rebuild each projection to its live position beside it and compare the digests."""
    live = live_projections(svc)
    stops = {p.name: p.position for p in live}
    with scratch_views(svc) as views:
        fresh = rebuild(svc, views, stops, progress)
        with views.transaction(write=False) as tx:
            rebuilt = {p.name: digest_of(p, tx) for p in fresh}
    return [ProjectionCheck(p.name, p.position, p.digest, rebuilt.get(p.name)) for p in live]
