"""A hostile token cannot grow a worker's memory (SPEC 4, bounded cost).

Against a real `edm serve`: the same valid token padded with spaces into
thousands of distinct headers, then thousands of distinct invalid tokens,
twice over. The verified-token cache is keyed by the token and bounded in
bytes, so the worker's resident memory stays within a bound, and another
tenant's requests are served promptly all along.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from uuid import uuid4

import httpx

from edm.server.auth import mint_token

TICKETS = "/api/v1/helpdesk/tickets"
ROUNDS = 2
PADDED_HEADERS = 1000  # per round; each a distinct header over 32 KiB
INVALID_TOKENS = 500  # per round
MAX_GROWTH_MB = 50
MAX_VICTIM_LATENCY_S = 2.0


def serving_rss_mb(pid: int) -> float:
    """Resident memory of `pid` and its worker processes, if any."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        pids += [int(child) for child in (task / "children").read_text().split()]
    total_kb = 0
    for each in pids:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
    return total_kb / 1024


class Victim(threading.Thread):
    """Another tenant listing its tickets until stopped; the latency of each request."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url, self.token = url, token
        self.latencies: list[float] = []
        self.statuses: list[int] = []
        self.done = threading.Event()

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self.done.is_set():
                started = time.monotonic()
                status = client.get(TICKETS, headers=headers).status_code
                self.latencies.append(time.monotonic() - started)
                self.statuses.append(status)
                time.sleep(0.05)


def test_padded_and_invalid_tokens_do_not_grow_the_worker(live_server, mint) -> None:
    server = live_server()
    attacker = mint(tenant_id=f"attacker-{uuid4().hex[:8]}", subject="mallory")
    invalid_signature = mint_token("not-the-servers-secret-" + "x" * 32, tenant_id="t", subject="m")
    victim = Victim(server.url, mint(tenant_id=f"victim-{uuid4().hex[:8]}", subject="alice"))
    statuses: set[int] = set()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for _ in range(20):  # warm: the first requests build what every later one reuses
            assert client.get(TICKETS, headers={"Authorization": f"Bearer {attacker}"}).is_success
        before = serving_rss_mb(server.process.pid)
        victim.start()
        for round_ in range(ROUNDS):
            for n in range(round_ * PADDED_HEADERS, (round_ + 1) * PADDED_HEADERS):
                padded = "Bearer" + " " * (32 * 1024 + n) + attacker
                statuses.add(client.get(TICKETS, headers={"Authorization": padded}).status_code)
            for n in range(INVALID_TOKENS):
                forged = f"{invalid_signature}{n:x}" + "A" * 4000
                statuses.add(
                    client.get(TICKETS, headers={"Authorization": f"Bearer {forged}"}).status_code
                )
        after = serving_rss_mb(server.process.pid)
        victim.done.set()
        victim.join()

    growth = after - before
    print(
        f"worker RSS {before:.0f} -> {after:.0f} MB (+{growth:.1f}); victim: "
        f"{len(victim.latencies)} requests, slowest {max(victim.latencies):.3f} s"
    )
    assert growth < MAX_GROWTH_MB
    # Padded headers are refused (401, or 431 where the header is too large);
    # invalid tokens are 401 until their address is limited (429).
    assert statuses <= {401, 429, 431}
    assert set(victim.statuses) == {200}
    assert max(victim.latencies) < MAX_VICTIM_LATENCY_S
