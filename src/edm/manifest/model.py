"""The vocabulary of the manifest: fields, operations and resources.

Everything else in EDM (tables, request validation, OpenAPI, the SDK and the
playground) is derived from instances of these classes, so they carry every
fact a consumer needs: types, enums, limits, flags and the human notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar


class FieldType(StrEnum):
    """Semantic field types; each consumer maps them once (SQL, pydantic, UI)."""

    ID = "id"  # "<prefix>_<ULID>" assigned by the server
    STRING = "string"
    TEXT = "text"  # long markdown text
    ENUM = "enum"
    BOOLEAN = "boolean"
    INTEGER = "integer"
    DATETIME = "date-time"
    REFERENCE = "reference"  # a UUID or an EDM id of another record
    TAGS = "tags"  # a JSON array of distinct short strings
    OBJECT = "object"  # a JSON object validated by the domain


class RequesterAccess(StrEnum):
    """What a caller with only the `requester` role may write to a field."""

    NONE = "none"
    CREATE = "create"
    CREATE_AND_UPDATE = "create_and_update"


class Access(StrEnum):
    """Who may read or write a resource at all (scoping narrows it further)."""

    REQUESTERS = "requester"  # everyone: requesters, agents, admins
    AGENTS = "agent"
    ADMINS = "admin"
    HUMAN_ADMINS = "human_admin"  # admins acting for themselves: a token without `app_id`
    NOBODY = "nobody"  # written only by the server itself


class RangeFilter(StrEnum):
    """Range filters a date-time field can offer: `<field stem>_after/_before`."""

    AFTER = "after"
    BEFORE = "before"


@dataclass(frozen=True, slots=True)
class Field:
    """One attribute of a resource.

    `required` means "must be given on create" for writable fields and
    "always present" for server-stamped ones; `read_only` fields are stamped
    by the server and rejected in write bodies.
    """

    name: str
    type: FieldType
    notes: str
    required: bool = False
    read_only: bool = False
    nullable: bool = True
    default: Any = None
    max_length: int | None = None
    min_length: int | None = None
    enum: tuple[str, ...] | None = None
    item_max_length: int | None = None
    min_items: int | None = None  # bounds of a TAGS field's list
    max_items: int | None = None
    minimum: int | None = None  # bounds of an INTEGER field
    maximum: int | None = None
    filterable: bool = False
    filter_name: str | None = None  # query parameter name when it differs
    range_filters: tuple[RangeFilter, ...] = ()
    sortable: bool = False
    searchable: bool = False
    requester: RequesterAccess = RequesterAccess.CREATE
    one_true_per_tenant: bool = False  # e.g. the tenant's single default SLA policy
    model: Any = None  # a pydantic model that validates and documents an OBJECT field
    lookup: bool = False  # found by its value across tenants (an API key's hash): indexed alone

    @property
    def query_name(self) -> str:
        """The query parameter that filters on this field."""
        return self.filter_name or self.name

    @property
    def writable(self) -> bool:
        return not self.read_only

    def range_param(self, bound: RangeFilter) -> str:
        """`created_at` + after -> `created_after`."""
        stem = self.name.removesuffix("_at")
        return f"{stem}_{bound.value}"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "type": self.type.value,
            "required": self.required,
            "read_only": self.read_only,
            "nullable": self.nullable,
            "default": self.default,
            "enum": list(self.enum) if self.enum else None,
            "max_length": self.max_length,
            "min_length": self.min_length,
            "item_max_length": self.item_max_length,
            "min_items": self.min_items,
            "max_items": self.max_items,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "filterable": self.filterable,
            "filter_param": self.query_name if self.filterable else None,
            "range_filters": [self.range_param(b) for b in self.range_filters],
            "sortable": self.sortable,
            "searchable": self.searchable,
            "requester_access": self.requester.value if self.writable else None,
            "schema": self.model.model_json_schema() if self.model is not None else None,
            "notes": self.notes,
        }
        return data


class OperationKind(StrEnum):
    LIST = "list"
    GET = "get"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    ACTION = "action"  # POST /{id}/<name>
    BATCH_CREATE = "batch_create"  # POST /batch: many creates, a result per item
    BATCH_UPDATE = "batch_update"  # PATCH /batch: many updates, a result per item


BATCH_KINDS = frozenset({OperationKind.BATCH_CREATE, OperationKind.BATCH_UPDATE})


@dataclass(frozen=True, slots=True)
class Operation:
    """One thing a client can do to a resource."""

    name: str
    kind: OperationKind
    summary: str
    admin_only: bool = False
    cli: str | None = None  # the `edm` command that performs it, e.g. "tickets list"
    fields: tuple[Field, ...] = ()  # the JSON body an action takes (others take none)
    reveals: bool = False  # its response shows the resource's `revealed_fields`, once
    max_items: int | None = None  # a batch operation's most items per request
    # Base and read-only fields an admin's batch create may carry with
    # `preserve_timestamps` (importing history).
    preservable: tuple[str, ...] = ()

    @property
    def method(self) -> str:
        return {
            OperationKind.LIST: "GET",
            OperationKind.GET: "GET",
            OperationKind.CREATE: "POST",
            OperationKind.UPDATE: "PATCH",
            OperationKind.DELETE: "DELETE",
            OperationKind.ACTION: "POST",
            OperationKind.BATCH_CREATE: "POST",
            OperationKind.BATCH_UPDATE: "PATCH",
        }[self.kind]

    @property
    def path_suffix(self) -> str:
        """Path relative to the resource's collection path."""
        if self.kind in (OperationKind.LIST, OperationKind.CREATE):
            return ""
        if self.kind is OperationKind.ACTION:
            return f"/{{id}}/{self.name}"
        if self.kind in BATCH_KINDS:
            return "/batch"
        return "/{id}"

    def to_json(self, collection_path: str) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind.value,
            "method": self.method,
            "path": collection_path + self.path_suffix,
            "summary": self.summary,
            "admin_only": self.admin_only,
            "cli": self.cli,
            "fields": [f.to_json() for f in self.fields],
            "reveals": self.reveals,
            "max_items": self.max_items,
            "preservable": list(self.preservable),
        }


@dataclass(frozen=True, slots=True)
class NumberFormat:
    """Human-readable per-tenant numbers such as `TKT-0042`."""

    field: str
    prefix: str
    min_digits: int

    MAX_DIGITS: ClassVar[int] = 9  # keeps the sequence within a 32-bit integer column

    def format(self, seq: int) -> str:
        return f"{self.prefix}-{seq:0{self.min_digits}d}"

    def parse(self, text: str) -> int | None:
        """The sequence of a number like `TKT-0042` (any case), else None."""
        head, sep, digits = text.partition("-")
        if not sep or head.upper() != self.prefix or not digits.isascii():
            return None
        if not self.min_digits <= len(digits) <= self.MAX_DIGITS or not digits.isdigit():
            return None
        return int(digits)


@dataclass(frozen=True, slots=True)
class Parent:
    """A nested resource lives under one record of `resource`."""

    resource: Resource
    field: str  # the child's field holding the parent's id
    param: str  # the path parameter naming the parent (its id or number)


@dataclass(frozen=True, slots=True)
class ComputedFilter:
    """A boolean list filter whose meaning is a domain rule (e.g. `overdue`)."""

    name: str
    description: str


@dataclass(frozen=True, slots=True, eq=False)
class Resource:
    """A resource served at `/api/v1/<domain>/<name>` (or under its parent)."""

    domain: str
    name: str
    title: str
    description: str
    id_prefix: str
    fields: tuple[Field, ...]
    operations: tuple[Operation, ...]
    default_order: str = "-created_at"
    number: NumberFormat | None = None
    owner_field: str | None = None  # requesters see only rows where this is their `sub`
    # requesters see only rows where this boolean field is true (e.g. public comments)
    requester_visible_field: str | None = None
    read_access: Access = Access.REQUESTERS
    write_access: Access = Access.REQUESTERS
    parent: Parent | None = None
    history: bool = False  # every write appends an event to the history resource
    computed_filters: tuple[ComputedFilter, ...] = ()
    # server-maintained columns never shown to clients (e.g. SLA pause bookkeeping)
    internal_fields: tuple[Field, ...] = ()
    # never stored: shown only in the response of an operation that `reveals` them (a key's secret)
    revealed_fields: tuple[Field, ...] = ()
    _by_name: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name: f for f in self.fields})
        if len(self._by_name) != len(self.fields):
            raise ValueError(f"{self.name}: duplicate field names")
        if self.owner_field is not None and self.owner_field not in self._by_name:
            raise ValueError(f"{self.name}: unknown owner field {self.owner_field}")

    @property
    def path(self) -> str:
        if self.parent is not None:
            return f"{self.parent.resource.path}/{{{self.parent.param}}}/{self.name}"
        return f"/api/v1/{self.domain}/{self.name}"

    @property
    def scope(self) -> str:
        """`<domain>.<resource>`: a token needs `<scope>:read` or `<scope>:write` for it."""
        return f"{self.domain}.{self.name}"

    @property
    def sdk_namespace(self) -> str:
        if self.parent is not None:
            return f"{self.parent.resource.sdk_namespace}.{self.name}"
        return f"client.{self.domain}.{self.name}"

    def field(self, name: str) -> Field:
        return self._by_name[name]

    def has_field(self, name: str) -> bool:
        return name in self._by_name

    @property
    def writable_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.writable)

    @property
    def read_only_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.read_only)

    @property
    def sortable_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.sortable)

    @property
    def filterable_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.filterable)

    @property
    def searchable_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.searchable)

    def operation(self, name: str) -> Operation:
        for op in self.operations:
            if op.name == name:
                return op
        raise KeyError(name)

    def has_operation(self, name: str) -> bool:
        return any(op.name == name for op in self.operations)

    def to_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "name": self.name,
            "title": self.title,
            "path": self.path,
            "description": self.description,
            "id_prefix": self.id_prefix,
            "sdk": self.sdk_namespace,
            "default_order": self.default_order,
            "scope": self.scope,
            "owner_field": self.owner_field,
            "read_access": self.read_access.value,
            "write_access": self.write_access.value,
            "parent": (
                {
                    "resource": self.parent.resource.name,
                    "field": self.parent.field,
                    "param": self.parent.param,
                }
                if self.parent
                else None
            ),
            "computed_filters": [
                {"name": f.name, "description": f.description} for f in self.computed_filters
            ],
            "number_format": (
                {
                    "field": self.number.field,
                    "prefix": self.number.prefix,
                    "min_digits": self.number.min_digits,
                }
                if self.number
                else None
            ),
            "operations": [op.to_json(self.path) for op in self.operations],
            "fields": [f.to_json() for f in self.fields],
            "revealed_fields": [f.to_json() for f in self.revealed_fields],
        }
