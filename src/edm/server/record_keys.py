"""The key naming a record in a request (an id or a number), checked before any lookup."""

from __future__ import annotations

from edm.errors import NotFound
from edm.manifest import Resource

MAX_KEY_LENGTH = 64


def checked_key(res: Resource, key: str) -> str:
    """`key`, or 404 for one no record can have (too long, or not printable:
    a NUL byte never reaches the database)."""
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise NotFound(f"{res.title} {key[:MAX_KEY_LENGTH]!r} not found")
    return key
