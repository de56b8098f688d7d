"""The base of every record model the code generator emits."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainSerializer, PrivateAttr

from edm.client._encoding import rfc3339


def _require_timezone(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp has no timezone")
    return value


Timestamp = Annotated[
    datetime,
    AfterValidator(_require_timezone),
    PlainSerializer(rfc3339, return_type=str, when_used="json"),
]
"""A timezone-aware `datetime` that serializes back to the API's `...Z` form."""


class EDMModel(BaseModel):
    """A record as the API returned it.

    Unknown fields are kept (`extra="allow"`) so an SDK older than the server
    still reads newer records, and `to_dict()` gives them back unchanged.
    """

    model_config = ConfigDict(extra="allow")

    _etag: str | None = PrivateAttr(default=None)

    @property
    def etag(self) -> str | None:
        """The record's `ETag` when it came from a single-record response.

        Pass it as `if_match=` to make a write fail with 412 if someone else
        changed the record meanwhile. Records inside a list page have none.
        """
        return self._etag

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-compatible data: the fields the server sent, timestamps as strings."""
        return self.model_dump(mode="json", exclude_unset=True)

    @classmethod
    def from_response(cls, data: Any, *, etag: str | None = None) -> Self:
        """Validate `data` and remember the response's ETag."""
        record = cls.model_validate(data)
        record._etag = etag
        return record
