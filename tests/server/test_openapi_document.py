"""The OpenAPI document and the database schema against the manifest (issue 2 items 2, 7).

The manifest is the one source of truth: each test derives its expectation
from `edm.manifest.RESOURCES` and fails when a derived artefact (the
OpenAPI document, the request models, the tables, the migrations) drifts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect

from edm.manifest import RESOURCES, Operation, OperationKind, Resource
from edm.store.database import normalize_url
from edm.store.outside_metadata import include_in_autogenerate
from edm.store.schema import TABLES, metadata

PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "errors", "request_id"}
PROBLEM_MEDIA_TYPE = "application/problem+json"
BODY_KINDS = {OperationKind.CREATE, OperationKind.UPDATE, OperationKind.ACTION}


def has_kind(res: Resource, kind: OperationKind) -> bool:
    return any(op.kind is kind for op in res.operations)


def resources_with(kind: OperationKind) -> list[Resource]:
    return [res for res in RESOURCES if has_kind(res, kind)]


def resource_params(resources: Sequence[Resource] = RESOURCES) -> list[Any]:
    return [pytest.param(res, id=res.name) for res in resources]


OPERATIONS = [
    pytest.param(res, op, id=f"{res.name}-{op.name}") for res in RESOURCES for op in res.operations
]


@pytest.fixture(scope="module")
def document(http: TestClient) -> dict[str, Any]:
    response = http.get("/openapi.json")
    assert response.status_code == 200
    doc: dict[str, Any] = response.json()
    return doc


def operation_of(document: dict[str, Any], res: Resource, op: Operation) -> dict[str, Any]:
    path_item = document["paths"][res.path + op.path_suffix]
    operation: dict[str, Any] = path_item[op.method.lower()]
    return operation


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Follow a local `$ref` (one level is all the document uses)."""
    ref = schema.get("$ref")
    if ref is None:
        return schema
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    resolved: dict[str, Any] = node
    return resolved


def schema_title(res: Resource) -> str:
    return res.title.replace(" ", "")


def component(document: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"][name]
    return schema


def enum_values(schema: dict[str, Any]) -> set[str]:
    """The enum of a property, whether given directly, in a nullable `anyOf` or
    for the items of a list."""
    found = set(schema.get("enum") or ())
    if "items" in schema:
        found |= enum_values(schema["items"])
    for option in schema.get("anyOf", ()):
        found |= enum_values(option)
    return found


# -- the document -------------------------------------------------------------------


def test_document_is_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1.")


def test_document_passes_the_openapi_3_1_validator(document: dict[str, Any]) -> None:
    validator = pytest.importorskip("openapi_spec_validator")

    errors = [error.message for error in validator.OpenAPIV31SpecValidator(document).iter_errors()]

    assert errors == []


@pytest.mark.parametrize(("res", "op"), OPERATIONS)
def test_every_manifest_operation_is_documented_with_its_operation_id(
    document: dict[str, Any], res: Resource, op: Operation
) -> None:
    assert operation_of(document, res, op)["operationId"] == f"{res.name}-{op.name}"


def test_operation_ids_are_unique(document: dict[str, Any]) -> None:
    ids = [
        operation["operationId"]
        for path_item in document["paths"].values()
        for operation in path_item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]

    assert len(ids) == len(set(ids))


def documented_errors(op: Operation) -> set[int]:
    """Statuses the server can answer for `op`, from SPEC sections 3 and 4."""
    statuses = {400, 401, 403}
    if "{" in op.path_suffix:
        statuses.add(404)
    if op.kind in BODY_KINDS:
        statuses |= {413, 415, 422}
    return statuses


@pytest.mark.parametrize(("res", "op"), OPERATIONS)
def test_error_responses_are_documented_as_problems(
    document: dict[str, Any], res: Resource, op: Operation
) -> None:
    responses = operation_of(document, res, op)["responses"]

    missing = documented_errors(op) - {int(status) for status in responses}
    assert not missing, f"undocumented error statuses: {sorted(missing)}"
    for status in documented_errors(op):
        schema = resolve(document, responses[str(status)]["content"][PROBLEM_MEDIA_TYPE]["schema"])
        assert set(schema["properties"]) == PROBLEM_KEYS


def test_problem_schema_requires_every_member(document: dict[str, Any]) -> None:
    assert set(component(document, "Problem")["required"]) == PROBLEM_KEYS


@pytest.mark.parametrize("path", ["/api/v1/manifest", "/healthz", "/readyz"])
def test_operations_without_auth_declare_no_security(document: dict[str, Any], path: str) -> None:
    assert document["paths"][path]["get"].get("security") == []


@pytest.mark.parametrize(("res", "op"), OPERATIONS)
def test_resource_operations_require_the_bearer_scheme(
    document: dict[str, Any], res: Resource, op: Operation
) -> None:
    requirement = operation_of(document, res, op).get("security", document.get("security"))
    schemes = document["components"]["securitySchemes"]

    assert requirement
    assert all(schemes[name]["scheme"] == "bearer" for entry in requirement for name in entry)


# -- schemas of the resources ----------------------------------------------------------------


@pytest.mark.parametrize("res", resource_params())
def test_public_schema_has_exactly_the_manifest_fields(
    document: dict[str, Any], res: Resource
) -> None:
    schema = component(document, schema_title(res))

    assert set(schema["properties"]) == {f.name for f in (*res.fields, *res.revealed_fields)}
    assert set(schema["required"]) <= {f.name for f in res.fields}


def write_schemas(res: Resource) -> list[str]:
    suffixes = {OperationKind.CREATE: "Create", OperationKind.UPDATE: "Update"}
    return [schema_title(res) + s for kind, s in suffixes.items() if has_kind(res, kind)]


WRITE_SCHEMAS = [
    pytest.param(res, name, id=name) for res in RESOURCES for name in write_schemas(res)
]


@pytest.mark.parametrize(("res", "name"), WRITE_SCHEMAS)
def test_write_schemas_have_exactly_the_writable_fields(
    document: dict[str, Any], res: Resource, name: str
) -> None:
    schema = component(document, name)

    assert set(schema["properties"]) == {f.name for f in res.writable_fields}
    assert schema.get("additionalProperties") is False


@pytest.mark.parametrize("res", resource_params(resources_with(OperationKind.CREATE)))
def test_create_schema_requires_what_the_manifest_requires(
    document: dict[str, Any], res: Resource
) -> None:
    schema = component(document, schema_title(res) + "Create")

    assert set(schema.get("required", ())) == {f.name for f in res.writable_fields if f.required}


@pytest.mark.parametrize("res", resource_params(resources_with(OperationKind.UPDATE)))
def test_update_schema_requires_nothing(document: dict[str, Any], res: Resource) -> None:
    """An update is partial: any subset of the writable fields."""
    assert not component(document, schema_title(res) + "Update").get("required")


@pytest.mark.parametrize(("res", "name"), WRITE_SCHEMAS)
def test_write_schemas_carry_the_manifest_enums_and_lengths(
    document: dict[str, Any], res: Resource, name: str
) -> None:
    properties = component(document, name)["properties"]

    for field in res.writable_fields:
        prop = properties[field.name]
        assert enum_values(prop) == set(field.enum or ()), field.name
        if field.max_length is not None:
            lengths = [prop.get("maxLength")] + [o.get("maxLength") for o in prop.get("anyOf", ())]
            assert field.max_length in lengths, field.name


def query_value(parameter: dict[str, Any]) -> str:
    """A value the server must accept for a documented query parameter."""
    schema = parameter["schema"]
    if schema.get("enum"):
        return str(schema["enum"][0])
    if schema.get("type") == "integer":
        return str(schema.get("default", schema.get("minimum", 1)))
    if schema.get("type") == "boolean":
        return "true"
    if schema.get("format") == "date-time":
        return "2030-01-01T00:00:00Z"
    return "null"  # the literal that matches a missing value, valid for every filter


def list_parameters(document: dict[str, Any], res: Resource) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = operation_of(
        document, res, next(op for op in res.operations if op.kind is OperationKind.LIST)
    )["parameters"]
    return [p for p in parameters if p["in"] == "query"]


@pytest.mark.parametrize("res", resource_params(resources_with(OperationKind.LIST)))
def test_every_filterable_field_is_a_documented_list_parameter(
    document: dict[str, Any], res: Resource
) -> None:
    documented = {p["name"] for p in list_parameters(document, res)}

    assert {f.query_name for f in res.filterable_fields} <= documented


# Nested resources need a parent record; their list parameters are parsed the same way.
@pytest.mark.parametrize(
    "res", resource_params([r for r in resources_with(OperationKind.LIST) if "{" not in r.path])
)
def test_every_documented_list_parameter_is_accepted(
    document: dict[str, Any], admin: Any, res: Resource
) -> None:
    """Docs and query parsing drift apart: a documented parameter the server refuses fails."""
    refused = {}
    for parameter in list_parameters(document, res):
        if parameter["name"] == "cursor":  # opaque: only a server-issued one is valid
            continue
        response = admin.get(res.path, params={parameter["name"]: query_value(parameter)})
        if response.status_code != 200:
            refused[parameter["name"]] = response.json()["detail"]

    assert not refused


# -- tables and migrations ---------------------------------------------------------------------


@pytest.mark.parametrize("res", resource_params())
def test_table_has_a_column_for_every_manifest_field(res: Resource) -> None:
    columns = TABLES[res.name].columns

    assert {f.name for f in res.fields} <= set(columns.keys())
    assert {f.name: columns[f.name].nullable for f in res.fields} == {
        f.name: f.nullable for f in res.fields
    }


@pytest.mark.parametrize("res", resource_params())
def test_primary_key_leads_with_the_tenant(res: Resource) -> None:
    assert next(iter(TABLES[res.name].primary_key.columns)).name == "tenant_id"


def test_migrated_database_matches_the_tables_built_from_the_manifest(database_url: str) -> None:
    engine = create_engine(normalize_url(database_url))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={"compare_type": True, "include_name": include_in_autogenerate},
            )
            differences = compare_metadata(context, metadata)
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()

    assert differences == []
    assert set(TABLES) <= tables
