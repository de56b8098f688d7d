"""Repeated measurements: the median run, and sequential replays that never reuse a line."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from bench.dataset import Request
from bench.load import Load, Replay, Result, Target, ensure_wrk, measure, median_run, write_requests


def _result(rps: float, p99_ms: float) -> Result:
    return Result(op="get", rps=rps, p50_ms=1.0, p99_ms=p99_ms, errors=0, requests=1)


def test_median_run_is_one_whole_run_with_every_runs_rate() -> None:
    runs = [_result(300, 3.0), _result(100, 1.0), _result(500, 5.0), _result(200, 2.0)]

    chosen = median_run([*runs, _result(400, 4.0)])

    assert (chosen.rps, chosen.p99_ms) == (300, 3.0)
    assert chosen.runs_rps == [300, 100, 500, 200, 400]  # in run order
    assert median_run(runs).rps == 200  # the lower middle one of an even count


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as wrk expects
    paths: ClassVar[list[str]] = []  # every request's path, across connections

    def do_POST(self) -> None:
        self.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.paths = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_sequential_replay_sends_each_line_once_over_warmup_and_runs(
    tmp_path: Path, server: str
) -> None:
    lines: list[Request] = [("POST", f"/close/{i}", None) for i in range(100)]
    asked: list[int] = []

    def top_up(wanted: int) -> None:
        """Over-provision as CloseTargets does, more so: the test server's rate varies."""
        asked.append(wanted)
        lines.extend(("POST", f"/close/{i}", None) for i in range(len(lines), 3 * wanted))
        write_requests(path, lines)

    path = write_requests(tmp_path / "close.txt", lines)
    replay = Replay(path, "sequential", rate=100.0, top_up=top_up)
    target = Target(ensure_wrk(), server, [], server_pids=[])

    result = measure("close", target, replay, Load(4, 2, duration=1, warmup=1, repeat=2))

    assert len(result.runs_rps) == 2
    assert asked[0] == 450  # 1.5 x 100 lines/s x 3 s, before the warm-up
    assert asked[1] > asked[0]  # before the first run, at the warm-up's rate
    assert result.wrapped == 0
    numbers = [int(p.rsplit("/", 1)[1]) for p in _Recorder.paths]
    # The warm-up may outrun its 1,350 lines and start them again; the runs come after them.
    runs = [n for n in numbers if n >= 3 * asked[0]]
    assert len(runs) == len(set(runs)) > result.requests
    assert replay.offset > max(numbers)
