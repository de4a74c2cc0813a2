"""Commands are let into the app a few at a time, in the order they came; reads are not held."""

from __future__ import annotations

import asyncio

import pytest
from starlette.types import Message, Receive, Scope, Send

from api.admission import CommandAdmissionMiddleware
from tests.conftest import run_coroutine


class Gate:
    """An app that holds each request until it is released, and records who is inside."""

    def __init__(self) -> None:
        self.inside: set[str] = set()
        self.most_inside = 0
        self.entered: list[str] = []
        self.release: dict[str, asyncio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = scope["path"]
        self.entered.append(name)
        self.inside.add(name)
        self.most_inside = max(self.most_inside, len(self.inside))
        await self.release.setdefault(name, asyncio.Event()).wait()
        self.inside.discard(name)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def nothing() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def ignore(message: Message) -> None:
    return None


def request(method: str, path: str) -> Scope:
    return {"type": "http", "method": method, "path": path, "headers": []}


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_commands_beyond_the_limit_wait_and_go_in_in_arrival_order() -> None:
    async def scenario() -> None:
        gate = Gate()
        admit = CommandAdmissionMiddleware(gate, limit=2)
        names = [f"/c{i}" for i in range(5)]
        tasks = []
        for name in names:
            tasks.append(asyncio.create_task(admit(request("POST", name), nothing, ignore)))
            await settle()
        assert gate.inside == {"/c0", "/c1"}
        # A read goes straight in while every command slot is taken.
        read = asyncio.create_task(admit(request("GET", "/r"), nothing, ignore))
        await settle()
        assert "/r" in gate.inside
        gate.release.setdefault("/r", asyncio.Event()).set()
        await read
        for name in ["/c1", "/c0", "/c2", "/c3", "/c4"]:
            gate.release.setdefault(name, asyncio.Event()).set()
            await settle()
        await asyncio.gather(*tasks)
        assert [n for n in gate.entered if n != "/r"] == names
        assert gate.most_inside == 3  # two commands and the read

    run_coroutine(scenario())


def test_a_command_that_fails_gives_its_slot_back() -> None:
    async def failing(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("the command failed")

    async def scenario() -> None:
        admit = CommandAdmissionMiddleware(failing, limit=1)
        for _ in range(3):
            with pytest.raises(RuntimeError):
                await asyncio.wait_for(admit(request("PUT", "/x"), nothing, ignore), 1)

    run_coroutine(scenario())


def test_no_slots_at_all_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        CommandAdmissionMiddleware(Gate(), limit=0)


def test_each_event_loop_gets_its_own_slots() -> None:
    async def scenario(admit: CommandAdmissionMiddleware, gate: Gate) -> None:
        tasks = [
            asyncio.create_task(admit(request("POST", f"/c{i}"), nothing, ignore)) for i in range(3)
        ]
        await settle()
        assert len(gate.inside) == 1
        for i in range(3):
            gate.release.setdefault(f"/c{i}", asyncio.Event()).set()
            await settle()
        await asyncio.gather(*tasks)

    gate = Gate()
    admit = CommandAdmissionMiddleware(gate, limit=1)
    run_coroutine(scenario(admit, gate))
    gate.release.clear()
    gate.entered.clear()
    run_coroutine(scenario(admit, gate))  # a second loop: waiting there must work too
