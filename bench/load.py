"""Driving load with wrk and accounting for where the CPU went."""

from __future__ import annotations

import json
import math
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
MARGIN = 1.5  # distinct lines reserved per line a sequential replay is expected to use


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
    warmup: int  # seconds, not measured, once per operation before its runs
    repeat: int = 1  # measured runs per operation, back to back; the median one is reported

    @property
    def seconds(self) -> int:
        """wrk's time on one operation: the warm-up and every run."""
        return self.warmup + self.repeat * self.duration


@dataclass(frozen=True)
class Target:
    """A server under load: where wrk sends requests, and whose CPU is accounted.

    `database_pids` is asked before and after each run: PostgreSQL backends come and go.
    """

    wrk: str
    url: str
    headers: list[str]
    server_pids: Sequence[int]
    database_pids: Callable[[], Sequence[int]] = list


@dataclass
class Replay:
    """A request file for requests.lua, and in sequential mode how far it has been used.

    Each sequential window (warm-up or run) starts at `offset`, the first line
    the previous one did not hand out, so no line is sent twice over an
    operation's windows. Before each window `top_up`, when given, is asked to
    make the file at least so many lines long: `offset` plus `MARGIN` times
    the lines every window left would use at `rate`, the fastest lines per
    second seen so far (or an estimate the caller starts it with). Should a
    window outrun that reserve, its requests past the end are counted as
    wrapped; the next window still starts after every line it handed out,
    so a warm-up's rate, once seen, keeps the measured runs clear.
    """

    path: Path
    mode: str = "random"
    offset: int = 0
    rate: float = 0.0
    top_up: Callable[[int], None] | None = None

    def reserve(self, seconds: int) -> None:
        """Have enough unused lines for `seconds` more of this replay."""
        if self.top_up is not None:
            self.top_up(self.offset + math.ceil(MARGIN * self.rate * seconds))

    def advance(self, figures: dict[str, float]) -> None:
        """Continue after the lines a window handed out, and learn its rate."""
        used = figures["next"] - self.offset
        self.rate = max(self.rate, used / (figures["duration_us"] / 1e6))
        self.offset = int(figures["next"])


@dataclass
class Result:
    """One operation's figures from one run; CPU shares are of the whole machine (all cores)."""

    op: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    # every run's req/s in run order; the figures above and below are the median run's
    runs_rps: list[float] = field(default_factory=list)
    # sequential requests of the measured runs that ran out of distinct targets
    wrapped: int = 0
    # 2xx answers, less the requests wrk counts as socket errors or timeouts
    # (those may or may not have reached the server); `measure` sums it over
    # the warm-up and every run, as `wrapped`
    succeeded: int = 0
    # what a write scenario stored over the same windows (bench.writes), None for a read
    written: int | None = None
    generator_cpu: float = 0.0
    server_cpu: float = 0.0
    database_cpu: float = 0.0
    other_cpu: float = 0.0
    worker_rss_mb: float = 0.0
    # CPU per request: robust on a busy machine, where req/s is not
    server_cpu_ms: float = 0.0
    database_cpu_ms: float = 0.0
    ratio: float | None = None
    bare_ratio: float | None = None  # req/s over the bare ceiling's
    cpu_ratio: float | None = None  # ceiling's CPU per request / (edm + database CPU per request)
    ceiling: str | None = None
    extra: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    def against(self, reference: Result, name: str, *, bare: Result) -> None:
        """Record this operation's throughput and CPU per request as ratios of
        `reference`, and its throughput as a ratio of the `bare` ceiling."""
        self.ratio = self.rps / reference.rps
        self.bare_ratio = self.rps / bare.rps
        self.ceiling = name
        spent = self.server_cpu_ms + self.database_cpu_ms
        self.cpu_ratio = reference.server_cpu_ms / spent if spent else None


def write_requests(path: Path, lines: list[tuple[str, str, str | None]]) -> Path:
    """A request file for requests.lua: METHOD<TAB>PATH[<TAB>BODY] per line."""
    path.write_text("".join(f"{m}\t{p}\t{b or ''}\n" for m, p, b in lines))
    return path


def _wrk(target: Target, replay: Replay, load: Load, seconds: int) -> dict[str, float]:
    command = [
        target.wrk,
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
    ]
    for header in target.headers:
        command += ["-H", header]
    command += [target.url, "--", str(replay.path), replay.mode]
    # Distinct for every wrk run, so that no two requests fill a body's "{unique}" alike.
    command += [str(replay.offset), str(load.threads), str(time.time_ns())]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    out = done.stdout
    report = [line for line in out.splitlines() if line.startswith("{")]
    if not report:
        raise RuntimeError(f"wrk printed no report:\n{out}")
    return json.loads(report[-1])


def _succeeded(figures: dict[str, float]) -> int:
    """2xx answers less the requests wrk saw fail on the socket or time out."""
    return max(
        0,
        int(
            figures["requests"]
            - figures["non_2xx"]
            - figures["socket_errors"]
            - figures["timeouts"]
        ),
    )


def _window(
    target: Target, replay: Replay, load: Load, seconds: int, left: int
) -> dict[str, float]:
    """wrk for `seconds`, with lines reserved for the `left` seconds of this and later windows."""
    replay.reserve(left)
    figures = _wrk(target, replay, load, seconds)
    replay.advance(figures)
    return figures


def _cpu_by_pid(pids: Sequence[int]) -> dict[int, float]:
    return {pid: cpu_seconds(pid) for pid in pids}


def _cpu_spent(pids: Sequence[int], before: dict[int, float]) -> float:
    """CPU used since `before` by `pids` (processes started since count from zero)."""
    return sum(max(0.0, cpu_seconds(pid) - before.get(pid, 0.0)) for pid in pids)


def _run(op: str, target: Target, replay: Replay, load: Load, left: int) -> Result:
    """One measured window, and where the machine's CPU went during it."""
    server_before = _cpu_by_pid(target.server_pids)
    database_before = _cpu_by_pid(target.database_pids())
    busy_before, _ = machine_busy_seconds()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    figures = _window(target, replay, load, load.duration, left)
    wall = time.monotonic() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    generator = (children.ru_utime - children_before.ru_utime) + (
        children.ru_stime - children_before.ru_stime
    )
    server = _cpu_spent(target.server_pids, server_before)
    database = _cpu_spent(target.database_pids(), database_before)
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
        succeeded=_succeeded(figures),
        generator_cpu=generator / capacity,
        server_cpu=server / capacity,
        database_cpu=database / capacity,
        other_cpu=max(0.0, busy - generator - server - database) / capacity,
        worker_rss_mb=max((rss_mb(pid) for pid in target.server_pids), default=0.0),
        server_cpu_ms=1000 * server / max(1, figures["requests"]),
        database_cpu_ms=1000 * database / max(1, figures["requests"]),
    )


def median_run(runs: list[Result]) -> Result:
    """The run with the median req/s (the lower middle one of an even count), whole.

    A real run rather than per-column medians, so that a row's latencies and
    CPU shares belong together; every run's req/s goes into `runs_rps`.
    """
    chosen = sorted(runs, key=lambda r: r.rps)[(len(runs) - 1) // 2]
    chosen.runs_rps = [r.rps for r in runs]
    return chosen


def measure(
    op: str, target: Target, replay: Replay, load: Load, settle: Callable[[], None] = lambda: None
) -> Result:
    """Warm up once, then `load.repeat` runs back to back: the median run (`median_run`).

    `settle` runs after each window, e.g. to let a server work off its backlog.
    """
    left = load.seconds
    succeeded = 0
    if load.warmup:
        succeeded += _succeeded(_window(target, replay, load, load.warmup, left))
        settle()
        left -= load.warmup
    runs = []
    for _ in range(load.repeat):
        runs.append(_run(op, target, replay, load, left))
        settle()
        left -= load.duration
    result = median_run(runs)
    result.wrapped = sum(r.wrapped for r in runs)
    result.succeeded = succeeded + sum(r.succeeded for r in runs)
    return result
