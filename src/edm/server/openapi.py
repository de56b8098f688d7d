"""OpenAPI 3.1 details derived from the manifest: ids, parameters, bodies, errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from edm.manifest import (
    BATCH_KINDS,
    RESOURCES,
    Field,
    FieldType,
    Operation,
    OperationKind,
    Resource,
)
from edm.manifest.patterns import NUL_FREE
from edm.server import idempotency
from edm.server.batch_models import batch_models_for
from edm.server.models import ResourceModels, models_for
from edm.server.oauth import TOKEN_PATH
from edm.server.oauth_schema import TOKEN_MODELS, token_path_item
from edm.server.problems import PROBLEM_MEDIA_TYPE, Problem
from edm.server.query import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_PARAM_LENGTH,
    MAX_REPEATS,
    MAX_SEARCH_LENGTH,
    MAX_VALUES,
    ListParams,
)

_ERRORS_BY_KIND: dict[OperationKind, tuple[int, ...]] = {
    OperationKind.LIST: (400, 401, 403, 429, 431, 503),
    OperationKind.GET: (400, 401, 403, 404, 429, 431, 503),
    OperationKind.CREATE: (400, 401, 403, 409, 413, 415, 422, 429, 431, 503),
    OperationKind.UPDATE: (400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 431, 503),
    OperationKind.DELETE: (400, 401, 403, 404, 409, 412, 429, 431, 503),
    OperationKind.ACTION: (400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 431, 503),
    # An item's failure is in the results; an atomic batch fails as its item did.
    OperationKind.BATCH_CREATE: (400, 401, 403, 409, 413, 415, 422, 429, 431, 503),
    OperationKind.BATCH_UPDATE: (400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 431, 503),
}
_BATCH_EXAMPLES: dict[OperationKind, dict[str, Any]] = {
    OperationKind.BATCH_CREATE: {
        "items": [{"title": "VPN down", "priority": "high"}, {"title": "Printer jam"}],
        "atomic": False,
    },
    OperationKind.BATCH_UPDATE: {
        "items": [
            {"id": "TKT-0001", "changes": {"status": "resolved"}},
            {"id": "TKT-0002", "if_match": '"tkt_01JD….3"', "changes": {"priority": "low"}},
        ],
        "atomic": False,
    },
}
_ERROR_TEXT = {
    400: "Bad request or query parameter",
    401: "Missing or invalid bearer token",
    403: "Not allowed for the caller's role, or the token lacks the scope the operation "
    "needs (code insufficient_scope)",
    404: "No such record for this caller",
    409: "Conflicts with the record's state",
    412: "If-Match does not match the current ETag",
    413: "Body larger than the configured limit (1 MiB by default; 16 MiB for batches)",
    415: "Body is not application/json",
    422: "Invalid fields",
    429: "Rate limit exceeded",
    431: "Headers too large or too many (by default one over 8 KiB, 64 KiB together, 100)",
    503: "Database unavailable, or the server holds too many connections; retry",
}


def _schema_ref(model: Any) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _query_parameter(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _query_text(
    max_length: int | None = MAX_PARAM_LENGTH, pattern: str = NUL_FREE.pattern
) -> dict[str, Any]:
    """A query value as `check_known` takes it: NUL-free and at most `max_length` long."""
    schema: dict[str, Any] = {"type": "string", "pattern": pattern}
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema


def _filter_values(value: str, longest: int | None = None) -> dict[str, Any]:
    """Comma-separated values, each matching `value` or `null`, as `ListParams._filter` takes
    them. Values at most `longest` long may never reach the length bound: it is left out."""
    one = f"({value}|null)"
    pattern = f"^{one}(,{one}){{0,{MAX_VALUES - 1}}}$"
    reach = None if longest is None else MAX_VALUES * (max(longest, len("null")) + 1) - 1
    return _query_text(None if reach and reach <= MAX_PARAM_LENGTH else MAX_PARAM_LENGTH, pattern)


def _filter_schema(res: Resource, field: Field) -> dict[str, Any]:
    """What `ListParams._filter_value` accepts for `field`, as a schema."""
    if field.type is FieldType.TAGS:
        return {"type": "array", "items": _filter_values("[^,\\u0000]*"), "maxItems": MAX_REPEATS}
    if res.number and field.name == res.number.field:
        number = res.number
        prefix = "".join(f"[{c.upper()}{c.lower()}]" for c in number.prefix)
        digits = f"[0-9]{{{number.min_digits},{number.MAX_DIGITS}}}"
        return _filter_values(f"{prefix}-{digits}", len(number.prefix) + 1 + number.MAX_DIGITS)
    choices = ("true", "false") if field.type is FieldType.BOOLEAN else field.enum
    if choices:
        return _filter_values("|".join(choices), max(map(len, choices)))
    return _filter_values("[^,\\u0000]*")


def _list_parameters(res: Resource, params: ListParams) -> list[dict[str, Any]]:
    sortable = [f.name for f in res.sortable_fields]
    parameters = [
        _query_parameter(
            "limit",
            f"Page size, 1..{MAX_LIMIT} (default {DEFAULT_LIMIT}).",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        ),
        _query_parameter(
            "cursor", "Opaque cursor from a previous page's next_cursor.", _query_text()
        ),
        _query_parameter(
            "order",
            "Sort field, '-' prefix for descending.",
            {
                "type": "string",
                "enum": [*sortable, *(f"-{s}" for s in sortable)],
                "default": res.default_order,
            },
        ),
        _query_parameter(
            "include_deleted",
            "Include soft-deleted records (agents and admins; ignored for requesters).",
            {"type": "boolean", "default": False},
        ),
    ]
    if "q" in params.allowed:
        searched = ", ".join(f.name for f in res.searchable_fields)
        parameters.append(
            _query_parameter(
                "q",
                f"Case-insensitive substring search over {searched}.",
                _query_text(MAX_SEARCH_LENGTH),
            )
        )
    for name, field in params.filters.items():
        parameters.append(
            _query_parameter(
                name,
                f"Filter on {field.name}; comma-separated values mean any of; 'null' matches "
                "a missing value."
                + (" Repeat to require every tag." if field.type is FieldType.TAGS else ""),
                _filter_schema(res, field),
            )
        )
    for computed in res.computed_filters:
        parameters.append(
            _query_parameter(computed.name, computed.description, {"type": "boolean"})
        )
    for name, (field, bound) in params.ranges.items():
        parameters.append(
            _query_parameter(
                name,
                f"Only records whose {field.name} is {bound.value} this instant (RFC 3339).",
                {"type": "string", "format": "date-time"},
            )
        )
    return parameters


def _header_parameters(op: Operation) -> list[dict[str, Any]]:
    """The request headers an operation honours beyond authentication."""
    headers = []
    if op.method == "POST":
        headers.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "Run this POST once: a replay with the same key and body "
                "answers the first response (kept 24 h).",
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": idempotency.MAX_KEY_LENGTH,
                    "pattern": idempotency.KEY_PATTERN,
                },
            }
        )
    if op.kind in (OperationKind.UPDATE, OperationKind.DELETE, OperationKind.ACTION):
        headers.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "description": "Apply only if the record's current ETag matches (else 412).",
                "schema": {"type": "string"},
            }
        )
    return headers


def _path_parameter(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


def _responses(res: Resource, op: Operation, models: ResourceModels) -> dict[str, Any]:
    success = 201 if op.kind is OperationKind.CREATE else 200
    success_model = models.page if op.kind is OperationKind.LIST else models.public
    if op.kind in BATCH_KINDS:
        success_model = batch_models_for(res).results
    responses: dict[str, Any] = {
        str(success): {
            "description": "Success",
            "content": {"application/json": {"schema": _schema_ref(success_model)}},
        }
    }
    statuses = set(_ERRORS_BY_KIND[op.kind])
    if res.parent is not None:
        statuses.add(404)  # the parent record may not exist for the caller
    for status in sorted(statuses):
        responses[str(status)] = {
            "description": _ERROR_TEXT[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": _schema_ref(Problem)}},
        }
    scope = f"{res.scope}:{'read' if op.method == 'GET' else 'write'}"
    responses["403"]["description"] = f"{_ERROR_TEXT[403]}: {scope}"
    responses["403"]["headers"] = {
        "WWW-Authenticate": {
            "description": "With code insufficient_scope (RFC 6750 section 3.1): "
            f'Bearer error="insufficient_scope", scope="{scope}"',
            "schema": {"type": "string"},
        }
    }
    return responses


def operation_object(
    res: Resource, op: Operation, models: ResourceModels, params: ListParams
) -> dict[str, Any]:
    """The OpenAPI operation object of `op`."""
    parameters: list[dict[str, Any]] = []
    if res.parent is not None:
        parameters.append(
            _path_parameter(
                res.parent.param, f"The {res.parent.resource.title.lower()}'s id or number."
            )
        )
    if "{id}" in op.path_suffix:
        parameters.append(_path_parameter("id", "The record's id, or its number."))
    parameters += _header_parameters(op)
    if op.kind is OperationKind.LIST:
        parameters += _list_parameters(res, params)
    elif op.kind is OperationKind.GET:
        parameters.append(
            _query_parameter(
                "include_deleted",
                "Also find a soft-deleted record (agents and admins; ignored for requesters).",
                {"type": "boolean", "default": False},
            )
        )
    operation: dict[str, Any] = {
        "tags": [res.title],
        "operationId": f"{res.name}-{op.name}",
        "summary": op.summary,
        "description": op.summary + (" Admins only." if op.admin_only else ""),
        "parameters": parameters,
        "responses": _responses(res, op, models),
        "security": [{"bearer": []}, {"apiKey": []}],
    }
    batches = batch_models_for(res)
    body_model = {
        OperationKind.CREATE: models.create,
        OperationKind.UPDATE: models.update,
        OperationKind.BATCH_CREATE: batches.create,
        OperationKind.BATCH_UPDATE: batches.update,
    }
    if op.name in models.actions:
        body_model[op.kind] = models.actions[op.name]
    if op.kind in body_model:
        content: dict[str, Any] = {"schema": _schema_ref(body_model[op.kind])}
        if op.kind in _BATCH_EXAMPLES:
            content["example"] = _BATCH_EXAMPLES[op.kind]
        operation["requestBody"] = {"required": True, "content": {"application/json": content}}
    return operation


def _resource_paths(list_params: Mapping[str, ListParams]) -> dict[str, dict[str, Any]]:
    paths: dict[str, dict[str, Any]] = {}
    for res in RESOURCES:
        models = models_for(res)
        params = list_params[res.name]
        for op in res.operations:
            item = paths.setdefault(res.path + op.path_suffix, {})
            item[op.method.lower()] = operation_object(res, op, models, params)
    return paths


def install_openapi(app: FastAPI, list_params: Mapping[str, ListParams]) -> None:
    """Generate the document once: the resources' operations from the manifest,
    the other routes (manifest, health) from FastAPI's own description."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        schema["paths"] = {**_resource_paths(list_params), **schema.get("paths", {})}
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        updates = {models_for(res).update for res in RESOURCES}
        extra_models: list[type[BaseModel]] = [Problem, *updates]
        for res in RESOURCES:
            models = models_for(res)
            extra_models += [models.public, models.page, models.create, *models.actions.values()]
            batches = batch_models_for(res)
            if batches.create or batches.update:
                extra_models += [m for m in (batches.create, batches.update) if m is not None]
                extra_models.append(batches.results)
        extra_models += TOKEN_MODELS
        schema["paths"][TOKEN_PATH] = token_path_item()
        for model in extra_models:
            model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            if model in updates:
                # An omitted field keeps its value: there is no default to document.
                for prop in model_schema["properties"].values():
                    prop.pop("default", None)
            for name, definition in model_schema.pop("$defs", {}).items():
                # A model already described stays as described (an update's, without defaults).
                components.setdefault(name, definition)
            components[model.__name__] = model_schema
        schema["components"]["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            "apiKey": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "edm_sk_…",
                "description": "An application's API key, sent as it is.",
            },
            "clientBasic": {
                "type": "http",
                "scheme": "basic",
                "description": "client_id:client_secret of the token endpoint (RFC 6749 §2.3.1).",
            },
        }
        schema["security"] = [{"bearer": []}]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
