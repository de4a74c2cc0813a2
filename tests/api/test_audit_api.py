"""The log over HTTP for auditors: events with hashes, verification, signed checkpoints; and
the projections' positions and digests for admins and auditors."""

from __future__ import annotations

import pytest

from api.audit import make_sealer
from projections.signing import load_public_key, open_checkpoint
from tests.api.conftest import Api, problem
from tests.app.audit_helpers import RawLog

AUDIT_PATHS = ("/v1/audit/events", "/v1/audit/verify", "/v1/audit/checkpoints/latest")


def some_history(api: Api) -> None:
    for name in ("经济发展局", "住房和城乡建设局", "生态环境分局"):
        api.unit(name)
    api.guarantor(name="张伟")
    api.enterprise()


@pytest.mark.parametrize("role", ["admin", "clerk", "leader", "supervisor", "hr"])
def test_only_auditors_read_the_audit_log(sqlite_api: Api, role: str) -> None:
    for path in AUDIT_PATHS:
        problem(sqlite_api.as_(role).get(path), 403, "forbidden")


def test_projections_are_shown_to_admins_and_auditors_only(sqlite_api: Api) -> None:
    for role in ("admin", "auditor"):
        response = sqlite_api.as_(role).get("/v1/projections")
        assert response.status_code == 200, response.text
    problem(sqlite_api.clerk.get("/v1/projections"), 403, "forbidden")
    problem(sqlite_api.client.get("/v1/projections"), 401, "unauthorized")


def test_the_log_pages_in_order_with_actors_payloads_and_hashes(api: Api) -> None:
    some_history(api)
    auditor = api.as_("auditor")
    head = api.log_head()
    positions: list[int] = []
    after, pages = 0, 0
    while True:
        response = auditor.get("/v1/audit/events", {"after": after, "limit": 7})
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= 7
        positions += [item["position"] for item in page["items"]]
        pages += 1
        if page["next_cursor"] is None:
            break
        after = int(page["next_cursor"])
    assert positions == sorted(set(positions))
    assert positions[-1] == head
    assert pages >= 2
    units = auditor.get("/v1/audit/events", {"after": 0, "limit": 500}).json()["items"]
    registered = [i for i in units if i["type"] == "Unit.Registered"]
    assert [i["payload"]["name"] for i in registered][:3] == [
        "经济发展局",
        "住房和城乡建设局",
        "生态环境分局",
    ]
    first = registered[0]
    assert first["actor"]["role"] == "admin"
    assert first["recorded_at"].endswith("+08:00")
    assert len(first["hash"]) == 64
    assert first["chain_hash"] is None  # not sealed yet


def test_paging_rejects_a_page_size_over_500(sqlite_api: Api) -> None:
    response = sqlite_api.as_("auditor").get("/v1/audit/events", {"limit": 501})
    problem(response, 422, "invalid_input")


def test_verify_passes_and_reports_the_signed_checkpoint(api: Api) -> None:
    some_history(api)
    auditor = api.as_("auditor")
    problem(auditor.get("/v1/audit/checkpoints/latest"), 404, "not_found")
    unsealed = auditor.get("/v1/audit/verify").json()
    assert unsealed["ok"] is True
    assert (unsealed["sealed"], unsealed["checkpoint"]) == (0, None)

    make_sealer(api.services).catch_up()
    head = api.log_head()
    report = auditor.get("/v1/audit/verify").json()
    assert report["ok"] is True, report
    assert report["events_checked"] == report["sealed"] == head
    assert report["checkpoint"]["size"] == head
    assert report["first_bad_position"] is None

    latest = auditor.get("/v1/audit/checkpoints/latest").json()
    assert latest["size"] == head
    assert latest["head_hash"] == report["head"]
    public = load_public_key(api.services.settings.signing_key_path)
    assert public is not None
    assert open_checkpoint(latest["note"], public) == (head, bytes.fromhex(latest["head_hash"]))
    assert latest["verifier_key"].startswith("baobao+")

    events = auditor.get("/v1/audit/events", {"limit": 500}).json()["items"]
    assert events[-1]["chain_hash"] == report["head"]


def test_projections_show_position_lag_and_digest(api: Api) -> None:
    some_history(api)
    api.services.follower.catch_up()
    head = api.log_head()
    body = api.admin.get("/v1/projections").json()
    assert body["event_log_head"] == head
    entities = next(p for p in body["projections"] if p["name"] == "entities")
    assert (entities["position"], entities["lag"]) == (head, 0)
    assert len(entities["digest"]) == 64


def test_verify_over_http_names_the_first_tampered_position(api: Api) -> None:
    some_history(api)
    auditor = api.as_("auditor")
    make_sealer(api.services).catch_up()
    at = api.log_head() - 2
    RawLog(api.services).change_byte(at)
    report = auditor.get("/v1/audit/verify").json()
    assert (report["ok"], report["first_bad_position"]) == (False, at)
    assert str(at) in report["problem"]
    page = auditor.get("/v1/audit/events", {"after": at - 1, "limit": 1}).json()
    assert page["items"][0]["position"] == at  # still listed, though it no longer decodes
