"""Pydantic request and response models derived from the manifest.

For each resource: `<Title>Create` (writable fields, required ones without
default), `<Title>Update` (writable fields, all optional; `null` only where
the field is nullable) and `<Title>` (every field, for responses and
OpenAPI). Unknown fields are rejected; text is checked against the
patterns of `edm.manifest.patterns`, which the document states.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StrictInt,
    StringConstraints,
    create_model,
)
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError

from edm.manifest import Field, FieldType, Resource
from edm.manifest.patterns import NOT_BLANK, NUL_FREE, REFERENCE, TextRule, trimmed
from edm.manifest.shapes import whole_number


def _distinct(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise PydanticCustomError("duplicate_items", "must not repeat a value")
    return values


def _text(rule: TextRule, min_length: int | None, max_length: int | None) -> Any:
    """A string within the lengths that matches `rule`, which the schema states as `pattern`."""
    return Annotated[
        str,
        StringConstraints(min_length=min_length, max_length=max_length),
        AfterValidator(rule.check),
        PydanticField(json_schema_extra={"pattern": rule.pattern}),
    ]


def _trimmed_text(field: Field) -> Any:
    """Measured as sent, then stored without surrounding whitespace (SPEC: titles are trimmed)."""
    return Annotated[_text(NOT_BLANK, field.min_length, field.max_length), AfterValidator(trimmed)]


def python_type(field: Field, *, write: bool = True) -> Any:
    """The validated Python type of a field's non-null value.

    References are validated (and documented) as UUIDs or EDM ids only in
    write bodies: stored values may be token subjects, e.g. `submitted_by_id`.
    """
    match field.type:
        case FieldType.ID:
            return str
        case FieldType.STRING:
            return _trimmed_text(field)
        case FieldType.TEXT:
            return _text(NUL_FREE, field.min_length, field.max_length)
        case FieldType.ENUM:
            return Literal[tuple(field.enum or ())]
        case FieldType.BOOLEAN:
            return bool
        case FieldType.INTEGER:
            return Annotated[
                StrictInt,
                PydanticField(ge=field.minimum, le=field.maximum),
                BeforeValidator(whole_number),
            ]
        case FieldType.DATETIME if not write:
            return datetime
        case FieldType.DATETIME:
            # Written as RFC 3339 text, which strict validation would refuse; with an offset.
            return Annotated[AwareDatetime, PydanticField(strict=False)]
        case FieldType.REFERENCE if not write:
            return str
        case FieldType.REFERENCE:
            return _text(REFERENCE, None, None)
        case FieldType.TAGS:
            item: Any = _text(NUL_FREE, 1, field.item_max_length)
            if field.enum:
                item = Literal[field.enum]
            return Annotated[
                list[item],
                PydanticField(
                    min_length=field.min_items,
                    max_length=field.max_items,
                    json_schema_extra={"uniqueItems": True},
                ),
                AfterValidator(_distinct),
            ]
        case FieldType.OBJECT:
            return field.model or dict[str, Any]
    raise AssertionError(field.type)


def _annotation(field: Field, *, write: bool = True) -> Any:
    base = python_type(field, write=write)
    return base | None if field.nullable else base


_WRITE_CONFIG = ConfigDict(extra="forbid", strict=True)


def _build(name: str, res: Resource, fields: dict[str, Any], config: ConfigDict) -> type[BaseModel]:
    model: type[BaseModel] = create_model(name, __config__=config, **fields)
    model.__doc__ = res.description
    return model


@dataclass(frozen=True, slots=True)
class ResourceModels:
    create: type[BaseModel]
    update: type[BaseModel]
    public: type[BaseModel]
    page: type[BaseModel]
    actions: dict[str, type[BaseModel]]  # the body of each action that takes fields


@cache
def models_for(res: Resource) -> ResourceModels:
    create_fields: dict[str, Any] = {}
    update_fields: dict[str, Any] = {}
    for field in res.writable_fields:
        annotation = _annotation(field)
        description = PydanticField(description=field.notes)
        if field.required:
            create_fields[field.name] = (annotation, description)
        else:
            create_fields[field.name] = _optional_write(field)
        update_fields[field.name] = (annotation, PydanticField(None, description=field.notes))
    public_fields = {
        f.name: (_annotation(f, write=False), PydanticField(description=f.notes))
        for f in res.fields
    }
    # Present only in the response of an operation that reveals them.
    public_fields |= {
        f.name: (_annotation(f, write=False), PydanticField(None, description=f.notes))
        for f in res.revealed_fields
    }
    title = res.title.replace(" ", "")
    public = _build(title, res, public_fields, ConfigDict())
    page_fields: dict[str, Any] = {
        "data": (list[public], ...),  # type: ignore[valid-type]
        "has_more": (bool, ...),
        "next_cursor": (str | None, PydanticField(description="Pass as `cursor` for more.")),
    }
    return ResourceModels(
        create=_build(f"{title}Create", res, create_fields, _WRITE_CONFIG),
        update=_build(f"{title}Update", res, update_fields, _WRITE_CONFIG),
        public=public,
        page=_build(f"{title}Page", res, page_fields, ConfigDict()),
        actions={
            op.name: _build(
                f"{title}{op.name.capitalize()}",
                res,
                {f.name: _optional_write(f) for f in op.fields},
                _WRITE_CONFIG,
            )
            for op in res.operations
            if op.fields
        },
    )


def _optional_write(field: Field) -> tuple[Any, Any]:
    return (
        _annotation(field),
        PydanticField(default_factory=_default_factory(field), description=field.notes),
    )


def _default_factory(field: Field) -> Any:
    default = field.default

    def factory() -> Any:
        return list(default) if isinstance(default, list) else default

    return factory
