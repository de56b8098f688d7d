"""Python values to the API's wire forms: query parameters and JSON bodies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from edm.client._types import NotGiven


def rfc3339(value: datetime) -> str:
    """`2026-11-26T04:13:09.123456Z`, the API's timestamp form.

    A naive datetime is refused rather than guessed: `datetime.now()` is local
    time, and silently reading it as UTC would shift every filter.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"datetime {value.isoformat()} has no timezone; pass an aware datetime")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def encode_query(
    params: Mapping[str, Any], *, repeated: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """Query pairs for the parameters the caller gave, in order.

    Parameters left `NOT_GIVEN` are omitted (the server rejects unknown ones,
    and every default is the server's). A sequence means "any of" and is sent
    comma-separated, except for the `repeated` parameters (such as `tag`),
    which are sent once per value. `None` is the literal `null`, which a
    filter reads as "missing value".
    """
    repeat = frozenset(repeated)
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        if isinstance(value, NotGiven):
            continue
        if not _is_sequence(value):
            pairs.append((name, _scalar(value)))
        elif name in repeat:
            pairs.extend((name, _scalar(item)) for item in value)
        else:
            pairs.append((name, ",".join(_scalar(item) for item in value)))
    return pairs


def encode_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON object for a write: given fields only, `None` kept as null."""
    return {
        name: _jsonable(value) for name, value in fields.items() if not isinstance(value, NotGiven)
    }


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return rfc3339(value)
    return str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if _is_sequence(value):
        return [_jsonable(item) for item in value]
    return value


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)
