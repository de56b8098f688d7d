"""Per tenant+app rate limits with RFC-draft `RateLimit-*` headers.

A fixed window of `rate_limit_window_seconds` allows `rate_limit_requests`
requests to each (tenant, app). With `EDM_REDIS_URL` the counters live in
Redis, so every replica shares them; without it they live in the process.
If Redis is unreachable the limiter lets requests through (and logs): an
outage of the limiter must not become an outage of the API.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Protocol

from redis import asyncio as aioredis
from redis.exceptions import RedisError

from edm.errors import TooManyRequests
from edm.identity import Principal

log = logging.getLogger("edm.server")


@dataclass(frozen=True, slots=True)
class Quota:
    limit: int
    remaining: int
    reset_seconds: int

    @property
    def exceeded(self) -> bool:
        return self.remaining < 0

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(max(self.remaining, 0)),
            "RateLimit-Reset": str(self.reset_seconds),
        }


class Counter(Protocol):
    async def increment(self, key: str, window_seconds: int) -> int:
        """Count one request under `key` in the current window; return the count."""


class MemoryCounter:
    """Counters of this process only (one replica, or tests)."""

    def __init__(self) -> None:
        # Per window length: the current window and its counts (older windows are dropped).
        self._windows: dict[int, tuple[int, dict[str, int]]] = {}

    async def increment(self, key: str, window_seconds: int) -> int:
        window = int(time.time()) // window_seconds
        current, counts = self._windows.get(window_seconds, (None, {}))
        if window != current:
            counts = {}
            self._windows[window_seconds] = (window, counts)
        counts[key] = counts.get(key, 0) + 1
        return counts[key]


class RedisCounter:
    """Counters shared by every replica: INCR with an expiry on the window's key."""

    def __init__(self, url: str) -> None:
        self._redis = aioredis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    async def increment(self, key: str, window_seconds: int) -> int:
        window = int(time.time()) // window_seconds
        redis_key = f"edm:ratelimit:{window_seconds}:{window}:{key}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(redis_key)
            pipe.expire(redis_key, window_seconds + 1)
            count, _ = await pipe.execute()
        return int(count)

    async def close(self) -> None:
        await self._redis.aclose()


class RateLimiter:
    def __init__(self, counter: Counter, requests: int, window_seconds: int) -> None:
        self.counter = counter
        self.requests = requests
        self.window_seconds = window_seconds

    async def check(self, principal: Principal) -> Quota | None:
        """The caller's quota after this request; TooManyRequests beyond it.

        An application with its own `rate_limit_per_minute` has that many
        requests a minute, shared by all its keys and tokens; every other
        caller has the tenant default.
        """
        requests, window = self.requests, self.window_seconds
        if principal.rate_limit_per_minute is not None:
            requests, window = principal.rate_limit_per_minute, 60
        if requests <= 0:
            return None
        key = f"{principal.tenant_id}\x1f{principal.app_id or ''}"
        try:
            count = await self.counter.increment(key, window)
        except RedisError as exc:
            log.warning("rate limiter unavailable, letting the request through: %s", exc)
            return None
        now = time.time()
        reset = max(1, math.ceil(window - now % window))
        quota = Quota(requests, requests - count, reset)
        if quota.exceeded:
            raise TooManyRequests(
                f"Rate limit of {requests} requests per {window} s exceeded",
                headers={**quota.headers(), "Retry-After": str(reset)},
            )
        return quota
