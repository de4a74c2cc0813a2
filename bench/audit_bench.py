"""Time sealing, verification, export and bundle checking on the demo park.

.venv/bin/python -m bench.audit_bench [sqlite|postgresql://user@host:port/db]
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

from api.audit import Ledger, verify
from api.audit_bundle import export_bundle, verify_bundle
from api.demo import write_demo
from domain.park import Park
from domain.storage import parse_database_url
from projections.sql import ViewDatabase


def timed(label: str, run: Callable[[], Any], events: int) -> Any:
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    print(f"{label:<28} {seconds:7.2f} s  {events / seconds:10,.0f} events/s")
    return result


def main(target: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="baobao-bench-"))
    schema = None
    if target == "sqlite":
        url = f"sqlite:///{folder}/bench.db"
    else:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{target}?schema={schema}"
    database = parse_database_url(url)
    summary = write_demo(database, seed=7, scale="park")
    park, views = Park(database), ViewDatabase(database)
    events = park.log_head()
    print(f"{target}: {events} events (demo park: {summary.matters} matters)")
    ledger = Ledger(park, views, str(folder / "signing.key"))
    timed("seal (catch up + sign)", lambda: ledger.sealer().catch_up(), events)
    report = timed("verify (database)", lambda: verify(ledger), events)
    assert report.ok, report
    timed("export bundle", lambda: export_bundle(ledger, folder / "bundle"), events)
    report = timed("verify-bundle (offline)", lambda: verify_bundle(folder / "bundle"), events)
    assert report.ok, report
    views.close()
    park.close()
    if schema is not None:
        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "sqlite")
