"""When to retry a request, and how long to wait first.

Only failures that a second attempt can fix are retried: the wire (connection
errors, timeouts), 408, 429 and the gateway statuses 502/503/504. Other 4xx
would fail the same way again, and a 500 may have done half its work.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import httpx

RETRY_STATUSES = frozenset({408, 429, 502, 503, 504})
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
RETRY_AFTER_CAP = 60.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int

    def delay_after_error(self, attempt: int, error: httpx.TransportError) -> float | None:
        """Seconds to wait after attempt `attempt` (0-based) broke on the wire, or None.

        A URL without a usable scheme fails the same way every time.
        """
        if attempt >= self.max_retries or isinstance(error, httpx.UnsupportedProtocol):
            return None
        return backoff(attempt)

    def delay_after_response(self, attempt: int, response: httpx.Response) -> float | None:
        """Seconds to wait before retrying `response`, or None to keep it."""
        if attempt >= self.max_retries or response.status_code not in RETRY_STATUSES:
            return None
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        return backoff(attempt) if retry_after is None else min(retry_after, RETRY_AFTER_CAP)


def backoff(attempt: int) -> float:
    """Capped exponential backoff with up to 25% jitter, so clients spread out."""
    delay = min(BACKOFF_BASE * 2.0 ** min(attempt, 16), BACKOFF_CAP)
    return delay * (1 - 0.25 * random.random())


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` in seconds; the HTTP-date form and garbage fall back to backoff."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
