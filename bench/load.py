"""Driving load with wrk and accounting for where the CPU went."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.processes import cpu_seconds, machine_busy_seconds, rss_mb

LUA = Path(__file__).with_name("wrk") / "requests.lua"
CPUS = os.cpu_count() or 1


def ensure_wrk() -> str:
    """The wrk binary, installed from Debian when missing (needs root)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("wrk is missing: install it (apt-get install wrk) or run as root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    return shutil.which("wrk") or "wrk"


@dataclass(frozen=True)
class Load:
    connections: int
    threads: int
    duration: int  # seconds (wrk's resolution)
    warmup: int  # seconds, not measured


@dataclass
class Result:
    """One operation's figures; CPU shares are of the whole machine (all cores)."""

    op: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    wrapped: int = 0  # sequential requests that ran out of distinct targets
    generator_cpu: float = 0.0
    server_cpu: float = 0.0
    database_cpu: float = 0.0
    other_cpu: float = 0.0
    worker_rss_mb: float = 0.0
    # CPU per request: robust on a busy machine, where req/s is not
    server_cpu_ms: float = 0.0
    database_cpu_ms: float = 0.0
    ratio: float | None = None
    cpu_ratio: float | None = None  # ceiling's CPU per request / (edm + database CPU per request)
    ceiling: str | None = None
    extra: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    def against(self, reference: Result, name: str) -> None:
        """Record this operation's throughput and CPU per request as ratios of `reference`."""
        self.ratio = self.rps / reference.rps
        self.ceiling = name
        spent = self.server_cpu_ms + self.database_cpu_ms
        self.cpu_ratio = reference.server_cpu_ms / spent if spent else None


def write_requests(path: Path, lines: list[tuple[str, str, str | None]]) -> Path:
    """A request file for requests.lua: METHOD<TAB>PATH[<TAB>BODY] per line."""
    path.write_text("".join(f"{m}\t{p}\t{b or ''}\n" for m, p, b in lines))
    return path


def _wrk(
    wrk: str, url: str, requests: Path, mode: str, load: Load, seconds: int, headers: list[str]
) -> dict[str, float]:
    command = [
        wrk,
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
    ]
    for header in headers:
        command += ["-H", header]
    command += [url, "--", str(requests), mode]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    out = done.stdout
    report = [line for line in out.splitlines() if line.startswith("{")]
    if not report:
        raise RuntimeError(f"wrk printed no report:\n{out}")
    return json.loads(report[-1])


def _cpu_by_pid(pids: Sequence[int]) -> dict[int, float]:
    return {pid: cpu_seconds(pid) for pid in pids}


def _cpu_spent(pids: Sequence[int], before: dict[int, float]) -> float:
    """CPU used since `before` by `pids` (processes started since count from zero)."""
    return sum(max(0.0, cpu_seconds(pid) - before.get(pid, 0.0)) for pid in pids)


def measure(
    op: str,
    wrk: str,
    url: str,
    requests: Path,
    *,
    load: Load,
    headers: list[str],
    server_pids: Sequence[int],
    database_pids: Callable[[], Sequence[int]] = list,
    mode: str = "random",
) -> Result:
    """Warm up, then drive `requests` for the load's duration and account for the CPU.

    `database_pids` is asked before and after: PostgreSQL backends come and go.
    """
    if load.warmup:
        _wrk(wrk, url, requests, mode, load, load.warmup, headers)
    server_before = _cpu_by_pid(server_pids)
    database_before = _cpu_by_pid(database_pids())
    busy_before, _ = machine_busy_seconds()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    figures = _wrk(wrk, url, requests, mode, load, load.duration, headers)
    wall = time.monotonic() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    generator = (children.ru_utime - children_before.ru_utime) + (
        children.ru_stime - children_before.ru_stime
    )
    server = _cpu_spent(server_pids, server_before)
    database = _cpu_spent(database_pids(), database_before)
    busy = machine_busy_seconds()[0] - busy_before
    capacity = wall * CPUS
    seconds = figures["duration_us"] / 1e6
    return Result(
        op=op,
        rps=figures["requests"] / seconds,
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        errors=int(figures["non_2xx"] + figures["socket_errors"] + figures["timeouts"]),
        requests=int(figures["requests"]),
        wrapped=int(figures["wrapped"]),
        generator_cpu=generator / capacity,
        server_cpu=server / capacity,
        database_cpu=database / capacity,
        other_cpu=max(0.0, busy - generator - server - database) / capacity,
        worker_rss_mb=max((rss_mb(pid) for pid in server_pids), default=0.0),
        server_cpu_ms=1000 * server / max(1, figures["requests"]),
        database_cpu_ms=1000 * database / max(1, figures["requests"]),
    )
