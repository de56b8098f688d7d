"""Rate limits with RFC-draft `RateLimit-*` headers: per tenant+app, and failed authentications.

A fixed window of `rate_limit_window_seconds` allows `rate_limit_requests`
requests to each (tenant, app); a minute allows `auth_failures_per_minute`
failed authentications from each client address. With `EDM_REDIS_URL` the
counters live in Redis, so every replica shares them; without it they live
in the process, at most `max_keys` of them. If Redis is unreachable the
limiter lets requests through (and logs): an outage of the limiter must not
become an outage of the API.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from dataclasses import dataclass
from typing import Protocol

from redis import asyncio as aioredis
from redis.exceptions import RedisError
from starlette.requests import Request

from edm.errors import TooManyRequests
from edm.identity import Principal

log = logging.getLogger("edm.server")
# Beyond this many keys in a window, new keys share one count: whoever cycles
# through keys (addresses) cannot grow a process's counters, only exhaust
# that shared count sooner.
OVERFLOW_KEY = "\x00overflow"


@dataclass(frozen=True, slots=True)
class Quota:
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(max(self.remaining, 0)),
            "RateLimit-Reset": str(self.reset_seconds),
        }


class Counter(Protocol):
    async def increment(self, key: str, window_seconds: int, amount: int = 1) -> int:
        """Count `amount` requests (negative: give them back) under `key` in
        the current window; return the count."""


class MemoryCounter:
    """Counters of this process only (one replica, or tests), at most `max_keys` per window."""

    def __init__(self, max_keys: int) -> None:
        self.max_keys = max_keys
        # Per window length: the current window and its counts (older windows are dropped).
        self._windows: dict[int, tuple[int, dict[str, int]]] = {}

    def __len__(self) -> int:
        return sum(len(counts) for _, counts in self._windows.values())

    async def increment(self, key: str, window_seconds: int, amount: int = 1) -> int:
        window = int(time.time()) // window_seconds
        current, counts = self._windows.get(window_seconds, (None, {}))
        if window != current:
            counts = {}
            self._windows[window_seconds] = (window, counts)
        if key not in counts and len(counts) >= self.max_keys:
            key = OVERFLOW_KEY
        counts[key] = counts.get(key, 0) + amount
        return counts[key]


class RedisCounter:
    """Counters shared by every replica: INCR with an expiry on the window's key."""

    def __init__(self, url: str) -> None:
        self._redis = aioredis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    async def increment(self, key: str, window_seconds: int, amount: int = 1) -> int:
        window = int(time.time()) // window_seconds
        redis_key = f"edm:ratelimit:{window_seconds}:{window}:{key}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incrby(redis_key, amount)
            pipe.expire(redis_key, window_seconds + 1)
            count, _ = await pipe.execute()
        return int(count)

    async def close(self) -> None:
        await self._redis.aclose()


def client_address(request: Request) -> str:
    """The address failures are counted under: the peer's, an IPv6 peer's /64 network.

    The peer is the socket's, or the one a trusted proxy forwarded (uvicorn's
    `--forwarded-allow-ips`). One IPv6 host commonly holds a whole /64, so
    it counts as one address.
    """
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class RateLimiter:
    """`requests` per fixed window of `window_seconds` for each key of `scope`."""

    def __init__(
        self, counter: Counter, requests: int, window_seconds: int, *, scope: str, what: str
    ) -> None:
        self.counter = counter
        self.requests = requests
        self.window_seconds = window_seconds
        self.scope = scope
        self.what = what

    async def check(self, principal: Principal, cost: int = 1) -> Quota | None:
        """The caller's quota after this request (a batch costs one per item);
        TooManyRequests beyond it.

        An application with its own `rate_limit_per_minute` has that many
        requests a minute, shared by all its keys and tokens; every other
        caller has the tenant default.
        """
        key = f"{principal.tenant_id}\x1f{principal.app_id or ''}"
        if principal.rate_limit_per_minute is not None:
            return await self.count(key, cost, principal.rate_limit_per_minute, 60)
        return await self.count(key, cost)

    async def count(
        self, key: str, cost: int = 1, requests: int | None = None, window: int | None = None
    ) -> Quota | None:
        """The quota of `key` after counting `cost` more; TooManyRequests
        beyond it. A batch refused for want of quota is not charged, so a
        smaller one may still use what is left."""
        requests = self.requests if requests is None else requests
        window = self.window_seconds if window is None else window
        if requests <= 0:
            return None
        try:
            counted = f"{self.scope}:{key}"
            count = await self.counter.increment(counted, window, cost)
            exceeded = count > requests
            if exceeded and cost > 1:
                count = await self.counter.increment(counted, window, -cost)
        except RedisError as exc:
            log.warning("rate limiter unavailable, letting the request through: %s", exc)
            return None
        now = time.time()
        reset = max(1, math.ceil(window - now % window))
        quota = Quota(requests, requests - count, reset)
        if exceeded:
            raise TooManyRequests(
                f"Rate limit of {requests} {self.what} per {window} s exceeded",
                headers={**quota.headers(), "Retry-After": str(reset)},
            )
        return quota
