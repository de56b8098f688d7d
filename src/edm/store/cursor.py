"""Opaque, signed keyset cursors bound to the caller's tenant and the order.

A cursor is `base64url(json).base64url(hmac)`; a cursor that was altered,
minted for another tenant or app, or for another `order` is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import orjson


class CursorError(ValueError):
    """The cursor is not one this server issued for this request."""


@dataclass(frozen=True, slots=True)
class CursorScope:
    tenant_id: str
    app_id: str | None
    order: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:16]

    def encode(self, scope: CursorScope, position: list[Any]) -> str:
        payload = orjson.dumps(
            {"t": scope.tenant_id, "a": scope.app_id, "o": scope.order, "p": position}
        )
        return f"{_b64(payload)}.{_b64(self._sign(payload))}"

    def decode(self, cursor: str, scope: CursorScope) -> list[Any]:
        """The keyset position stored in `cursor`, or CursorError."""
        body, _, signature = cursor.partition(".")
        try:
            payload = _unb64(body)
            given = _unb64(signature)
        except (binascii.Error, ValueError) as exc:
            raise CursorError("malformed cursor") from exc
        if not hmac.compare_digest(given, self._sign(payload)):
            raise CursorError("cursor was not issued by this server or was altered")
        data = orjson.loads(payload)
        if data["t"] != scope.tenant_id or data["a"] != scope.app_id:
            raise CursorError("cursor belongs to another tenant or app")
        if data["o"] != scope.order:
            raise CursorError(f"cursor was issued for order '{data['o']}', not '{scope.order}'")
        position = data["p"]
        if not isinstance(position, list):
            raise CursorError("malformed cursor")
        return position
