"""Browser tests: the service on 127.0.0.1 over a short demo park, and headless Chromium.

Chromium is Debian's (`/usr/bin/chromium`, installed by `make test` where it can be) driven by
the Python package playwright; Playwright's own browser download is never used. Without
Chromium the tests skip with the reason, unless BAOBAO_REQUIRE_BROWSER=1 (CI) makes it a failure.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.demo import DemoSummary, write_demo
from api.services import Services
from api.settings import Settings
from domain.base import Act, Actor
from domain.calendar import SHANGHAI
from domain.storage import parse_database_url

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = os.environ.get("BAOBAO_CHROMIUM", "/usr/bin/chromium")
# As the machine notes prescribe: no sandbox as root, and no calls home on a closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
UNTIL = datetime(2026, 4, 1, tzinfo=SHANGHAI)  # the demo park's January to March
NOW = datetime(2026, 4, 1, 10, 0, tzinfo=SHANGHAI)  # a Wednesday morning: the board's "now"


def require_browser() -> None:
    """Skip (or, with BAOBAO_REQUIRE_BROWSER=1, fail) when there is nothing to test with."""
    reason = None
    if shutil.which(CHROMIUM) is None:
        reason = (
            f"headless Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium "
            "where apt-get can run as root (apt-get install chromium chromium-driver "
            "fonts-noto-cjk); set BAOBAO_CHROMIUM to use another binary"
        )
    elif importlib.util.find_spec("playwright") is None:
        reason = "the Python package playwright is missing: pip install -e '.[dev]'"
    if reason is None:
        return
    if os.environ.get("BAOBAO_REQUIRE_BROWSER") == "1":
        pytest.fail(f"BAOBAO_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@dataclass
class Board:
    """The running service: its address, its services and a token per role."""

    url: str
    services: Services
    summary: DemoSummary
    tokens: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def token(self, role: str) -> str:
        if role not in self.tokens:
            act = Act.now(Actor("browser-test", "admin", "t"), self.services.clock)
            _, self.tokens[role] = self.services.park.issue_token(act, f"{role} 测试", role, None)
        return self.tokens[role]

    def api(self, role: str, path: str, **params: str) -> Any:
        """What the JSON API answers, to compare with what the page shows."""
        response = httpx.get(
            f"{self.url}{path}",
            params=params,
            headers={"Authorization": f"Bearer {self.token(role)}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="session")
def board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Board]:
    """`baobao serve` in a thread on a free port of 127.0.0.1, over January–March of the demo."""
    require_browser()
    folder = tmp_path_factory.mktemp("board")
    database = parse_database_url(f"sqlite:///{folder}/park.db")
    started = time.perf_counter()
    summary = write_demo(database, until=UNTIL)
    written = time.perf_counter() - started
    settings = Settings(
        database=database,
        signing_key_path=str(folder / "signing.key"),
        sms_sender=f"file:{folder}/sms.log",
    )
    services = Services(settings, clock=lambda: NOW)
    app = create_app(services, follow=True)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "the server stopped while starting"
        assert time.monotonic() < deadline, "the server did not start within 30 s"
        time.sleep(0.05)
    running = Board(f"http://127.0.0.1:{port}", services, summary)
    for role in ("supervisor", "leader", "clerk", "hr"):
        running.token(role)  # issued up front: a token is an event, and events move the log on
    running.timings["demo written (s)"] = written
    try:
        yield running
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        listener.close()
        services.park.close()
        services.views.close()
        ARTIFACTS.mkdir(exist_ok=True)
        lines = [f"{name}: {value:.3f}" for name, value in running.timings.items()]
        (ARTIFACTS / "timings.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def person(chromium: Browser) -> Iterator[Page]:
    """A fresh browser window (its own cookies) as a person in the park would have it."""
    context = chromium.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    """Keep what the person saw as a test artefact."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
