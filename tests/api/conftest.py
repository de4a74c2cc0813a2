"""The HTTP API under test: real storage, a clock the test moves, a token per role."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from api.settings import Settings
from domain.base import Act, Actor
from domain.calendar import SHANGHAI
from domain.storage import parse_database_url
from domain.uscc import check_character

PROBLEM = "application/problem+json"
START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # Monday, inside office hours


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in Shanghai time."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


class Clock:
    """A clock that stands still until the test sets it."""

    def __init__(self, at: datetime) -> None:
        self._at = at

    def __call__(self) -> datetime:
        return self._at

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at


def valid_uscc(serial: int) -> str:
    """A credit code that passes GB 32100-2015, distinct for each serial number."""
    first17 = f"91341600MA8P{serial:05d}"
    return first17 + check_character(first17)


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Assert an RFC 9457 problem with this status and code; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    return body


class Session:
    """Requests made with one principal's bearer token."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.token = token

    def headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(
        self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return self.client.get(path, params=params, headers=self.headers(headers))

    def post(
        self,
        path: str,
        json: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        return self.client.post(path, json=json, headers=self.headers(headers))


class Api:
    """A test client over fresh services, with tokens and builders for the usual things."""

    def __init__(self, client: TestClient, services: Services, clock: Clock) -> None:
        self.client = client
        self.services = services
        self.clock = clock
        self.tokens: dict[tuple[str, str | None], str] = {}
        self.serials = itertools.count(1)
        self.issued = 0  # tokens issued, each one event in the log

    # -- principals --------------------------------------------------------------------------

    def token(self, role: str, scope: str | None = None) -> str:
        key = (role, scope)
        if key not in self.tokens:
            act = Act.now(Actor("test", "admin", "t"), self.clock)
            _, token = self.services.park.issue_token(act, f"{role} {scope or ''}", role, scope)
            self.tokens[key] = token
            self.issued += 1
        return self.tokens[key]

    def as_(self, role: str, scope: str | None = None) -> Session:
        return Session(self.client, self.token(role, scope))

    @property
    def admin(self) -> Session:
        return self.as_("admin")

    @property
    def clerk(self) -> Session:
        return self.as_("clerk")

    @property
    def leader(self) -> Session:
        return self.as_("leader")

    def unit_session(self, unit_id: str) -> Session:
        return self.as_("unit", unit_id)

    def enterprise_session(self, enterprise_id: str) -> Session:
        return self.as_("enterprise", enterprise_id)

    # -- the log ------------------------------------------------------------------------------

    def log_head(self) -> int:
        response = self.client.get("/v1/health")
        assert response.status_code == 200, response.text
        head: int = response.json()["event_log_head"]
        return head

    @contextmanager
    def records_nothing(self) -> Iterator[None]:
        """Asserts that the block adds no event to the log (but the tokens it issues itself)."""
        before, issued = self.log_head(), self.issued
        yield
        recorded = self.log_head() - before - (self.issued - issued)
        assert recorded == 0, f"the requests recorded {recorded} event(s)"

    # -- builders -----------------------------------------------------------------------------

    def unit(self, name: str = "经济发展局") -> dict[str, Any]:
        response = self.admin.post("/v1/units", {"name": name})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def guarantor(
        self, kind: str = "person", name: str = "张伟", title: str | None = "副主任"
    ) -> dict[str, Any]:
        payload = {"kind": kind, "name": name, "title": title if kind == "person" else None}
        response = self.admin.post("/v1/guarantors", payload)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def new_uscc(self) -> str:
        return valid_uscc(next(self.serials))

    def enterprise(
        self, name: str = "亳州恒丰汽车零部件有限公司", chain: str = "新能源汽车"
    ) -> dict[str, Any]:
        payload = {
            "uscc": self.new_uscc(),
            "name": name,
            "industry": "汽车零部件",
            "chain": chain,
            "above_scale": True,
        }
        response = self.clerk.post("/v1/enterprises", payload)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def matter(self, enterprise_id: str, **fields: Any) -> dict[str, Any]:
        payload = {
            "enterprise_id": enterprise_id,
            "summary": "厂区道路积水，需协调排水改造",
            "category": "基础设施",
            "channel": "window",
            **fields,
        }
        response = self.clerk.post("/v1/matters", payload)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def assign(self, matter_id: str, unit_id: str) -> dict[str, Any]:
        response = self.clerk.post(f"/v1/matters/{matter_id}/assign", {"unit_id": unit_id})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def resolve(self, matter_id: str, unit_id: str) -> dict[str, Any]:
        response = self.unit_session(unit_id).post(
            f"/v1/matters/{matter_id}/resolve", {"reply": "已协调完成排水改造"}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@contextmanager
def running_api(url: str, tmp_path: Path) -> Iterator[Api]:
    clock = Clock(START)
    settings = Settings(
        database=parse_database_url(url),
        signing_key_path=str(tmp_path / "k"),
        sms_sender=f"file:{tmp_path}/sms.log",
    )
    services = Services(settings, clock=clock)
    try:
        app = create_app(services, follow=False)
        # What a client sees: a server error is a 500 response, not an exception in the test.
        with TestClient(app, raise_server_exceptions=False) as client:
            api = Api(client, services, clock)
            for role in ("admin", "clerk"):  # the rest when first used
                api.token(role)
            yield api
    finally:
        services.stop()
        services.park.close()
        services.views.close()


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    """The API on SQLite and on PostgreSQL (see `database_url` in tests/conftest.py)."""
    with running_api(database_url, tmp_path) as running:
        yield running


@pytest.fixture
def sqlite_api(tmp_path: Path) -> Iterator[Api]:
    """The API on SQLite only, for what does not depend on storage."""
    with running_api(f"sqlite:///{tmp_path}/api.db", tmp_path) as running:
        yield running


@pytest.fixture(scope="module")
def shared_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One API on SQLite for a whole module: only for tests that record nothing."""
    folder = tmp_path_factory.mktemp("api")
    with running_api(f"sqlite:///{folder}/api.db", folder) as running:
        yield running
