"""read: the HR ranking, an explanation and the overdue matter list under 16 clients.

.venv/bin/python -m bench.read [--db sqlite|postgres] [--quick] [--seconds S]

On the city's history (quick: its first two months), caught up and sealed before the server
starts. The baseline is the same three reads called in this process on the same views, one at
a time (no HTTP, no concurrency).

The 16 clients are closed loops, each on its own kept-alive connection, measuring from sending
a request to having read the whole answer. Where `wrk` is installed (`make bench` installs it
where apt-get can) they are wrk's 16 connections on 2 threads, one run per read, each the
given seconds: a load generator in C takes little of the two cores the server shares with it.
Without wrk they are 16 threads of this process on the standard library's http.client, each
going round the three reads; their latencies then include waiting for this process's GIL. The
CPU the clients used is recorded beside the figures (`client_cpu_per_s`), and which of the two
ran (`load_generator`).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import threading
import time
from datetime import datetime
from http.client import HTTPConnection
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench.common import (
    RESULTS,
    UNTIL,
    demo_into,
    percentile,
    prepare,
    print_table,
    pyplot,
    scratch_database,
    server,
    token,
    write_result,
)
from domain.calendar import SHANGHAI

CLIENTS = 16
TARGET_MS = 20.0


def reads(period: str, guarantor: str) -> dict[str, str]:
    return {
        "ranking": f"/v1/assessments?period={period}&limit=100",
        "explanation": f"/v1/assessments/{period}/guarantors/{guarantor}",
        "overdue": "/v1/matters?overdue=true&limit=50",
    }


def in_process(url: str, period: str, guarantor: str, rounds: int) -> dict[str, Any]:
    """The same reads without HTTP: the routes' own functions, with what they keep between
    requests (scores, pages) kept as the server keeps them."""
    from uuid import UUID

    from starlette.requests import Request

    from api.routes.assessments import explanation, ranking, scored
    from api.routes.matters import list_matters
    from api.services import Caller, Services
    from api.settings import Settings
    from domain.period import Period

    os.environ["BAOBAO_DATABASE_URL"] = url
    svc = Services(Settings.from_env())
    parsed = Period.parse(period)
    hr = Caller("bench-hr", "bench hr", "hr", None)
    supervisor = Caller("bench-supervisor", "bench supervisor", "supervisor", None)

    def rank() -> None:
        ranking(scored(svc, parsed, None, None), parsed, None, None, 100, None, None)

    def explain() -> None:
        explanation(explained, period, UUID(guarantor), svc, hr)

    def request(path: str, query: bytes = b"") -> Request:
        scope = {"type": "http", "method": "GET", "path": path, "query_string": query}
        return Request({**scope, "headers": []})

    explained = request(f"/v1/assessments/{period}/guarantors/{guarantor}")
    listed = request("/v1/matters", b"overdue=true&limit=50")

    def overdue() -> None:
        list_matters(listed, svc, supervisor, overdue=True, limit=50)

    started = time.perf_counter()
    rank()
    cold = (time.perf_counter() - started) * 1000
    out: dict[str, Any] = {"cold_ranking_ms": cold}
    for name, call in (("ranking", rank), ("explanation", explain), ("overdue", overdue)):
        latencies = []
        for _ in range(rounds):
            t = time.perf_counter()
            call()
            latencies.append((time.perf_counter() - t) * 1000)
        out[name] = {"p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99)}
    svc.stop()
    return out


def client_loop(
    base: str,
    paths: list[tuple[str, str, str]],
    stop: threading.Event,
    out: dict[str, list[float]],
    errors: list[str],
) -> None:
    """One closed-loop client on one kept-alive connection: the next request when the last
    answer has been read in full."""
    address = urlsplit(base)
    http = HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=60)
    try:
        n = 0
        while not stop.is_set():
            name, path, bearer = paths[n % len(paths)]
            n += 1
            t = time.perf_counter()
            http.request("GET", path, headers={"Authorization": f"Bearer {bearer}"})
            response = http.getresponse()
            body = response.read()
            out[name].append((time.perf_counter() - t) * 1000)
            if response.status != 200:
                errors.append(f"{name}: {response.status} {body[:200]!r}")
    finally:
        http.close()


def under_load(
    base: str, bearers: dict[str, str], period: str, guarantor: str, seconds: float
) -> dict[str, Any]:
    """16 clients, each going round the three reads (HR's two, the supervisor's overdue list)."""
    paths = [(name, path, bearers[name]) for name, path in reads(period, guarantor).items()]
    stop = threading.Event()
    outs: list[dict[str, list[float]]] = [
        {name: [] for name, _, _ in paths} for _ in range(CLIENTS)
    ]
    errors: list[str] = []
    threads = [
        threading.Thread(
            target=client_loop,
            args=(base, paths[i % 3 :] + paths[: i % 3], stop, outs[i], errors),
        )
        for i in range(CLIENTS)
    ]
    started = time.perf_counter()
    cpu = os.times()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    used = os.times()
    result: dict[str, Any] = {
        "clients": CLIENTS,
        "client_cpu_per_s": round((used.user + used.system - cpu.user - cpu.system) / elapsed, 3),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }
    total = 0
    for name, _, _ in paths:
        every = [x for out in outs for x in out[name]]
        total += len(every)
        result[name] = {
            "requests": len(every),
            "p50_ms": percentile(every, 50),
            "p99_ms": percentile(every, 99),
        }
    result["requests_per_s"] = total / elapsed
    return result


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def wrk_ms(text: str) -> float:
    """A latency as wrk prints it (`812.00us`, `3.54ms`, `1.02s`) in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"not a wrk latency: {text!r}")
    return float(match.group(1)) * UNITS_MS[match.group(2)]


def wrk_run(base: str, path: str, bearer: str, seconds: float) -> dict[str, Any]:
    """One read under CLIENTS connections of wrk; its percentiles, rate and errors."""
    command = ["wrk", "-t2", f"-c{CLIENTS}", f"-d{seconds:.0f}s", "--latency", "--timeout", "10s"]
    command += ["-H", f"Authorization: Bearer {bearer}", f"{base}{path}"]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> dict[str, Any]:
    """What `wrk --latency` printed: requests, their rate, percentiles and errors."""
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", out, re.M))
    requests = re.search(r"^\s+(\d+) requests in", out, re.M)
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)$", out, re.M)
    if not percentiles or requests is None or rate is None:
        raise RuntimeError(f"wrk said:\n{out}")
    return {
        "requests": int(requests.group(1)),
        "requests_per_s": float(rate.group(1)),
        "p50_ms": wrk_ms(percentiles["50"]),
        "p90_ms": wrk_ms(percentiles["90"]),
        "p99_ms": wrk_ms(percentiles["99"]),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else None,
    }


def under_wrk(
    base: str, bearers: dict[str, str], period: str, guarantor: str, seconds: float
) -> dict[str, Any]:
    """Each read in turn under CLIENTS connections of wrk."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    elapsed = 0.0
    result: dict[str, Any] = {"clients": CLIENTS, "load_generator": "wrk"}
    for name, path in reads(period, guarantor).items():
        started = time.perf_counter()
        result[name] = wrk_run(base, path, bearers[name], seconds)
        elapsed += time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    result["client_cpu_per_s"] = round(used / elapsed, 3)
    result["errors"] = sum(result[name]["errors"] for name in ("ranking", "explanation", "overdue"))
    result["requests_per_s"] = (
        sum(result[name]["requests_per_s"] for name in ("ranking", "explanation", "overdue")) / 3
    )
    return result


def chart(name: str, base: dict[str, Any], loaded: dict[str, Any]) -> None:
    plt = pyplot()
    if plt is None:
        return
    kinds = ["ranking", "explanation", "overdue"]
    fig, ax = plt.subplots(figsize=(8, 4))
    x = range(len(kinds))
    ax.bar(
        [i - 0.3 for i in x],
        [base[k]["p99_ms"] for k in kinds],
        0.2,
        label="in-process p99",
        color="grey",
    )
    ax.bar(
        [i - 0.1 for i in x],
        [loaded[k]["p50_ms"] for k in kinds],
        0.2,
        label=f"HTTP p50, {CLIENTS} clients",
    )
    ax.bar(
        [i + 0.1 for i in x],
        [loaded[k]["p99_ms"] for k in kinds],
        0.2,
        label=f"HTTP p99, {CLIENTS} clients",
    )
    ax.axhline(TARGET_MS, color="red", ls=":", label="target p99 (ranking, explanation)")
    ax.set_xticks(list(x), kinds)
    ax.set(ylabel="ms", yscale="log", title=name)
    ax.legend()
    fig.tight_layout()
    fig.savefig(RESULTS / f"{name}.png", dpi=100)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="the city's first two months, 5 s")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument(
        "--threads", action="store_true", help="clients as threads of this process, not wrk"
    )
    args = parser.parse_args()
    seconds = args.seconds or (5.0 if args.quick else 20.0)
    until = datetime(2026, 3, 1, tzinfo=SHANGHAI) if args.quick else UNTIL
    period = "2026-02" if args.quick else "2026-10"
    name = f"read-{args.db}"
    with scratch_database(args.db) as scratch:
        data = demo_into(scratch, "city", until)
        prepare(scratch)
        hr = token(scratch.url, "hr")
        supervisor = token(scratch.url, "supervisor")
        with server(scratch) as url:
            with httpx.Client(
                base_url=url, timeout=120, headers={"Authorization": f"Bearer {hr}"}
            ) as http:
                t = time.perf_counter()
                first = http.get(reads(period, "x")["ranking"]).json()
                cold = (time.perf_counter() - t) * 1000
            guarantor = first["items"][0]["guarantor_id"]
            base = in_process(scratch.url, period, guarantor, 30)
            # HR reads the ranking and explanations; the overdue list is a supervisor's.
            bearers = {"ranking": hr, "explanation": hr, "overdue": supervisor}
            if shutil.which("wrk") and not args.threads:
                loaded = under_wrk(url, bearers, period, guarantor, seconds)
            else:
                loaded = under_load(url, bearers, period, guarantor, seconds)
                loaded["load_generator"] = "threads (http.client)"
    print_table(
        f"{name}: city to {until:%Y-%m-%d}, period {period}, {CLIENTS} clients, {seconds:.0f} s",
        ("read", "in-process p50", "in-process p99", "HTTP p50", "HTTP p99", "requests"),
        [
            (
                k,
                base[k]["p50_ms"],
                base[k]["p99_ms"],
                loaded[k]["p50_ms"],
                loaded[k]["p99_ms"],
                loaded[k]["requests"],
            )
            for k in ("ranking", "explanation", "overdue")
        ],
    )
    print(
        f"first (cold) ranking over HTTP: {cold:,.0f} ms; "
        f"in process: {base['cold_ranking_ms']:,.0f} ms"
    )
    value = max(loaded["ranking"]["p99_ms"], loaded["explanation"]["p99_ms"])
    baseline = max(base["ranking"]["p99_ms"], base["explanation"]["p99_ms"])
    met = value <= TARGET_MS and loaded["errors"] == 0
    if loaded["errors"]:
        print(f"{loaded['errors']} requests were not answered 200: {loaded.get('first_error')}")
    path = write_result(
        name,
        value=value,
        unit=f"ms, p99 of the ranking and the explanation under {CLIENTS} clients (worst)",
        baseline=baseline,
        target=f"p99 ≤ {TARGET_MS:.0f} ms for the ranking and the explanation",
        met=met,
        details={
            "period": period,
            "cold_ranking_ms": cold,
            "data": data,
            "in_process": base,
            "http": loaded,
        },
    )
    chart(name, base, loaded)
    print(f"\n{path}: p99 {value:.1f} ms (in-process {baseline:.1f} ms), target met: {met}")


if __name__ == "__main__":
    main()
