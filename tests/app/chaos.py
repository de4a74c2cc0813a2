"""Processes to crash and resources to break: helpers of the race, crash and fault tests.

A child runs the `baobao` command line in a process of its own. It is forked from a server
process that has imported the application once (multiprocessing's forkserver), so a restart
after `kill -9` takes a tenth of a second rather than the second a fresh interpreter needs;
with BAOBAO_CHAOS_EXEC=1 every child is the installed command in a fresh interpreter instead.
BAOBAO_CHAOS_ITERATIONS scales the crash and race loops (for longer runs by hand) and
BAOBAO_CHAOS_SEED repeats a run's random kill points.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import httpx
import psycopg

from domain.park import Park
from domain.storage import parse_database_url

ROOT = Path(__file__).resolve().parents[2]
EXEC = os.environ.get("BAOBAO_CHAOS_EXEC") == "1"
ITERATIONS = int(os.environ.get("BAOBAO_CHAOS_ITERATIONS", "10"))
SEED = int(os.environ.get("BAOBAO_CHAOS_SEED", str(random.SystemRandom().randrange(10**6))))


def rng(name: str) -> random.Random:
    """A random source per test, repeatable from BAOBAO_CHAOS_SEED (printed on failure)."""
    return random.Random(f"{SEED}:{name}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def child_env(url: str, folder: Path) -> dict[str, str]:
    """What a `baobao` child needs: the database, the signing key and the SMS file."""
    return {
        "BAOBAO_DATABASE_URL": url,
        "BAOBAO_SIGNING_KEY": str(folder / "signing.key"),
        "BAOBAO_SMS_SENDER": f"file:{folder / 'sms.log'}",
    }


def run_cli(argv: list[str], env: dict[str, str], cwd: str, log: str) -> None:
    """The body of a forked child: `baobao ARGV` with its output in `log`."""
    os.chdir(cwd)
    os.environ.update(env)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    sys.argv = ["baobao", *argv]
    from api.cli import main

    main()


_CONTEXT: ForkServerContext | None = None


def context() -> ForkServerContext:
    global _CONTEXT  # noqa: PLW0603 - one fork server per test session
    if _CONTEXT is None:
        _CONTEXT = multiprocessing.get_context("forkserver")
        # "__main__" too: the children then need not run the main script again.
        _CONTEXT.set_forkserver_preload(["__main__", "api.cli", "api.main", "tests.app.chaos"])
    return _CONTEXT


def _nothing() -> None:
    return None


def warm() -> None:
    """Start the fork server now (it takes seconds), so that a child's time is its own."""
    if not EXEC:
        process = context().Process(target=_nothing, daemon=True)
        process.start()
        process.join(60)


class Child:
    """One `baobao` process; stopped by its own pid only."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, log: Path) -> None:
        self.argv = argv
        self.log = log
        self.popen: subprocess.Popen[bytes] | None = None
        self.process: BaseProcess | None = None
        if EXEC:
            with log.open("ab") as out:
                self.popen = subprocess.Popen(
                    [sys.executable, "-c", "from api.cli import main; main()", *argv],
                    cwd=cwd,
                    env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
        else:
            self.process = context().Process(
                target=run_cli, args=(argv, env, str(cwd), str(log)), daemon=True
            )
            self.process.start()

    @property
    def pid(self) -> int:
        pid = self.popen.pid if self.popen is not None else self.process.pid  # type: ignore[union-attr]
        assert pid is not None
        return pid

    def exitcode(self) -> int | None:
        if self.popen is not None:
            return self.popen.poll()
        assert self.process is not None
        return self.process.exitcode

    def wait(self, timeout: float) -> int | None:
        if self.popen is not None:
            try:
                return self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                return None
        assert self.process is not None
        self.process.join(timeout)
        return self.process.exitcode

    def kill(self) -> None:
        """kill -9, and reap it."""
        if self.exitcode() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        code = self.wait(30)
        assert code is not None, f"{self.argv} survived SIGKILL"

    def stop(self, timeout: float = 15) -> int | None:
        """SIGINT (what Ctrl-C sends), then kill -9 if it does not end in time."""
        if self.exitcode() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGINT)
            if self.wait(timeout) is None:
                self.kill()
        return self.exitcode()

    def output(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""


class Server:
    """`baobao serve` on a free port."""

    def __init__(self, env: dict[str, str], folder: Path, *flags: str, name: str = "serve") -> None:
        self.env = env
        self.folder = folder
        self.flags = flags or ("--no-watch", "--no-send")
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.child: Child | None = None
        self.starts = 0

    def start(self, timeout: float = 60) -> None:
        self.starts += 1
        argv = ["serve", "--port", str(self.port), *self.flags]
        self.child = Child(argv, self.env, self.folder, self.folder / f"{self.name}.log")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.child.exitcode() is not None:
                raise AssertionError(f"{self.name} exited early:\n{self.child.output()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/v1/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.02)
        raise AssertionError(f"{self.name} not ready in {timeout}s:\n{self.child.output()}")

    def kill(self) -> None:
        if self.child is not None:
            self.child.kill()

    def stop(self) -> None:
        if self.child is not None:
            self.child.stop()


def cli(env: dict[str, str], folder: Path, *argv: str, timeout: float = 300) -> tuple[int, str]:
    """`baobao ARGV` run to its end in a process of its own: the exit code and the output."""
    log = folder / f"cli-{'-'.join(argv)}-{time.monotonic_ns()}.log"
    child = Child(list(argv), env, folder, log)
    code = child.wait(timeout)
    if code is None:
        child.kill()
        raise AssertionError(f"baobao {' '.join(argv)} did not end in {timeout}s")
    return code, child.output()


# -- holding the database --------------------------------------------------------------------


@contextlib.contextmanager
def write_lock(url: str) -> Iterator[None]:
    """Another connection holds the event log's write lock until the block ends: SQLite's
    exclusive lock on the file, or PostgreSQL's lock on the events table (what writers take)."""
    database = parse_database_url(url)
    if database.kind == "sqlite":
        path = database.env["SQLITE_DBNAME"]
        holder = sqlite3.connect(path, isolation_level=None, timeout=30)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            yield
            holder.execute("ROLLBACK")
        finally:
            holder.close()
        return
    with pg_connect(url) as holder, holder.transaction():
        holder.execute(f"LOCK TABLE {events_table(url)} IN EXCLUSIVE MODE")
        yield


def events_table(url: str) -> str:
    """The event log's table, schema-qualified on PostgreSQL."""
    table = f"{Park.name.lower()}_events"  # the library names it after the application
    schema = parse_database_url(url).env.get("POSTGRES_SCHEMA")
    return f'"{schema}".{table}' if schema else table


def pg_connect(url: str, **kwargs: Any) -> psycopg.Connection[Any]:
    """A plain connection to the server behind a test URL (its `?schema=` left out)."""
    return psycopg.connect(url.split("?", 1)[0], connect_timeout=5, **kwargs)


def hold_in_thread(url: str, seconds: float) -> threading.Thread:
    """Hold the write lock for `seconds` from another thread; returns once it is held."""
    held = threading.Event()

    def hold() -> None:
        with write_lock(url):
            held.set()
            time.sleep(seconds)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert held.wait(30), "could not take the write lock"
    return thread


class TcpProxy:
    """A TCP proxy in front of the PostgreSQL server: `cut()` drops every connection and
    closes the port (the server out of reach), `restore()` opens it again."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = free_port()
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self.accept, args=(listener,), daemon=True).start()

    def accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        with self.lock:
            dropped, self.sockets = self.sockets, []
        for end in dropped:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()


def report(kind: str, **counts: Any) -> None:
    """One line per test for the record of a run (`pytest -s`; BAOBAO_CHAOS_REPORT: a file)."""
    line = f"{kind}: " + ", ".join(f"{k}={v}" for k, v in counts.items()) + f" (seed {SEED})"
    print(f"\n{line}")
    target = os.environ.get("BAOBAO_CHAOS_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(line + "\n")
