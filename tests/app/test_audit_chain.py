"""The tamper-evident log (SPEC A2): sealing, signed checkpoints, verification, offline bundles.

Each tampering edits the database directly, as someone with write access to it could."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.audit import Ledger, verify
from api.audit_bundle import export_bundle, verify_bundle
from api.cli import cli
from api.services import Services
from projections.seal import Sealer
from projections.signing import load_public_key, open_checkpoint, sign_checkpoint
from tests.app.audit_helpers import RawLog, open_services, sealer, write_history
from tests.conftest import Clock


@pytest.fixture
def svc(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[Services]:
    with open_services(database_url, tmp_path, clock) as services:
        yield services


@pytest.fixture
def sealed(svc: Services) -> Services:
    """A history (bootstrap and 23 more events), sealed, with a checkpoint every 5 events and
    one at the head."""
    head = write_history(svc)
    assert sealer(svc).catch_up() == head
    return svc


def head(svc: Services) -> int:
    return svc.park.log_head()


def test_a_clean_log_verifies_against_its_seals_and_checkpoints(sealed: Services) -> None:
    report = verify(Ledger.of(sealed))
    assert report.ok, report
    assert report.events_checked == report.sealed == head(sealed)
    assert report.checkpoint is not None
    assert report.checkpoint["size"] == head(sealed)
    assert report.checkpoint["head_hash"] == report.head
    assert report.first_bad_position is None


def test_checkpoints_are_signed_notes_at_every_n_events_and_at_the_head(sealed: Services) -> None:
    rows = sealed.views.read("SELECT size, note, head_hash FROM audit_checkpoints ORDER BY size")
    last = head(sealed)
    assert [r[0] for r in rows] == [*range(5, last, 5), last]
    public = load_public_key(sealed.settings.signing_key_path)
    assert public is not None
    for size, note, head_hash in rows:
        assert note.startswith(f"baobao\n{size}\n")
        assert "\n\n— baobao " in note
        assert open_checkpoint(note, public) == (size, bytes.fromhex(head_hash))


def test_events_recorded_after_sealing_are_sealed_by_the_next_step(sealed: Services) -> None:
    before = head(sealed)
    write_history(sealed, units=3, guarantors=0)
    assert verify(Ledger.of(sealed)).ok
    assert verify(Ledger.of(sealed)).sealed == before
    assert sealer(sealed).catch_up() == 3
    assert verify(Ledger.of(sealed)).sealed == before + 3


def test_two_sealers_never_seal_an_event_twice(svc: Services) -> None:
    write_history(svc, units=40, guarantors=40)
    sealers = [sealer(svc, every=7), sealer(svc, every=7)]
    for each in sealers:
        each.page_size = 3
    threads = [threading.Thread(target=s.catch_up) for s in sealers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ((count,),) = svc.views.read("SELECT COUNT(*) FROM audit_seals")
    assert count == svc.park.log_head()
    assert verify(Ledger.of(svc)).ok


def test_a_changed_byte_in_an_events_state_is_found_at_its_position(sealed: Services) -> None:
    at = head(sealed) - 12
    RawLog(sealed).change_byte(at)
    report = verify(Ledger.of(sealed))
    assert not report.ok
    assert report.first_bad_position == at
    assert str(at) in (report.problem or "")


def test_a_deleted_event_is_found_at_its_position(sealed: Services) -> None:
    at = head(sealed) - 7
    RawLog(sealed).delete(at)
    report = verify(Ledger.of(sealed))
    assert not report.ok
    assert report.first_bad_position == at
    assert "gone" in (report.problem or "")


def test_a_deleted_last_event_is_found(sealed: Services) -> None:
    last = head(sealed)
    RawLog(sealed).delete(last)
    report = verify(Ledger.of(sealed))
    assert (report.ok, report.first_bad_position) == (False, last)


def test_a_reordered_pair_is_found_at_the_first_of_the_two(sealed: Services) -> None:
    at = head(sealed) - 9
    RawLog(sealed).swap(at, at + 1)
    report = verify(Ledger.of(sealed))
    assert not report.ok
    assert report.first_bad_position == at


def test_an_inserted_event_is_found_at_its_position(sealed: Services) -> None:
    last = head(sealed)
    RawLog(sealed).insert_at(last - 14)
    assert head(sealed) == last + 1
    report = verify(Ledger.of(sealed))
    assert not report.ok
    assert report.first_bad_position == last - 14


def test_a_checkpoint_whose_note_was_edited_is_a_forgery(sealed: Services) -> None:
    position = RawLog(sealed).forge_checkpoint(15)
    report = verify(Ledger.of(sealed))
    assert not report.ok
    assert report.first_bad_position == position == 15
    assert "forged" in (report.problem or "")


def test_a_checkpoint_signed_with_another_key_is_a_forgery(sealed: Services) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    size = head(sealed) + 5
    forged = sign_checkpoint(Ed25519PrivateKey.generate(), size, bytes(32))
    genuine_id = sealed.views.read("SELECT key_id FROM audit_checkpoints")[0][0]
    RawLog(sealed).execute(
        "INSERT INTO audit_checkpoints (size, position, head_hash, note, signature, key_id, "
        "created_at) VALUES (?, ?, ?, ?, 'x', ?, 'now')",
        [size, size, bytes(32).hex(), forged.note, genuine_id],
    )
    report = verify(Ledger.of(sealed))
    assert not report.ok
    assert report.first_bad_position == size
    assert "no signature by key" in (report.problem or "")


def test_a_rewritten_log_with_recomputed_seals_fails_its_signed_checkpoint(
    sealed: Services,
) -> None:
    raw = RawLog(sealed)
    at = head(sealed) - 12
    raw.change_byte(at)
    raw.reseal()
    report = verify(Ledger.of(sealed))
    assert not report.ok
    signed_before = (at - 1) // 5 * 5
    assert report.first_bad_position == signed_before + 1
    assert f"checkpoint {signed_before + 5}" in (report.problem or "")


def test_the_bundle_verifies_offline_after_the_database_is_deleted(
    sealed: Services, tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "bundle"
    manifest = export_bundle(Ledger.of(sealed), bundle)
    assert manifest["events"] == head(sealed)
    assert {p.name for p in bundle.iterdir()} == {
        "events.jsonl",
        "checkpoints.jsonl",
        "public_key.pem",
        "manifest.json",
    }
    first = json.loads((bundle / "events.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert first["actor"]["principal_id"] == "system"
    assert first["recorded_at"].startswith("2026-03-02T09:00")
    if database_url.startswith("sqlite"):
        sealed.park.close()
        sealed.views.close()
        for file in tmp_path.glob("t.db*"):
            file.unlink()
    monkeypatch.setenv("BAOBAO_DATABASE_URL", "sqlite:////nowhere/at/all.db")
    result = CliRunner().invoke(cli, ["audit", "verify-bundle", str(bundle)])
    assert result.exit_code == 0, result.output
    assert '"ok": true' in result.output


def test_a_bundle_with_an_edited_line_fails_naming_its_position(
    sealed: Services, tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle"
    export_bundle(Ledger.of(sealed), bundle)
    lines = (bundle / "events.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    doc = json.loads(lines[-8])
    state = bytearray(base64.b64decode(doc["state"]))
    state[len(state) // 2] ^= 0x01
    doc["state"] = base64.b64encode(bytes(state)).decode()
    lines[-8] = json.dumps(doc, ensure_ascii=False) + "\n"
    (bundle / "events.jsonl").write_text("".join(lines), encoding="utf-8")
    report = verify_bundle(bundle)
    assert not report.ok
    assert report.first_bad_position == doc["position"] == head(sealed) - 7
    result = CliRunner().invoke(cli, ["audit", "verify-bundle", str(bundle)])
    assert result.exit_code == 1
    assert f"position {doc['position']}" in result.output


def test_a_bundle_with_a_deleted_line_fails(sealed: Services, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    export_bundle(Ledger.of(sealed), bundle)
    lines = (bundle / "events.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    del lines[-6]
    (bundle / "events.jsonl").write_text("".join(lines), encoding="utf-8")
    report = verify_bundle(bundle)
    assert (report.ok, report.first_bad_position) == (False, head(sealed) - 4)


def test_verify_on_the_command_line_exits_1_naming_the_position(
    sealed: Services, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("BAOBAO_DATABASE_URL", database_url)
    monkeypatch.setenv("BAOBAO_SIGNING_KEY", sealed.settings.signing_key_path)
    ok = CliRunner().invoke(cli, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    RawLog(sealed).change_byte(3)
    failed = CliRunner().invoke(cli, ["audit", "verify"])
    assert failed.exit_code == 1, failed.output
    assert '"first_bad_position": 3' in failed.output
    assert "position 3" in failed.output


def test_a_sealer_signs_nothing_new_twice(sealed: Services) -> None:
    again: Sealer = sealer(sealed)
    assert again.catch_up() == 0
    assert again.checkpoint() == 0
    ((count,),) = sealed.views.read("SELECT COUNT(*) FROM audit_checkpoints")
    assert count == len([*range(5, head(sealed), 5)]) + 1


def test_the_running_sealer_signs_what_is_new_when_stopped(svc: Services) -> None:
    running = sealer(svc, every=1000)
    running.interval = 3600.0
    stop = threading.Event()
    thread = threading.Thread(target=running.run, args=(stop,))
    thread.start()
    last = write_history(svc, units=3, guarantors=0)
    deadline = time.monotonic() + 10
    while verify(Ledger.of(svc)).sealed < last and time.monotonic() < deadline:
        time.sleep(0.05)
    assert svc.views.read("SELECT size FROM audit_checkpoints") == []
    stop.set()
    thread.join(timeout=10)
    assert [int(r[0]) for r in svc.views.read("SELECT size FROM audit_checkpoints")] == [last]


def test_the_running_sealer_signs_every_interval_when_anything_is_new(svc: Services) -> None:
    running = sealer(svc, every=1000)
    running.interval = 0.0
    stop = threading.Event()
    thread = threading.Thread(target=running.run, args=(stop, 0.01))
    thread.start()
    try:
        last = write_history(svc, units=2, guarantors=0)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            sizes = [int(r[0]) for r in svc.views.read("SELECT size FROM audit_checkpoints")]
            if last in sizes:
                break
            time.sleep(0.05)
        assert last in sizes
    finally:
        stop.set()
        thread.join(timeout=10)


def test_a_bundle_is_checked_against_the_key_the_auditor_trusts(
    sealed: Services, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from projections.signing import public_pem

    bundle = tmp_path / "bundle"
    export_bundle(Ledger.of(sealed), bundle)
    trusted = Path(f"{sealed.settings.signing_key_path}.pub")
    assert verify_bundle(bundle, trusted_key=trusted).ok
    other = tmp_path / "other.pub"
    other.write_bytes(public_pem(Ed25519PrivateKey.generate().public_key()))
    result = CliRunner().invoke(cli, ["audit", "verify-bundle", str(bundle), "--key", str(other)])
    assert result.exit_code == 1, result.output
    assert "not the trusted one" in result.output
