"""`baobao audit …` and `baobao projections verify`: exit 0 ok, 1 a check failed, 2 usage."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from api.audit import Ledger, verify
from api.services import Services
from api.settings import Settings
from domain.storage import ConfigurationError
from projections.chain import Report

audit_cli = typer.Typer(help="The tamper-evident event log.", no_args_is_help=True)

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"baobao: {message}", markup=False, highlight=False)
    return typer.Exit(code)


def bar(label: str) -> Progress:
    return Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err
    )


def open_services() -> Services:
    try:
        return Services(Settings.from_env())
    except ConfigurationError as error:
        raise fail(str(error)) from None


def conclude(report: Report) -> None:
    out.print_json(json.dumps(report.as_dict()))
    if not report.ok:
        raise fail(f"position {report.first_bad_position}: {report.problem}", 1)


@contextmanager
def open_ledger() -> Iterator[Ledger]:
    """The log and its views, without starting the application (which may not load)."""
    try:
        with Ledger.open(Settings.from_env()) as ledger:
            yield ledger
    except ConfigurationError as error:
        raise fail(str(error)) from None


@audit_cli.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain from the stored events; check the seals and every checkpoint."""
    with open_ledger() as ledger:
        if ledger.public_key() is None:
            err.print("baobao: no signing key yet: checkpoints cannot be checked", markup=False)
        with bar("verifying") as progress:
            task = progress.add_task("verify", total=ledger.park.log_head())
            report = verify(ledger, lambda n: progress.advance(task, n))
    conclude(report)


@audit_cli.command("seal")
def audit_seal() -> None:
    """Seal the log up to its head and sign a checkpoint (what `serve` does as it goes)."""
    with open_ledger() as ledger, bar("sealing") as progress:
        task = progress.add_task("seal", total=ledger.park.log_head())
        count = ledger.sealer().catch_up(lambda n: progress.advance(task, n))
    out.print(f"sealed {count} new events")


@audit_cli.command("export")
def audit_export(folder: Annotated[Path, typer.Argument(help="Where to write the bundle")]) -> None:
    """Write an offline bundle: events.jsonl, checkpoints.jsonl, public_key.pem, manifest.json."""
    from api.audit_bundle import export_bundle

    with open_ledger() as ledger:
        try:
            with bar(f"exporting to {folder}") as progress:
                task = progress.add_task("export", total=ledger.park.log_head())
                manifest = export_bundle(ledger, folder, lambda n: progress.advance(task, n))
        except OSError as error:
            raise fail(str(error)) from None
    out.print(f"wrote {manifest['events']} events, head {manifest['head']}, to {folder}")


@audit_cli.command("verify-bundle")
def audit_verify_bundle(
    folder: Annotated[Path, typer.Argument(help="A folder written by `baobao audit export`")],
    key: Annotated[
        Path | None, typer.Option(help="The public key you trust (PEM); default: the bundle's")
    ] = None,
) -> None:
    """Check a bundle with no database and no network."""
    from api.audit_bundle import verify_bundle

    if not folder.is_dir():
        raise fail(f"{folder} is not a folder")
    total: Any = None
    try:
        total = json.loads((folder / "manifest.json").read_bytes()).get("events")
    except (OSError, ValueError, AttributeError):
        total = None
    try:
        with bar(f"checking {folder}") as progress:
            task = progress.add_task("check", total=total if isinstance(total, int) else None)
            report = verify_bundle(folder, lambda n: progress.advance(task, n), key)
    except (ConfigurationError, OSError) as error:
        raise fail(str(error)) from None
    conclude(report)


def projections_verify() -> None:
    """Rebuild every projection beside the live one, to its position, and compare digests."""
    from api.projection_verify import verify_projections

    svc = open_services()
    try:
        with bar("rebuilding beside the live views") as progress:
            task = progress.add_task("rebuild", total=svc.park.log_head())
            checks = verify_projections(svc, lambda n: progress.advance(task, n))
    finally:
        svc.stop()
    table = Table("projection", "position", "live digest", "rebuilt digest", "")
    for check in checks:
        verdict = "ok" if check.ok else ("no digest" if check.live is None else "DIFFERS")
        table.add_row(check.name, str(check.position), check.live, check.rebuilt, verdict)
    out.print(table)
    differ = [c.name for c in checks if c.live is not None and not c.ok]
    missing = [c.name for c in checks if c.live is None]
    if missing:
        err.print(f"baobao: no digest(), not checked: {', '.join(missing)}", markup=False)
    if differ:
        raise fail(f"rebuilt projections differ from the live ones: {', '.join(differ)}", 1)
