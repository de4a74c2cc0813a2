"""The audit use cases over one process's services: seal, verify, read the log with hashes."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from api.present import plain
from api.services import Services
from api.settings import Settings
from domain.application import ParkCore
from domain.base import Clock, utc_now
from domain.park import Park
from projections.audit_verify import ensure_tables, read_checkpoints, verify_log
from projections.chain import Checkpoint, Record, Report, leaf_hash, read_records
from projections.documents import event_id, local
from projections.seal import Sealer
from projections.signing import load_or_create_key, load_public_key, verifier_key
from projections.sql import ViewDatabase

OWN_FIELDS = {"timestamp", "originator_topic", "actor"}


@dataclass(frozen=True)
class Ledger:
    """What the audit use cases need: the log, the views beside it, the signing key's path."""

    park: ParkCore
    views: ViewDatabase
    key_path: str
    clock: Clock = utc_now

    @classmethod
    def of(cls, svc: Services) -> Ledger:
        return cls(svc.park, svc.views, svc.settings.signing_key_path, svc.clock)

    @classmethod
    @contextmanager
    def open(cls, settings: Settings) -> Iterator[Ledger]:
        """The log without bootstrapping the application: verification must work on a log
        the application can no longer load."""
        park = Park(settings.database)  # not bootstrapped
        views = ViewDatabase(settings.database)
        try:
            yield cls(park, views, settings.signing_key_path)
        finally:
            views.close()
            park.close()

    def sealer(self) -> Sealer:
        """A sealer (creates the signing key on first start)."""
        return Sealer(self.park, self.views, load_or_create_key(self.key_path), clock=self.clock)

    def public_key(self) -> Ed25519PublicKey | None:
        return load_public_key(self.key_path)


def make_sealer(svc: Services) -> Sealer:
    """The sealer of this process, to run beside the follower."""
    return Ledger.of(svc).sealer()


def seal_database(settings: Settings) -> int:
    """Seal the whole log and sign its head (after writing history outside `serve`)."""
    with Ledger.open(settings) as ledger:
        return ledger.sealer().catch_up()


def verify(ledger: Ledger, progress: Callable[[int], None] | None = None) -> Report:
    """Recompute the chain from the stored events; check seals and checkpoints."""
    return verify_log(ledger.park, ledger.views, ledger.public_key(), progress)


def latest_checkpoint(svc: Services) -> dict[str, Any] | None:
    ensure_tables(svc.views)
    checkpoints = read_checkpoints(svc.views)
    if not checkpoints:
        return None
    latest: Checkpoint = checkpoints[-1]
    public = Ledger.of(svc).public_key()
    return {
        "size": latest.size,
        "position": latest.position,
        "head_hash": latest.head_hash,
        "signature": latest.signature,
        "key_id": latest.key_id,
        "note": latest.note,
        "created_at": latest.created_at,
        "verifier_key": verifier_key(public) if public is not None else None,
    }


def readable(state: bytes) -> tuple[str | None, dict[str, Any] | None]:
    """The recorded time and the actor written in a stored state, read as plain JSON."""
    try:
        doc = json.loads(state)
    except ValueError:
        return None, None
    if not isinstance(doc, dict):
        return None, None
    stamp, actor = doc.get("timestamp"), doc.get("actor")
    recorded_at = stamp.get("_data_") if isinstance(stamp, dict) else None
    who = actor.get("_data_") if isinstance(actor, dict) else None
    return (
        recorded_at if isinstance(recorded_at, str) else None,
        who if isinstance(who, dict) else None,
    )


def decoded(svc: Services, record: Record) -> dict[str, Any]:
    """The stored state decoded as the application would, else as plain JSON, else raw."""
    try:
        state = svc.park.mapper.transcoder.decode(record.state)
    except (TypeError, ValueError, KeyError):
        try:
            state = json.loads(record.state)
        except ValueError:
            return {"undecodable_state": base64.b64encode(record.state).decode()}
    return state if isinstance(state, dict) else {"state": state}


def event_item(svc: Services, record: Record, chain_hash: str | None) -> dict[str, Any]:
    state = decoded(svc, record)
    stamp = state.get("timestamp")
    return {
        "position": record.position,
        "event_id": event_id(record.originator_id, record.originator_version),
        "aggregate_id": record.originator_id,
        "version": record.originator_version,
        "type": record.topic.partition(":")[2] or record.topic,
        "topic": record.topic,
        "recorded_at": local(stamp) if isinstance(stamp, datetime) else None,
        "actor": plain(state.get("actor")),
        "payload": {k: plain(v) for k, v in state.items() if k not in OWN_FIELDS},
        "hash": leaf_hash(record).hex(),
        "chain_hash": chain_hash,
    }


def events_page(svc: Services, after: int, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` stored events after position `after`, decoded, with their hashes."""
    records = read_records(svc.park, after, limit)
    if not records:
        return []
    ensure_tables(svc.views)
    seals = dict(
        svc.views.read(
            "SELECT position, chain_hash FROM audit_seals WHERE position>? AND position<=?",
            [after, records[-1].position],
        )
    )
    return [event_item(svc, r, seals.get(r.position)) for r in records]
