"""The outbox over HTTP and on the command line (SPEC N4; API.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner

from api.cli import cli
from api.sender import SenderLoop
from domain.base import Actor
from tests.api.conftest import Api, problem, sh

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def missed(api: Api) -> dict[str, str]:
    """A matter assigned Mon 2026-03-02 09:00 and not resolved by Thu 17:30: two messages."""
    unit = api.unit()
    matter = api.matter(api.enterprise()["id"])
    api.assign(matter["id"], unit["id"])
    api.clock.set(sh(2026, 3, 6, 9))
    watcher = Actor("watcher", "system", "watch-test")
    api.services.park.watch_matter(watcher, UUID(matter["id"]), api.clock())
    return {"unit": unit["id"], "matter": matter["id"]}


def test_the_supervision_office_reads_the_outbox(api: Api, missed: dict[str, str]) -> None:
    response = api.as_("supervisor").get("/v1/notifications")
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert sorted(i["recipient"] for i in items) == sorted([f"unit:{missed['unit']}", "supervisor"])
    assert {i["status"] for i in items} == {"pending"}
    assert all(i["text"].startswith("【包保】") for i in items)
    assert all(i["created_at"].endswith("+08:00") for i in items)


def test_the_outbox_is_filtered_and_paged(api: Api, missed: dict[str, str]) -> None:
    SenderLoop(api.services).run_once()
    admin = api.admin
    delivered = admin.get("/v1/notifications", {"status": "delivered"}).json()["items"]
    assert len(delivered) == 2
    assert all(i["channel"] == "file" and i["attempts"] == 1 for i in delivered)
    assert admin.get("/v1/notifications", {"status": "pending"}).json()["items"] == []
    (only,) = admin.get("/v1/notifications", {"recipient": "supervisor"}).json()["items"]
    assert "超期" in only["text"]
    first = admin.get("/v1/notifications", {"limit": 1}).json()
    second = admin.get("/v1/notifications", {"limit": 1, "cursor": first["next_cursor"]}).json()
    assert second["next_cursor"] is None
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {i["id"] for i in delivered}


def test_only_the_supervision_office_and_admins_read_the_outbox(api: Api) -> None:
    problem(api.clerk.get("/v1/notifications"), 403, "forbidden")
    problem(api.as_("hr").get("/v1/notifications"), 403, "forbidden")


def test_a_bad_status_or_cursor_is_bad_input(api: Api) -> None:
    problem(api.admin.get("/v1/notifications", {"status": "lost"}), 422, "invalid_input")
    problem(api.admin.get("/v1/notifications", {"cursor": "nonsense"}), 400, "bad_cursor")


def test_the_command_line_sends_and_lists(api: Api, missed: dict[str, str], tmp_path: Path) -> None:
    url = api.services.settings.database.url
    env = {"BAOBAO_DATABASE_URL": url, "BAOBAO_SMS_SENDER": f"file:{tmp_path}/cli-sms.log"}
    runner = CliRunner()
    listed = runner.invoke(cli, ["notifications", "list", "--status", "pending"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "supervisor" in listed.output
    sent = runner.invoke(cli, ["notifications", "send", "--once"], env=env)
    assert sent.exit_code == 0, sent.output
    assert "delivered 2 of 2 messages" in sent.output
    again = runner.invoke(cli, ["notifications", "send", "--once"], env=env)
    assert "delivered 0 of 0 messages" in again.output
    assert len((tmp_path / "cli-sms.log").read_text(encoding="utf-8").splitlines()) == 2


def test_a_bad_sender_setting_stops_the_command_with_one_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "BAOBAO_DATABASE_URL": f"sqlite:///{tmp_path}/t.db",
        "BAOBAO_SMS_SENDER": "smtp://mail.example.cn",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", "notifications", "send"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "baobao: BAOBAO_SMS_SENDER 'smtp://mail.example.cn' is neither file:PATH nor an "
        "http(s):// gateway URL"
    ]
