"""The read benchmark's reading of wrk's report: what it records is what wrk measured."""

from __future__ import annotations

import pytest

from bench.read import parse_wrk, wrk_ms

REPORT = """Running 5s test @ http://127.0.0.1:40321/v1/assessments?period=2026-10&limit=100
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.54ms    2.16ms  21.42ms   80.06%
    Req/Sec     2.38k   312.11     3.01k    71.00%
  Latency Distribution
     50%    2.75ms
     75%  812.00us
     90%    5.12ms
     99%    1.02s
  23721 requests in 5.01s, 1.83GB read
  Non-2xx or 3xx responses: 3
Requests/sec:   4730.92
Transfer/sec:    373.95MB
"""


def test_a_wrk_report_gives_its_percentiles_in_milliseconds_and_its_errors() -> None:
    parsed = parse_wrk(REPORT)
    assert parsed["requests"] == 23721
    assert parsed["requests_per_s"] == pytest.approx(4730.92)
    assert parsed["p50_ms"] == pytest.approx(2.75)
    assert parsed["p90_ms"] == pytest.approx(5.12)
    assert parsed["p99_ms"] == pytest.approx(1020.0)
    assert parsed["errors"] == 3
    assert wrk_ms("812.00us") == pytest.approx(0.812)


def test_a_report_without_figures_is_an_error_not_a_zero() -> None:
    with pytest.raises(RuntimeError, match="wrk said"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")
