"""kill -9 at random points (issue 8, item 4): of the server and of the worker during writes,
of rebuilds, of sealing and of sending, on SQLite and PostgreSQL. After a restart the log
verifies, every acknowledged write is in it, the projections equal a clean rebuild, and every
notification is in the SMS file once and recorded as delivered once.

Each test runs BAOBAO_CHAOS_ITERATIONS kills (10 by default); see tests/app/chaos.py."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.services import Services
from domain.base import Actor, utc_now
from projections.audit_verify import ensure_tables
from projections.outbox import outbox_page
from tests.app.audit_helpers import open_services
from tests.app.chaos import (
    ITERATIONS,
    SEED,
    Child,
    Server,
    child_env,
    cli,
    report,
    rng,
    warm,
)
from tests.app.workload import (
    Acks,
    HttpWriter,
    ParkWriter,
    Registry,
    admin_token,
    bulk,
    caught_up,
    delivered_ids,
    file_ids,
    late_act,
    missing_acks,
    registry,
    sealed_to_head,
    wait_until,
)

WATCHER = Actor("watcher", "system", "chaos-watch")


@pytest.fixture
def svc(database_url: str, tmp_path: Path) -> Iterator[Services]:
    """The test's own view of the database (real time, like the processes it crashes)."""
    with open_services(database_url, tmp_path, utc_now) as services:
        yield services


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return child_env(database_url, tmp_path)


@pytest.fixture
def where(svc: Services) -> Registry:
    return registry(svc.park)


def worker(env: dict[str, str], folder: Path, *flags: str) -> Child:
    argv = ["worker", *(flags or ("--no-watch", "--no-send"))]
    return Child(argv, env, folder, folder / "worker.log")


def applied(svc: Services) -> int:
    """How far every projection has applied the log."""
    return min(svc.follower.positions().values())


def converge(svc: Services, env: dict[str, str], folder: Path) -> None:
    """A clean worker run until the views and the seals reach the log head, then stopped."""
    clean = worker(env, folder)
    try:
        wait_until(lambda: caught_up(svc) and sealed_to_head(svc), 120, "the worker caught up")
    finally:
        assert clean.stop() == 0, clean.output()


def assert_recovered(svc: Services, env: dict[str, str], folder: Path, acks: Acks) -> None:
    """The checks after the crashes (the processes are all gone by now)."""
    assert missing_acks(svc.park, acks) == [], f"seed {SEED}"
    code, output = cli(env, folder, "audit", "verify")
    assert code == 0, f"seed {SEED}: {output}"
    assert '"ok": true' in output
    code, output = cli(env, folder, "projections", "verify")
    assert code == 0, f"seed {SEED}: {output}"
    assert "DIFFERS" not in output


def test_the_server_killed_during_writes_keeps_every_acknowledged_write(
    svc: Services, env: dict[str, str], tmp_path: Path, where: Registry
) -> None:
    chance = rng("server")
    server = Server(env, tmp_path)
    server.start()
    token = admin_token(svc.park)
    writers = [HttpWriter(server.url, token, where, chance.randrange(10**6)) for _ in range(2)]
    for writer in writers:
        writer.start()
    try:
        for _ in range(ITERATIONS):
            time.sleep(chance.uniform(0.05, 0.6))
            server.kill()
            server.start()
        time.sleep(0.3)
    finally:
        acks = [writer.stop() for writer in writers]
        server.kill()
    everything = Acks(items=[item for a in acks for item in a.items])
    cut_off = sum(a.failed for a in acks)
    assert len(everything.items) > ITERATIONS, "the writers hardly wrote"
    assert cut_off > 0, "no request was cut off by a kill"
    report(
        f"crash server ({svc.settings.database.kind})",
        kills=ITERATIONS,
        acknowledged=len(everything.items),
        refused=sum(a.refused for a in acks),
        cut_off=cut_off,
    )
    server.start()
    wait_until(lambda: caught_up(svc) and sealed_to_head(svc), 120, "the server caught up")
    server.stop()
    assert_recovered(svc, env, tmp_path, everything)


def test_the_worker_killed_while_it_follows_and_seals_recovers(
    svc: Services, env: dict[str, str], tmp_path: Path, where: Registry
) -> None:
    chance = rng("worker")
    bulk(svc.park, where, 300)  # a backlog: the first pages take a while to apply
    writer = ParkWriter(svc.park, where, chance.randrange(10**6))
    writer.start()
    partway = 0
    try:
        for turn in range(ITERATIONS):
            before = applied(svc)
            following = worker(env, tmp_path)
            if turn % 2:  # every other time once it has applied a page: killed while following
                wait_until(lambda b=before: applied(svc) > b, 60, "the worker applied a page")
                time.sleep(chance.uniform(0, 0.3))
            else:  # else at any point, often in the middle of its first page
                time.sleep(chance.uniform(0.1, 1.2))
            following.kill()
            partway += before < applied(svc) < svc.park.log_head()
    finally:
        acks = writer.stop()
    report(
        f"crash worker ({svc.settings.database.kind})",
        kills=ITERATIONS,
        killed_after_progress_short_of_the_head=partway,
        acknowledged=len(acks.items),
    )
    converge(svc, env, tmp_path)
    assert_recovered(svc, env, tmp_path, acks)


def test_a_rebuild_killed_half_way_converges_beside_a_running_follower(
    svc: Services, env: dict[str, str], tmp_path: Path, where: Registry
) -> None:
    chance = rng("rebuild")
    bulk(svc.park, where, 600)
    svc.follower.catch_up()
    following = worker(env, tmp_path)
    writer = ParkWriter(svc.park, where, chance.randrange(10**6))
    writer.start()
    finished = 0
    try:
        warm()
        started = time.monotonic()
        code, output = cli(env, tmp_path, "projections", "rebuild")
        assert code == 0, output
        lasts = time.monotonic() - started  # the kills fall within the time a rebuild takes
        for _ in range(ITERATIONS):
            rebuild = Child(["projections", "rebuild"], env, tmp_path, tmp_path / "rebuild.log")
            time.sleep(chance.uniform(0.05, 0.9 * lasts))
            finished += rebuild.exitcode() == 0
            rebuild.kill()
    finally:
        acks = writer.stop()
        following.kill()
    assert finished < ITERATIONS, "every rebuild ended before its kill"
    report(
        f"crash rebuild ({svc.settings.database.kind})",
        kills=ITERATIONS - finished,
        finished_first=finished,
        acknowledged=len(acks.items),
    )
    converge(svc, env, tmp_path)
    assert_recovered(svc, env, tmp_path, acks)


def test_sealing_killed_half_way_resumes_a_chain_that_verifies(
    svc: Services, env: dict[str, str], tmp_path: Path, where: Registry
) -> None:
    chance = rng("seal")
    writer = ParkWriter(svc.park, where, chance.randrange(10**6))
    writer.start()
    kills = partway = 0
    try:
        for turn in range(ITERATIONS):
            bulk(svc.park, where, 100)  # something to seal
            sealers = [
                Child(["audit", "seal"], env, tmp_path, tmp_path / "seal.log")
                for _ in range(1 + turn % 2)  # every other time two at once
            ]
            before = seal_position(svc)
            time.sleep(chance.uniform(0.05, 0.8))
            for sealer in sealers:
                sealer.kill()
            kills += len(sealers)
            after = seal_position(svc)
            partway += before < after < svc.park.log_head()
    finally:
        acks = writer.stop()
    report(
        f"crash seal ({svc.settings.database.kind})",
        kills=kills,
        rounds_cut_partway=partway,
        acknowledged=len(acks.items),
    )
    code, output = cli(env, tmp_path, "audit", "seal")
    assert code == 0, output
    converge(svc, env, tmp_path)
    assert_recovered(svc, env, tmp_path, acks)


def seal_position(svc: Services) -> int:
    ensure_tables(svc.views)
    rows = svc.views.read("SELECT position FROM audit_progress WHERE name='chain'")
    return int(rows[0][0]) if rows else 0


def past_matters(svc: Services, where: Registry, count: int) -> None:
    """Matters received days ago and never assigned: the watcher records each as missed,
    which gives two messages (the window and the supervision office)."""
    for _ in range(count):
        matter = svc.park.receive_matter(
            late_act(3), where.enterprise_id, "用电增容", "要素保障", "window"
        )
        assert svc.park.watch_matter(WATCHER, matter.id, utc_now())


def test_senders_killed_while_sending_send_each_message_exactly_once(
    svc: Services, env: dict[str, str], tmp_path: Path, where: Registry
) -> None:
    chance = rng("send")
    kills = partway = 0
    for turn in range(ITERATIONS):
        past_matters(svc, where, 15)
        senders = [
            Child(["notifications", "send"], env, tmp_path, tmp_path / "send.log")
            for _ in range(1 + turn % 2)  # every other time two at once
        ]
        before = len(delivered_ids(svc.park))
        time.sleep(chance.uniform(0.1, 1.5))
        for sender in senders:
            sender.kill()
        kills += len(senders)
        partway += before < len(delivered_ids(svc.park)) < 2 * 15 * (turn + 1)
    code, output = cli(env, tmp_path, "notifications", "send", "--once")
    assert code == 0, output

    svc.settle()
    outbox = outbox_page(svc.views, limit=10_000)[0]
    assert len(outbox) == 2 * 15 * ITERATIONS
    assert {e.status for e in outbox} == {"delivered"}, f"seed {SEED}"
    in_file, broken = file_ids(tmp_path / "sms.log")
    assert broken == 0
    assert len(in_file) == len(set(in_file)), f"seed {SEED}: a message was sent twice"
    delivered = delivered_ids(svc.park)
    assert len(delivered) == len(set(delivered)), f"seed {SEED}: a delivery was recorded twice"
    assert set(in_file) == set(delivered) == {str(e.message.id) for e in outbox}
    report(
        f"crash send ({svc.settings.database.kind})",
        kills=kills,
        rounds_cut_partway=partway,
        messages=len(outbox),
    )
    assert_recovered(svc, env, tmp_path, Acks())


def test_the_log_commits_durably_and_the_views_need_not(tmp_path: Path) -> None:
    """SQLite: the log's connections (the library's) keep synchronous=FULL, so an
    acknowledged event survives a power cut as well as a kill; the views' connections use
    NORMAL (a cut may lose their last pages; they are rebuilt from the log)."""
    with open_services(f"sqlite:///{tmp_path}/t.db", tmp_path, utc_now) as svc:
        with svc.park.recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2  # FULL
        with svc.views.transaction(write=False) as tx:
            assert tx.one("PRAGMA synchronous") == (1,)  # NORMAL
