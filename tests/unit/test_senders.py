"""The SMS senders and their configuration, without the park (SPEC N4, API.md configuration)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import httpx
import pytest

from api.notify import (
    FileSender,
    HttpGatewaySender,
    PermanentSendError,
    TransientSendError,
    make_sender,
)
from api.settings import Settings
from domain.storage import ConfigurationError, parse_database_url

DATABASE = parse_database_url("memory:")


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


# -- the file sender ------------------------------------------------------------------------


def test_the_file_sender_writes_a_message_once(tmp_path: Path) -> None:
    path = tmp_path / "sms.log"
    sender = FileSender(path)
    first = sender.send("m-1", "unit:u", "【包保】诉求办理时限将于10月10日17:30届满")
    again = sender.send("m-1", "unit:u", "【包保】诉求办理时限将于10月10日17:30届满")
    assert first == again == "sms.log:1"
    (line,) = lines(path)
    assert json.loads(line)["text"] == "【包保】诉求办理时限将于10月10日17:30届满"


def test_another_process_does_not_write_it_again(tmp_path: Path) -> None:
    path = tmp_path / "sms.log"
    FileSender(path).send("m-1", "unit:u", "一")
    FileSender(path).send("m-2", "unit:u", "二")
    assert FileSender(path).send("m-1", "unit:u", "一") == "sms.log:1"
    assert [json.loads(line)["id"] for line in lines(path)] == ["m-1", "m-2"]


def test_senders_racing_on_one_message_write_it_once(tmp_path: Path) -> None:
    path = tmp_path / "sms.log"
    references: list[str] = []
    threads = [
        threading.Thread(target=lambda: references.append(FileSender(path).send("m", "r", "t")))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert references == ["sms.log:1"] * 8
    assert len(lines(path)) == 1


def test_a_line_cut_short_by_a_crash_does_not_swallow_the_next(tmp_path: Path) -> None:
    path = tmp_path / "sms.log"
    sender = FileSender(path)
    sender.send("m-1", "r", "一")
    with path.open("a", encoding="utf-8") as file:
        file.write('{"id": "m-2", "recipi')
    assert sender.send("m-2", "r", "二") == "sms.log:3"
    assert json.loads(lines(path)[2])["id"] == "m-2"


def test_a_rotated_file_is_read_afresh(tmp_path: Path) -> None:
    path = tmp_path / "sms.log"
    sender = FileSender(path)
    sender.send("m-1", "r", "一")
    path.rename(tmp_path / "sms.log.1")
    assert sender.send("m-2", "r", "二") == "sms.log:1"


def test_an_unwritable_file_is_a_transient_failure(tmp_path: Path) -> None:
    with pytest.raises(TransientSendError, match="cannot write"):
        FileSender(tmp_path / "missing" / "sms.log").send("m", "r", "t")


# -- the HTTP gateway sender ----------------------------------------------------------------


def gateway(
    *answers: int | Exception,
) -> tuple[HttpGatewaySender, list[httpx.Request], list[float]]:
    seen: list[httpx.Request] = []
    waits: list[float] = []
    script = list(answers)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = script.pop(0) if script else 200
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer, json={"reference": "gw-7"} if answer == 200 else {})

    client = httpx.Client(transport=httpx.MockTransport(handle))
    sender = HttpGatewaySender(
        "http://gw.test/sms", retries=3, backoff=0.5, client=client, sleep=waits.append
    )
    return sender, seen, waits


def test_the_gateway_gets_the_message_id_as_idempotency_key() -> None:
    sender, seen, _ = gateway()
    assert sender.send("m-1", "unit:u", "短信") == "gw-7"
    (request,) = seen
    assert request.headers["Idempotency-Key"] == "m-1"
    assert json.loads(request.content) == {"id": "m-1", "recipient": "unit:u", "text": "短信"}


@pytest.mark.parametrize(
    "failure",
    [500, 503, 408, 429, httpx.ConnectError("refused"), httpx.ReadTimeout("slow")],
    ids=str,
)
def test_what_may_pass_later_is_retried_with_backoff(failure: int | Exception) -> None:
    sender, seen, waits = gateway(failure, failure)
    assert sender.send("m-1", "r", "t") == "gw-7"
    assert len(seen) == 3
    assert waits == [0.5, 1.0]
    assert {r.headers["Idempotency-Key"] for r in seen} == {"m-1"}


def test_a_gateway_down_for_every_try_is_a_transient_failure() -> None:
    sender, seen, waits = gateway(*[502] * 4)
    with pytest.raises(TransientSendError, match="502"):
        sender.send("m-1", "r", "t")
    assert len(seen) == 4
    assert waits == [0.5, 1.0, 2.0]


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_a_refusal_is_permanent_and_not_retried(status: int) -> None:
    sender, seen, _ = gateway(status)
    with pytest.raises(PermanentSendError, match=str(status)):
        sender.send("m-1", "r", "t")
    assert len(seen) == 1


def test_without_a_reference_the_message_id_is_the_receipt() -> None:
    client = httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(202)))
    assert HttpGatewaySender("http://gw.test", client=client).send("m-1", "r", "t") == "m-1"


# -- configuration --------------------------------------------------------------------------


def test_the_sender_is_chosen_by_configuration(tmp_path: Path) -> None:
    on_file = Settings(DATABASE, "k", f"file:{tmp_path}/sms.log")
    assert isinstance(make_sender(on_file), FileSender)
    on_gateway = Settings(DATABASE, "k", "https://sms.example.cn/send", 2.5, 5)
    sender = make_sender(on_gateway)
    assert isinstance(sender, HttpGatewaySender)
    assert (sender.url, sender.timeout, sender.retries) == ("https://sms.example.cn/send", 2.5, 5)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("BAOBAO_SMS_SENDER", "ftp://sms.example.cn", "neither file:PATH nor an http"),
        ("BAOBAO_SMS_SENDER", "file:", "names no file"),
        ("BAOBAO_SMS_SENDER", "file:/no/such/folder/sms.log", "does not exist"),
        ("BAOBAO_SMS_SENDER", "sms.log", "neither file:PATH nor an http"),
        ("BAOBAO_SMS_TIMEOUT", "soon", "not a number of seconds"),
        ("BAOBAO_SMS_TIMEOUT", "0", "between 0 and 300"),
        ("BAOBAO_SMS_RETRIES", "2.5", "not a whole number"),
        ("BAOBAO_SMS_RETRIES", "-1", "from 0 to 10"),
        ("BAOBAO_COMMANDS_IN_FLIGHT", "0", "from 1 to 256"),
        ("BAOBAO_COMMANDS_IN_FLIGHT", "many", "not a whole number"),
        ("BAOBAO_PIN_CPU", "cpu0", "must be 1 or 0"),
    ],
)
def test_a_bad_sms_setting_is_refused_with_what_to_change(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BAOBAO_DATABASE_URL", f"sqlite:///{tmp_path}/t.db")
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_env()


def test_the_default_is_a_file_beside_the_service(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for variable in ("BAOBAO_SMS_SENDER", "BAOBAO_SMS_TIMEOUT", "BAOBAO_SMS_RETRIES"):
        monkeypatch.delenv(variable, raising=False)
    settings = Settings.from_env()
    assert (settings.sms_sender, settings.sms_timeout, settings.sms_retries) == (
        "file:./sms-outbox.log",
        5.0,
        3,
    )
