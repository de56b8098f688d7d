"""Small types shared by every layer of the SDK."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, TypeAlias

import httpx


class NotGiven:
    """The type of `NOT_GIVEN`: "the caller did not pass this argument".

    `None` cannot play that role because it means something on the wire: in
    an update it clears a field, in a filter it matches a missing value.
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

Headers: TypeAlias = Mapping[str, str]
"""Extra request headers; they override the client's own for one call."""

Timeout: TypeAlias = float | httpx.Timeout | None
"""Seconds (or an `httpx.Timeout`); `None` waits forever."""
