"""Worker processes that each accept their own share of the connections.

uvicorn's `--workers` shares one listening socket among its processes, and
asyncio accepts every connection pending when it wakes. Clients that open
their keep-alive connections together (a proxy's or an integration's
connection pool, a load generator) then often all land on one worker while
the others idle: with 16 connections and two workers, half of the runs of
a list-page load were served by one worker, at half the throughput of the
other half.

Here each worker binds a socket of its own with `SO_REUSEPORT`, and the
kernel spreads new connections over the workers' sockets by a hash of each
connection's addresses. The supervising process starts the workers, starts
a worker again when one dies, and stops them all on `SIGINT` or `SIGTERM`.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
from multiprocessing.context import SpawnProcess
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from edm.server.protocol import LimitedHttpToolsProtocol

logger = logging.getLogger("uvicorn.error")
_spawn = multiprocessing.get_context("spawn")
CHECK_INTERVAL_S = 0.5
SHUTDOWN_TIMEOUT_S = 30.0


class PortInUse(OSError):
    """Something already listens on the port, possibly another server's workers."""


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def claim_port(host: str, port: int) -> int:
    """The port the workers will share, after checking that nothing listens on it.

    The check binds without `SO_REUSEPORT`, which fails while any socket
    listens on the port, a `SO_REUSEPORT` group included: without it a
    second server started on a port in use would quietly share it with the
    first. Port 0 picks a free port.
    """
    with socket.socket(_family(host)) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUse(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from None
        return int(probe.getsockname()[1])


def _listening_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(_family(host))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _serve_one(options: dict[str, Any]) -> None:
    """A worker's whole life: its own socket, then uvicorn serving it."""
    config = uvicorn.Config(**options)  # configures this process's logging too
    try:
        sock = _listening_socket(config.host, config.port)
    except OSError as exc:
        logger.error("cannot listen on %s:%d: %s", config.host, config.port, exc.strerror)
        sys.exit(STARTUP_FAILURE)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the parent stops us
        pass
    except Exception:
        if server.started:
            raise
        logger.exception("Worker failed to start")
    if not server.started:
        # Tells the parent not to start another worker that would fail the same way.
        sys.exit(STARTUP_FAILURE)


class Workers:
    """`count` worker processes serving uvicorn `options` (which name host and port)."""

    def __init__(self, options: dict[str, Any], count: int) -> None:
        self._options = options
        self._count = count
        self._processes: list[SpawnProcess] = []
        self._stopping = threading.Event()
        self.failed = False

    def _start(self) -> SpawnProcess:
        process = _spawn.Process(target=_serve_one, args=(self._options,), name="edm-worker")
        process.start()
        return process

    def stop(self) -> None:
        self._stopping.set()

    def supervise(self) -> None:
        """Start the workers and keep them running until `stop` or one that cannot start."""
        self._processes = [self._start() for _ in range(self._count)]
        while not self._stopping.wait(CHECK_INTERVAL_S):
            for index, process in enumerate(self._processes):
                if process.is_alive() or self._stopping.is_set():
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    logger.error("Worker [%d] failed to start; stopping.", process.pid)
                    self.failed = True
                    self.stop()
                    break
                logger.warning(
                    "Worker [%d] exited (%s); starting another.", process.pid, process.exitcode
                )
                self._processes[index] = self._start()
        self._terminate()

    def _terminate(self) -> None:
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        for process in self._processes:
            process.join(SHUTDOWN_TIMEOUT_S)
            if process.is_alive():
                process.kill()
                process.join()


def serve_app(app: str, *, host: str, port: int, workers: int, **options: Any) -> None:
    """Serve `app` (an import string) with uvicorn from `workers` processes.

    One worker is uvicorn serving in this process; more are processes with
    a socket each, supervised from this one. Each runs EDM's HTTP protocol
    (`edm.server.protocol`) unless `options` name another `http`; `options`
    are further `uvicorn.Config` arguments. Raises `PortInUse` before
    starting anything when the port is taken, and exits with uvicorn's
    startup-failure status when a worker cannot start.
    """
    options.setdefault("http", LimitedHttpToolsProtocol)
    port = claim_port(host, port)
    if workers == 1:
        uvicorn.run(app, host=host, port=port, **options)
        return
    options = {"app": app, "host": host, "port": port, **options}
    uvicorn.Config(**options)  # the parent's logging, and the options checked before any spawn
    supervisor = Workers(options, workers)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: supervisor.stop())
    logger.info("Serving on http://%s:%d with %d worker processes", host, port, workers)
    supervisor.supervise()
    if supervisor.failed:
        sys.exit(STARTUP_FAILURE)
