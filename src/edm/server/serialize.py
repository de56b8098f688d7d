"""Records to JSON: manifest fields only, RFC 3339 UTC with microseconds."""

from __future__ import annotations

from typing import Any

import orjson
import starlette.responses

from edm.manifest import FieldType, Resource
from edm.service import Record
from edm.timestamps import format_datetime


class RecordEncoder:
    """Encodes records of one resource; the field list comes from the manifest."""

    def __init__(self, res: Resource) -> None:
        self._fields = [(f.name, f.type is FieldType.DATETIME) for f in res.fields]

    def to_json(self, record: Record) -> dict[str, Any]:
        row = record._mapping
        data: dict[str, Any] = {}
        for name, is_datetime in self._fields:
            value = row[name]
            data[name] = format_datetime(value) if is_datetime and value is not None else value
        return data


class JSONResponse(starlette.responses.JSONResponse):
    """Starlette's JSON response (so FastAPI documents bodies as JSON), encoded by orjson."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
