"""What a connection can cost a real `edm serve` worker (SPEC 4, "Bounded cost").

Hostile clients over raw sockets: headers too large to hold, heads trickled
byte by byte, more connections than a worker takes, and responses nobody
reads. Each is bounded by the server, and another tenant keeps being served.
"""

from __future__ import annotations

import json
import select
import socket
import time
from contextlib import ExitStack, suppress
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

TICKETS = "/api/v1/helpdesk/tickets"
MIB = 1024 * 1024
TCP_ESTABLISHED = 1
WIDE_DESCRIPTION = "é" * 32768  # 64 KiB of UTF-8: the widest description a ticket takes


def connect(server, rcvbuf: int | None = None) -> socket.socket:
    sock = socket.socket()
    if rcvbuf is not None:  # set before connecting, so the window stays small
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", server.port))
    return sock


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response with a `content-length`: status, headers, body."""
    stream = sock.makefile("rb")
    status = int(stream.readline().split()[1])
    headers = {}
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, stream.read(int(headers["content-length"]))


def request_head(path: str = "/healthz", **headers: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: edm", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def rss_mib(pid: int) -> float:
    with Path(f"/proc/{pid}/status").open() as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def established(sock: socket.socket) -> bool:
    """The connection is up, as the kernel sees it (Linux's `tcp_info`), read
    without reading from it: reading would let a stalled response go on."""
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0] == TCP_ESTABLISHED


def closed_by_peer(sock: socket.socket) -> bool:
    """True when the server closed `sock` (EOF or reset); reads what is pending."""
    if not select.select([sock], [], [], 0)[0]:
        return False
    try:
        return sock.recv(65536) == b""
    except ConnectionError:
        return True


@pytest.fixture
def other_tenant(mint):
    """Another tenant's client, asserting it is served promptly meanwhile."""
    token = mint(tenant_id=f"bystander-{uuid4().hex[:8]}", subject="bystander")

    def served(server) -> None:
        started = time.monotonic()
        response = httpx.get(
            server.url + TICKETS, headers={"Authorization": f"Bearer {token}"}, timeout=5
        )
        assert response.status_code == 200
        assert time.monotonic() - started < 2.0

    return served


def test_header_over_8_kib_is_431_naming_it(live_server):
    server = live_server()
    with connect(server) as sock:
        sock.sendall(request_head(**{"X-Padding": "a" * 9 * 1024}))
        status, headers, body = read_response(sock)

    assert status == 431
    assert headers["content-type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["code"] == "header_too_large"
    assert [error["field"] for error in problem["errors"]] == ["x-padding"]


def test_4_mb_headers_are_refused_without_being_held(live_server, other_tenant):
    server = live_server()
    before = rss_mib(server.process.pid)
    padding = b"Authorization: Bearer " + b" " * (4 * MIB)
    with ExitStack() as stack:
        socks = [stack.enter_context(connect(server)) for _ in range(8)]
        for sock in socks:  # the heads never end: a server reading them holds every byte
            with suppress(ConnectionError):
                sock.sendall(b"GET /api/v1/helpdesk/tickets HTTP/1.1\r\nHost: edm\r\n" + padding)
        grown = rss_mib(server.process.pid) - before
        other_tenant(server)

        assert grown < 12, f"the worker grew by {grown:.0f} MiB"
        assert [read_response(sock)[0] for sock in socks] == [431] * len(socks)


@pytest.mark.parametrize("workers", [1, 2])
def test_heads_trickled_or_never_sent_are_closed_at_the_timeout(live_server, other_tenant, workers):
    """With two workers, a connection may reach one still starting: it is
    closed all the same, only later."""
    timeout = 1.0
    server = live_server("--workers", str(workers), EDM_HEADER_TIMEOUT_SECONDS=str(timeout))
    started = time.monotonic()
    silent = connect(server)
    tricklers = [connect(server) for _ in range(5)]
    for sock in tricklers:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: edm\r\nX-Slow: ")
    closed_at: dict[socket.socket, float] = {}
    while len(closed_at) < 6 and time.monotonic() - started < timeout + 6:
        for sock in [silent, *tricklers]:
            if sock not in closed_at and closed_by_peer(sock):
                closed_at[sock] = time.monotonic() - started
            elif sock not in closed_at and sock is not silent:
                sock.sendall(b"a")
        other_tenant(server)
        time.sleep(0.2)
    for sock in [silent, *tricklers]:
        sock.close()

    assert len(closed_at) == 6, "connections still open after the header timeout"
    assert workers > 1 or max(closed_at.values()) < timeout + 2.5


def test_connections_beyond_the_cap_get_503(live_server):
    server = live_server(EDM_MAX_CONNECTIONS="3")
    held = [connect(server) for _ in range(3)]
    for sock in held:  # each served, and kept alive
        sock.sendall(request_head())
        assert read_response(sock)[0] == 200

    with connect(server) as extra:
        extra.sendall(request_head())
        status, headers, body = read_response(extra)
        assert extra.recv(1) == b""  # and closed
    held.pop().close()
    served_again = 0
    deadline = time.monotonic() + 5
    while served_again != 200 and time.monotonic() < deadline:
        with connect(server) as again:  # once the server has seen the close
            again.sendall(request_head())
            served_again = read_response(again)[0]
    for sock in held:
        sock.close()

    assert status == 503
    assert headers["content-type"] == "application/problem+json"
    assert "retry-after" in headers
    assert json.loads(body)["code"] == "too_many_connections"
    assert served_again == 200


def test_wide_pages_are_bounded_in_bytes_and_unread_ones_are_dropped(
    live_server, mint, other_tenant
):
    server = live_server(EDM_SEND_TIMEOUT_SECONDS="1")
    token = mint(tenant_id=f"wide-{uuid4().hex[:8]}", subject="writer", roles=["admin"])
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url, headers=auth, timeout=30) as client:
        created = {
            client.post(TICKETS, json={"title": f"wide {n}", "description": WIDE_DESCRIPTION})
            .raise_for_status()
            .json()["id"]
            for n in range(40)
        }
        seen: list[str] = []
        sizes: list[int] = []
        params: dict[str, str | int] = {"limit": 200}
        while True:
            response = client.get(TICKETS, params=params).raise_for_status()
            page = response.json()
            seen += [ticket["id"] for ticket in page["data"]]
            sizes.append(len(response.content))
            if not page["has_more"]:
                break
            params["cursor"] = page["next_cursor"]

    assert sorted(seen) == sorted(created)
    assert len(sizes) > 1
    assert max(sizes) <= MIB + 80 * 1024  # the bound, and the record that crossed it

    # Clients asking for wide pages and never reading them: dropped at the send timeout.
    page_request = request_head(f"{TICKETS}?limit=200", Authorization=f"Bearer {token}")
    stalled = [connect(server, rcvbuf=4096) for _ in range(4)]
    for sock in stalled:
        sock.sendall(page_request * 12)
    time.sleep(0.5)
    other_tenant(server)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(map(established, stalled)):
        time.sleep(0.2)
    still_open = sum(map(established, stalled))
    for sock in stalled:
        sock.close()

    assert still_open == 0
