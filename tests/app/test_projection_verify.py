"""Projection digests (SPEC A4): a rebuild from position 0 equals the live projection."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import cli
from api.projection_verify import live_projections, verify_projections
from api.services import Services
from domain.base import Act, Actor
from tests.app.audit_helpers import open_services, write_history
from tests.conftest import Clock


@pytest.fixture
def svc(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[Services]:
    with open_services(database_url, tmp_path, clock) as services:
        yield services


@pytest.fixture
def followed(svc: Services, new_uscc: Callable[[], str]) -> Services:
    """A small history, applied to every projection."""
    write_history(svc, units=4, guarantors=4)
    act = Act.now(Actor("p-clerk", "clerk", "req-e"), svc.clock)
    for name in ("合肥恒丰汽车零部件有限公司", "亳州华信药业有限公司"):
        svc.park.list_enterprise(act, new_uscc(), name, "汽车零部件", "新能源汽车", True)
    svc.follower.catch_up()
    return svc


def test_every_projection_has_a_digest(followed: Services) -> None:
    live = live_projections(followed)
    assert live
    assert [p.name for p in live if p.digest is None] == []
    assert {p.position for p in live} == {followed.park.log_head()}


def test_rebuilding_beside_the_live_projections_gives_the_same_digests(
    followed: Services,
) -> None:
    checks = verify_projections(followed)
    assert "entities" in {c.name for c in checks}
    assert [c.name for c in checks if not c.ok] == []


def test_the_rebuild_stops_at_the_live_position(followed: Services) -> None:
    write_history(followed, units=3, guarantors=0)  # not yet applied to the views
    checks = verify_projections(followed)
    assert {c.position for c in checks} == {followed.park.log_head() - 3}
    assert all(c.ok for c in checks)


def test_an_edited_view_row_is_reported_by_its_projection(
    followed: Services, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    with followed.views.transaction() as tx:
        changed = tx.execute(
            "UPDATE v_units SET doc=? WHERE id=(SELECT MIN(id) FROM v_units)", ['{"name":"x"}']
        )
    assert changed == 1
    differ = [c.name for c in verify_projections(followed) if not c.ok]
    assert differ == ["entities"]
    monkeypatch.setenv("BAOBAO_DATABASE_URL", database_url)
    monkeypatch.setenv("BAOBAO_SIGNING_KEY", followed.settings.signing_key_path)
    result = CliRunner().invoke(cli, ["projections", "verify"])
    assert result.exit_code == 1, result.output
    assert "differ from the live ones: entities" in result.output


def test_the_scratch_views_are_removed_afterwards(
    followed: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixed = uuid.UUID("0123456789abcdef0123456789abcdef")
    monkeypatch.setattr(uuid, "uuid4", lambda: fixed)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert all(c.ok for c in verify_projections(followed))
    assert not list(tmp_path.glob("baobao-verify-*"))
    if followed.views.postgres:
        rows = followed.views.read(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name=?",
            [f"baobao_verify_{fixed.hex[:16]}"],
        )
        assert rows == []
