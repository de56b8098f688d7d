"""Turning a request body into validated field values, or a clear 4xx.

Order of checks: media type (415), JSON syntax (400), a JSON object (422),
then every field problem at once (422): server-stamped fields, unknown
fields, types, enums and limits, each named in `errors`.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from starlette.requests import Request

from edm.errors import BadRequest, FieldError, UnsupportedMediaType, ValidationFailed
from edm.manifest import Resource

_CODES = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "string_too_long": "too_long",
    "too_long": "too_many_items",
    "string_too_short": "too_short",
    "too_short": "too_few_items",
    "literal_error": "invalid_choice",
}


def _is_json(content_type: str) -> bool:
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


async def read_json_object(request: Request, *, required: bool) -> dict[str, Any] | None:
    """The body as a JSON object; None when empty and not `required`."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise BadRequest("A JSON object body is required", code="body_required")
        return None
    if not _is_json(request.headers.get("content-type", "")):
        raise UnsupportedMediaType("Send the body as application/json")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"Malformed JSON: {exc}", code="malformed_json") from exc
    if not isinstance(data, dict):
        raise ValidationFailed([FieldError(None, "invalid_type", "The body must be a JSON object")])
    return data


def _field_name(loc: tuple[int | str, ...]) -> str:
    """`('tags', 3)` -> `tags[3]`; `('business_hours', 'timezone')` -> `business_hours.timezone`."""
    name = str(loc[0]) if loc else ""
    for part in loc[1:]:
        if part == "[key]":  # pydantic's marker for "the key itself is invalid"
            continue
        name += f"[{part}]" if isinstance(part, int) else f".{part}"
    return name


def field_errors(errors: list[ErrorDetails]) -> list[FieldError]:
    """pydantic's errors as `{field, code, message}` entries."""
    result = []
    for error in errors:
        kind = error["type"]
        if error.get("input", ...) is None and kind.endswith("_type"):
            code, message = "not_nullable", "may not be null"
        elif kind.endswith("_type"):
            code, message = "invalid_type", error["msg"]
        else:
            code, message = _CODES.get(kind, kind), error["msg"]
        result.append(FieldError(_field_name(error["loc"]), code, message))
    return result


def validate_fields(res: Resource, model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """Validated values of the fields present in `data`.

    Defaults are not filled in here: the service applies the manifest's
    defaults after checking what the caller actually sent.
    """
    read_only = [name for name in data if res.has_field(name) and res.field(name).read_only]
    problems = [
        FieldError(name, "read_only", f"'{name}' is set by the server and cannot be written")
        for name in read_only
    ]
    writable = {k: v for k, v in data.items() if k not in read_only}
    try:
        validated = model.model_validate(writable)
    except ValidationError as exc:
        problems.extend(field_errors(exc.errors()))
    if problems:
        raise ValidationFailed(problems)
    return validated.model_dump(mode="json", exclude_unset=True)
