"""Offline audit bundles: the sealed log, its signed checkpoints and the public key in a folder
that `baobao audit verify-bundle` checks with no database and no network.

Files: `events.jsonl` (one stored event a line: position, aggregate_id, version, topic,
state (base64 of the stored bytes), leaf_hash, chain_hash, and for reading only recorded_at
and actor), `checkpoints.jsonl`, `public_key.pem`, and `manifest.json` (counts, head, the
SHA-256 of each file).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from api.audit import Ledger, readable
from domain.storage import ConfigurationError
from projections.audit_verify import ChainChecker, read_checkpoints
from projections.chain import (
    GENESIS,
    Checkpoint,
    Record,
    Report,
    Seal,
    extend,
    leaf_hash,
    read_records,
)
from projections.signing import key_id, load_public_pem, public_pem, verifier_key

FORMAT = "baobao-audit-bundle/1"
FILES = ("events.jsonl", "checkpoints.jsonl", "public_key.pem")
Progress = Callable[[int], None]


def line(doc: dict[str, Any]) -> bytes:
    return (
        json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    ).encode()


def export_bundle(ledger: Ledger, folder: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Seal and sign the log's head, then write every event up to that checkpoint."""
    ledger.sealer().catch_up()
    public = ledger.public_key()
    assert public is not None, "the sealer created the key"
    checkpoints = read_checkpoints(ledger.views)
    stop = checkpoints[-1].position if checkpoints else 0
    folder.mkdir(parents=True, exist_ok=True)
    digests: dict[str, str] = {}
    chain, count, after = GENESIS, 0, 0
    with (folder / "events.jsonl").open("wb") as out:
        digest = hashlib.sha256()
        while records := read_records(ledger.park, after, 1000, stop=stop):
            for record in records:
                leaf = leaf_hash(record)
                chain = extend(chain, leaf)
                recorded_at, actor = readable(record.state)
                data = line(
                    {
                        "position": record.position,
                        "aggregate_id": record.originator_id,
                        "version": record.originator_version,
                        "topic": record.topic,
                        "state": base64.b64encode(record.state).decode(),
                        "leaf_hash": leaf.hex(),
                        "chain_hash": chain.hex(),
                        "recorded_at": recorded_at,
                        "actor": actor,
                    }
                )
                out.write(data)
                digest.update(data)
            count += len(records)
            after = records[-1].position
            if progress is not None:
                progress(len(records))
        digests["events.jsonl"] = digest.hexdigest()
    written = b"".join(line(asdict(c)) for c in checkpoints)
    for name, data in (("checkpoints.jsonl", written), ("public_key.pem", public_pem(public))):
        (folder / name).write_bytes(data)
        digests[name] = hashlib.sha256(data).hexdigest()
    manifest = {
        "format": FORMAT,
        "events": count,
        "checkpoints": len(checkpoints),
        "last_position": after,
        "head": chain.hex(),
        "key_id": key_id(public),
        "verifier_key": verifier_key(public),
        "files": digests,
    }
    (folder / "manifest.json").write_bytes(line(manifest))
    return manifest


def checkpoint(doc: dict[str, Any]) -> Checkpoint:
    number, position = int(doc["size"]), int(doc["position"])
    texts = [str(doc[k]) for k in ("head_hash", "note", "signature", "key_id", "created_at")]
    return Checkpoint(number, position, *texts)


class BundleLineError(Exception):
    """A line of events.jsonl that is not an event."""


def parse_line(raw: bytes) -> tuple[Record, Seal, dict[str, Any]]:
    try:
        doc = json.loads(raw)
        record = Record(
            position=int(doc["position"]),
            originator_id=str(doc["aggregate_id"]),
            originator_version=int(doc["version"]),
            topic=str(doc["topic"]),
            state=base64.b64decode(doc["state"], validate=True),
        )
        seal = Seal(record.position, str(doc["leaf_hash"]), str(doc["chain_hash"]))
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise BundleLineError(str(error)) from None
    return record, seal, doc


def bundle_lines(path: Path) -> Iterator[tuple[Record, Seal, dict[str, Any]]]:
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, 1):
            try:
                yield parse_line(raw)
            except BundleLineError as error:
                raise BundleLineError(f"line {number} of events.jsonl: {error}") from None


def lenient_seals(path: Path) -> Iterator[Seal]:
    try:
        for _, seal, _ in bundle_lines(path):
            yield seal
    except BundleLineError:
        return


def failed(report: Report, position: int | None, problem: str) -> Report:
    report.ok, report.first_bad_position, report.problem = False, position, problem
    return report


def verify_bundle(
    folder: Path, progress: Progress | None = None, trusted_key: Path | None = None
) -> Report:
    """Check a bundle offline: the chain, the signed checkpoints, the manifest."""
    if not folder.is_dir():
        raise ConfigurationError(f"{folder} is not a folder")
    empty = Report(False, 0, 0, GENESIS.hex(), None, None, None)
    try:
        manifest = json.loads((folder / "manifest.json").read_bytes())
        pem = (folder / "public_key.pem").read_bytes()
        checkpoints = [
            checkpoint(json.loads(raw))
            for raw in (folder / "checkpoints.jsonl").read_bytes().splitlines()
        ]
        events = folder / "events.jsonl"
        events.stat()
        public = load_public_pem(pem, str(folder / "public_key.pem"))
    except (OSError, ValueError, TypeError, KeyError, ConfigurationError) as error:
        return failed(empty, None, f"the bundle is incomplete or unreadable: {error}")
    if trusted_key is not None:
        trusted = load_public_pem(trusted_key.read_bytes(), str(trusted_key))
        if key_id(trusted) != key_id(public):
            return failed(empty, None, f"the bundle's key {key_id(public)} is not the trusted one")
    checker = ChainChecker(lenient_seals(events), checkpoints, public)
    try:
        for record, _, doc in bundle_lines(events):
            if not checker.check(record):
                break
            if (doc.get("recorded_at"), doc.get("actor")) != readable(record.state):
                checker.fail(
                    record.position, f"recorded_at or actor at {record.position} was edited"
                )
                break
            if progress is not None:
                progress(1)
    except BundleLineError as error:
        checker.fail(checker.last_position + 1, str(error))
    report = checker.finish()
    if not report.ok:
        return report
    covered = report.checkpoint["size"] if report.checkpoint else 0
    if report.events_checked > covered:
        start = checker.range_start
        return failed(report, start, f"no signed checkpoint covers the events from {start} on")
    files = manifest.get("files", {}) if isinstance(manifest, dict) else {}
    for name in FILES:
        with (folder / name).open("rb") as file:
            if files.get(name) != hashlib.file_digest(file, "sha256").hexdigest():
                return failed(report, None, f"{name} does not match the manifest")
    if manifest.get("events") != report.events_checked or manifest.get("head") != report.head:
        return failed(report, None, "the manifest's count or head does not match the events")
    return report
