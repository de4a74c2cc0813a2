"""The `baobao` command line."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import psycopg
import typer
import uvicorn
from eventsourcing.persistence import PersistenceError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from api.affinity import pin_server_process
from api.audit import make_sealer, seal_database
from api.audit_cli import audit_cli, projections_verify
from api.collector import set_for_serving
from api.sender import SenderLoop
from api.services import Services
from api.settings import Settings
from api.watcher import Watcher
from domain.base import SYSTEM, Act, Actor
from domain.errors import DomainError
from domain.storage import ConfigurationError

cli = typer.Typer(
    help="baobao: the park's 包保 accountability service.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
token_cli = typer.Typer(help="Bearer tokens.", no_args_is_help=True)
projections_cli = typer.Typer(help="Read models kept from the event log.", no_args_is_help=True)
calendar_cli = typer.Typer(help="The official working calendar.", no_args_is_help=True)
notifications_cli = typer.Typer(
    help="SMS notifications (短信) in the outbox.", no_args_is_help=True
)
cli.add_typer(token_cli, name="token")
cli.add_typer(projections_cli, name="projections")
cli.add_typer(calendar_cli, name="calendar")
cli.add_typer(audit_cli, name="audit")
projections_cli.command("verify")(projections_verify)
cli.add_typer(notifications_cli, name="notifications")

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"baobao: {message}", markup=False, highlight=False)
    return typer.Exit(code)


def services() -> Services:
    return Services(Settings.from_env())


def cli_act(role: str = "admin") -> Act:
    from domain.base import utc_now

    user = os.environ.get("USER") or "cli"
    return Act.now(
        Actor(principal_id=f"cli:{user}", role=role, request_id=f"cli-{os.getpid()}"), utc_now
    )


def progress_bar(label: str) -> Progress:
    return Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err
    )


@cli.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    no_watch: Annotated[
        bool, typer.Option("--no-watch", help="Without the deadline watcher")
    ] = False,
    no_send: Annotated[
        bool, typer.Option("--no-send", help="Without the notification sender")
    ] = False,
    no_follow: Annotated[
        bool,
        typer.Option(
            "--no-follow",
            help="Without the projection follower and the sealer (a `baobao worker` keeps them)",
        ),
    ] = False,
    demo_if_empty: Annotated[
        bool, typer.Option(help="Load the demo park into an empty database")
    ] = False,
    print_admin_token: Annotated[
        bool, typer.Option(help="Create and print an admin token")
    ] = False,
    pin_cpu: Annotated[
        bool,
        typer.Option(
            "--pin-cpu",
            help="Keep each server process on a CPU of its own (also BAOBAO_PIN_CPU=1)",
        ),
    ] = False,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="A line per request on stderr (each event records its actor and request id)",
        ),
    ] = True,
) -> None:
    """Serve the API with the projection follower beside it (or, with --no-follow, beside a
    `baobao worker`: the API's processes then spend their CPU on requests only)."""
    if pin_cpu:
        os.environ["BAOBAO_PIN_CPU"] = "1"  # for the worker processes too
    settings = Settings.from_env()
    if settings.pin_cpu and workers <= 1:
        # Before the process starts any thread: its threads inherit the CPU.
        err.print(pin_server_process())
    if demo_if_empty and log_is_empty(settings):
        # Before anything else writes: the demo's history is recorded at its own (past) times.
        run_demo(settings, "park", 7)
    svc = services()
    if print_admin_token:
        _, token = svc.park.issue_token(cli_act(), "admin (make run)", "admin", None)
        console.print(f"\nAdmin token: [bold]{token}[/bold]")
        console.print(
            f"Try: curl -H 'Authorization: Bearer {token}' http://{host}:{port}/v1/matters?overdue=true"
        )
        console.print(f"Docs: http://{host}:{port}/docs\n")
    if workers > 1:
        # Each worker follows the log (their positions are guarded); one watcher and one
        # sender run here.
        os.environ["BAOBAO_WATCH"] = "0"
        os.environ["BAOBAO_FOLLOW"] = "0" if no_follow else "1"
        if not no_watch:
            svc.start_background("watcher", Watcher(svc).run)
        if not no_send:
            svc.start_background("sender", SenderLoop(svc).run)
        uvicorn.run(
            "api.main:factory",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=access_log,
        )
        svc.stop()
        return
    from api.app import create_app

    app = create_app(svc, follow=not no_follow, watch=not no_watch, send=not no_send)
    set_for_serving()
    uvicorn.run(app, host=host, port=port, access_log=access_log)


@cli.command()
def worker(
    no_watch: Annotated[bool, typer.Option("--no-watch")] = False,
    no_send: Annotated[bool, typer.Option("--no-send")] = False,
) -> None:
    """Run the projection follower without the API (beside several API processes)."""
    svc: Services | None = None
    # Ctrl-C stops it cleanly at any time, even while it is still starting.
    try:
        svc = services()
        svc.start_follower()
        svc.start_background("sealer", make_sealer(svc).run)
        if not no_watch:
            svc.start_background("watcher", Watcher(svc).run)
        if not no_send:
            svc.start_background("sender", SenderLoop(svc).run)
        console.print(
            "following the event log"
            + ("" if no_watch else ", watching deadlines")
            + ("" if no_send else ", sending notifications")
            + "; Ctrl-C stops"
        )
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        if svc is not None:
            svc.stop()


def log_is_empty(settings: Settings) -> bool:
    from domain.park import Park

    park = Park(settings.database)
    try:
        return park.log_head() == 0
    finally:
        park.close()


def run_demo(settings: Settings, scale: str, seed: int) -> None:
    from api.demo import write_demo

    with progress_bar(f"demo ({scale}, seed {seed})") as bar:
        task = bar.add_task("demo", total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        summary = write_demo(settings.database, seed=seed, scale=scale, progress=report)
    seal_database(settings)
    console.print(f"demo park written: {summary}")


@cli.command()
def demo(
    scale: Annotated[str, typer.Option(help="park | city | province")] = "park",
    seed: int = 7,
) -> None:
    """Write a deterministic synthetic park history through the Application."""
    if scale not in ("park", "city", "province"):
        raise fail(f"--scale must be park, city or province, not {scale!r}")
    run_demo(Settings.from_env(), scale, seed)


@cli.command()
def watch(
    once: Annotated[bool, typer.Option("--once", help="One round, then exit")] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Record what was due by this time (≤ now)")
    ] = None,
) -> None:
    """The deadline watcher: reminders, missed deadlines and rating invitations."""
    moment = None
    if as_of is not None:
        try:
            moment = datetime.fromisoformat(as_of)
        except ValueError:
            raise fail(
                f"--as-of {as_of!r} is not an ISO 8601 time such as 2026-10-10T09:00+08:00"
            ) from None
        if moment.tzinfo is None:
            raise fail("--as-of needs a UTC offset, e.g. 2026-10-10T09:00+08:00")
    svc = services()
    watcher = Watcher(svc)
    if not once:
        if moment is not None:
            raise fail("--as-of goes with --once")
        console.print("watching deadlines; Ctrl-C stops")
        stop = threading.Event()
        try:
            watcher.run(stop)
        except KeyboardInterrupt:
            stop.set()
        return
    with progress_bar("watching") as bar:
        task = bar.add_task("watch", total=None)
        noted = watcher.run_once(
            moment, lambda done, total: bar.update(task, completed=done, total=total)
        )
    for fact in noted:
        due = f" due {fact.due_at.isoformat()}" if fact.due_at else ""
        console.print(f"{fact.kind}: matter {fact.matter_id} {fact.step or ''}{due}")
    console.print(f"recorded {len(noted)} facts")


@notifications_cli.command("send")
def notifications_send(
    once: Annotated[bool, typer.Option("--once", help="One round, then exit")] = False,
) -> None:
    """Send the pending notifications (BAOBAO_SMS_SENDER) and record each delivery."""
    svc = services()
    loop = SenderLoop(svc)
    if not once:
        console.print("sending notifications; Ctrl-C stops")
        stop = threading.Event()
        try:
            loop.run(stop)
        except KeyboardInterrupt:
            stop.set()
        finally:
            svc.stop()
        return
    outcomes = loop.run_once()
    for outcome in outcomes:
        detail = f" ({outcome.detail})" if outcome.detail else ""
        console.print(
            f"{outcome.result}: {outcome.message_id} to {outcome.recipient}{detail}",
            markup=False,
            highlight=False,
        )
    delivered = sum(o.result == "delivered" for o in outcomes)
    console.print(f"delivered {delivered} of {len(outcomes)} messages")
    svc.stop()


@notifications_cli.command("list")
def notifications_list(
    status: Annotated[str | None, typer.Option(help="pending | delivered | failed")] = None,
    recipient: Annotated[
        str | None, typer.Option(help="unit:ID, enterprise:ID, window or supervisor")
    ] = None,
    limit: int = 100,
) -> None:
    """The outbox: each message, its recipient and what became of it."""
    from projections.outbox import STATUSES, outbox_page

    if status is not None and status not in STATUSES:
        raise fail(f"--status must be one of {', '.join(STATUSES)}, not {status!r}")
    svc = services()
    svc.settle()
    entries, more = outbox_page(svc.views, status=status, recipient=recipient, limit=limit)
    table = Table("id", "recipient", "status", "attempts", "text")
    for entry in entries:
        table.add_row(
            str(entry.message.id),
            entry.message.recipient,
            entry.status,
            str(entry.attempts),
            entry.message.text,
        )
    console.print(table)
    if more is not None:
        console.print(f"(first {limit}; use --limit for more)")
    svc.stop()


@token_cli.command("create")
def token_create(
    role: Annotated[
        str,
        typer.Option(
            help="admin, clerk, unit, leader, guarantor, enterprise, supervisor, hr, auditor"
        ),
    ],
    name: Annotated[str, typer.Option(help="Who holds it")],
    scope: Annotated[
        str | None, typer.Option(help="Unit, guarantor or enterprise id (scoped roles)")
    ] = None,
) -> None:
    """Print a new bearer token (only its hash is stored)."""
    svc = services()
    _, token = svc.park.issue_token(cli_act(), name, role, scope)
    print(token)


@projections_cli.command("status")
def projections_status() -> None:
    """Each projection's position and lag behind the log."""
    svc = services()
    head = svc.park.log_head()
    table = Table("projection", "position", "lag")
    for name, position in svc.follower.positions().items():
        table.add_row(name, str(position), str(head - position))
    console.print(f"event log head: {head}")
    console.print(table)


@projections_cli.command("rebuild")
def projections_rebuild(
    name: Annotated[str | None, typer.Argument()] = None,
    jobs: Annotated[
        int, typer.Option(min=1, help="processes: groups of projections rebuilt side by side")
    ] = 1,
) -> None:
    """Empty a projection (or all) and rebuild it from position 0."""
    svc = services()
    names = [name] if name else [p.name for p in svc.follower.projections]
    try:
        for each in names:
            svc.follower.reset(each)
    except KeyError as error:
        raise fail(str(error.args[0])) from None
    head = svc.park.log_head()
    with progress_bar("rebuilding " + ", ".join(names)) as bar:
        task = bar.add_task("rebuild", total=head)
        total = svc.follower.catch_up(lambda n: bar.advance(task, n), jobs=jobs)
    console.print(f"rebuilt {', '.join(names)} from {total} events")


@calendar_cli.command("publish")
def calendar_publish(
    year: int,
    file: Annotated[
        Path, typer.Argument(help='JSON: {"holidays": [...], "workdays": [...], "source": "..."}')
    ],
) -> None:
    """Publish a year's official schedule; provisional deadlines in it are recomputed."""
    from api.calendar_service import publish_year

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        holidays = [date.fromisoformat(d) for d in data["holidays"]]
        workdays = [date.fromisoformat(d) for d in data["workdays"]]
        source = str(data["source"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise fail(f"{file}: {error}") from None
    svc = services()
    version, changed = publish_year(svc, cli_act(), year, holidays, workdays, source)
    console.print(f"published {year} (calendar version {version}); recomputed {changed} matters")


def main() -> None:
    try:
        cli()
    except ConfigurationError as error:
        err.print(f"baobao: {error}", markup=False)
        sys.exit(2)
    except DomainError as error:
        err.print(f"baobao: {error.detail}", markup=False)
        sys.exit(2)
    except (PersistenceError, psycopg.OperationalError, sqlite3.OperationalError) as error:
        err.print(f"baobao: the database cannot be used: {error}", markup=False)
        sys.exit(2)


__all__ = ["SYSTEM", "main"]
