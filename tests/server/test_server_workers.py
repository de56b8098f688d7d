"""Several worker processes share the connections, survive a crash and stop together.

The servers here run a tiny app that answers with its process id, so a
test can tell which worker served each connection.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from edm.server.workers import STARTUP_FAILURE
from live_server import EDM, free_port

PID_APP = """
import os


async def app(scope, receive, send):
    body = str(os.getpid()).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})
"""
CONNECTIONS = 16
TIMEOUT_S = 30.0


class Workers:
    """`serve_app` of the pid app, in a process of its own like `edm serve`."""

    def __init__(self, cwd: Path, *, workers: int = 2, app: str = "pid_app:app") -> None:
        (cwd / "pid_app.py").write_text(PID_APP)
        self.count = workers
        self.port = free_port()
        self.log = cwd / f"workers-{self.port}.log"
        code = (
            "from edm.server.workers import serve_app; "
            f"serve_app({app!r}, host='127.0.0.1', port={self.port}, workers={workers}, "
            "lifespan='off', log_level='info')"
        )
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-c", code], cwd=cwd, stdout=out, stderr=subprocess.STDOUT
            )

    def wait_ready(self) -> None:
        """Until every worker serves: one that is still starting gets no connection."""
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if len(self.pids_serving()) == self.count:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"not every worker serving:\n{self.log.read_text()}")

    def pids_serving(self, connections: int = CONNECTIONS) -> set[int]:
        """Open `connections` at once, as a client's pool does, then ask each who serves it."""
        opened = [
            http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            for _ in range(connections)
        ]
        try:
            for connection in opened:
                connection.connect()
            pids = set()
            for connection in opened:
                connection.request("GET", "/")
                pids.add(int(connection.getresponse().read()))
            return pids
        finally:
            for connection in opened:
                connection.close()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=TIMEOUT_S)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    server = Workers(tmp_path)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_connections_opened_together_are_spread_over_the_workers(workers):
    # With one socket shared by the workers, a pool opened at once often all
    # went to whichever worker woke first.
    for _ in range(3):
        assert len(workers.pids_serving()) == 2


def test_a_worker_that_dies_is_replaced(workers):
    before = workers.pids_serving()
    killed = before.pop()
    os.kill(killed, signal.SIGKILL)
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            now = workers.pids_serving()
        except OSError:  # a connection the dying worker had accepted
            now = set()
        if len(now) == 2 and killed not in now:
            assert before <= now
            return
        time.sleep(0.2)
    raise AssertionError(f"no replacement for worker {killed}:\n{workers.log.read_text()}")


def test_stopping_the_server_stops_every_worker(workers):
    pids = workers.pids_serving()
    assert workers.stop() == 0
    deadline = time.monotonic() + TIMEOUT_S
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids)


def test_a_worker_that_cannot_start_stops_the_server(tmp_path):
    server = Workers(tmp_path, app="pid_app:missing")
    assert server.process.wait(timeout=TIMEOUT_S) == STARTUP_FAILURE
    assert "missing" in server.log.read_text()


def _serve_on(cwd: Path, port: int, workers: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EDM, "serve", "--port", str(port), "--workers", str(workers)],
        cwd=cwd,
        env={**os.environ, "EDM_JWT_SECRET": "x" * 40},
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )


def _assert_refused(result: subprocess.CompletedProcess[str], port: int) -> None:
    """Refused in one line, before announcing itself or touching a database."""
    assert result.returncode == 1
    assert result.stdout == ""
    assert (
        result.stderr.strip() == f"error: cannot listen on 127.0.0.1:{port}: Address already in use"
    )


@pytest.mark.parametrize("count", [1, 2])
def test_serve_refuses_the_port_of_running_workers(tmp_path, workers, count):
    # Without the check, a second server's workers would join the first's
    # and quietly share its connections.
    _assert_refused(_serve_on(tmp_path, workers.port, count), workers.port)
    assert not (tmp_path / "edm.db").exists()
    assert len(workers.pids_serving()) == 2


def test_serve_refuses_a_port_another_program_listens_on(tmp_path):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        _assert_refused(_serve_on(tmp_path, port, 2), port)
