"""Faults under write load: the database disappears, the server is killed.

Every ticket acknowledged with a 201 must be stored afterwards, numbers must
stay unique, and the server must recover by itself.
"""

from __future__ import annotations

import signal
import threading
import time
from dataclasses import dataclass, field
from uuid import uuid4

import httpx
import pytest
from sqlalchemy.engine import make_url
from tcp_proxy import TcpProxy

TICKETS = "/api/v1/helpdesk/tickets"
WRITERS = 6


@dataclass
class Load:
    """Writers creating tickets until stopped; what the server acknowledged."""

    base_url: str
    headers: dict[str, str]
    acknowledged: dict[str, str] = field(default_factory=dict)  # id -> number
    statuses: list[tuple[float, int]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def retarget(self, base_url: str) -> None:
        self.base_url = base_url

    def _write(self, writer: int) -> None:
        sequence = 0
        while not self.stop.is_set():
            sequence += 1
            try:
                response = httpx.post(
                    self.base_url + TICKETS,
                    json={"title": f"w{writer}-{sequence}"},
                    headers=self.headers,
                    timeout=10,
                )
            except httpx.TransportError:
                status = 0
                time.sleep(0.05)
            else:
                status = response.status_code
                if status == 201:
                    body = response.json()
                    with self.lock:
                        self.acknowledged[body["id"]] = body["number"]
                elif status == 503:
                    assert response.headers["content-type"] == "application/problem+json"
                    assert "Retry-After" in response.headers
                    time.sleep(0.05)
            with self.lock:
                self.statuses.append((time.monotonic(), status))

    def __enter__(self) -> Load:
        self.threads = [
            threading.Thread(target=self._write, args=(n,), daemon=True) for n in range(WRITERS)
        ]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def stored_numbers(base_url: str, headers: dict[str, str]) -> dict[str, str]:
    stored: dict[str, str] = {}
    cursor = None
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        while True:
            params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
            page = client.get(TICKETS, params=params).json()
            stored |= {t["id"]: t["number"] for t in page["data"]}
            if not page["has_more"]:
                return stored
            cursor = page["next_cursor"]


def assert_nothing_acknowledged_was_lost(load: Load, base_url: str) -> None:
    stored = stored_numbers(base_url, load.headers)
    assert load.acknowledged, "the load produced no acknowledged writes"
    missing = set(load.acknowledged) - set(stored)
    assert not missing, f"{len(missing)} acknowledged tickets were lost"
    assert all(stored[i] == n for i, n in load.acknowledged.items())
    assert len(set(stored.values())) == len(stored), "a number was given twice"


@pytest.fixture
def headers(mint) -> dict[str, str]:
    return {"Authorization": "Bearer " + mint(tenant_id=f"fault-{uuid4().hex[:8]}", subject="w")}


def test_database_outage_under_write_load_loses_nothing_and_recovers(
    database_url, live_server, headers
):
    if not database_url.startswith("postgresql"):
        pytest.skip("an unreachable database server needs PostgreSQL")
    url = make_url(database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    try:
        proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
        server = live_server(EDM_DATABASE_URL=proxied)
        with Load(server.url, headers) as load:
            time.sleep(1.0)
            proxy.cut()
            cut_at = time.monotonic()
            time.sleep(2.0)
            ready = httpx.get(server.url + "/readyz", timeout=10)
            assert ready.status_code == 503
            proxy.restore()
            restored_at = time.monotonic()
            time.sleep(2.0)
        during = [s for t, s in load.statuses if cut_at + 0.5 < t < restored_at]
        assert during and set(during) <= {503}
        recovered = [t for t, s in load.statuses if t > restored_at and s == 201]
        assert recovered, "the server did not recover after the database came back"
        assert httpx.get(server.url + "/readyz", timeout=10).status_code == 200
        assert_nothing_acknowledged_was_lost(load, server.url)
        print(
            f"outage: {len(load.acknowledged)} acknowledged, {len(during)} answered 503 while "
            f"down, first 201 {recovered[0] - restored_at:.3f} s after the database returned"
        )
    finally:
        proxy.close()


def test_server_killed_mid_load_loses_nothing_acknowledged(live_server, headers):
    server = live_server()
    with Load(server.url, headers) as load:
        time.sleep(1.0)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        restarted = live_server()
        load.retarget(restarted.url)
        time.sleep(1.0)
    assert_nothing_acknowledged_was_lost(load, restarted.url)
    assert {s for _, s in load.statuses} <= {0, 201}
    refused = sum(1 for _, s in load.statuses if s == 0)
    print(f"SIGKILL: {len(load.acknowledged)} acknowledged, {refused} refused while down, 0 lost")
