"""The generated SDK module cannot drift from the manifest."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, get_args, get_type_hints

import pydantic
import pytest
from sdk_fakes import BASE_URL, TOKEN

import edm
import edm.client
from edm.client import NOT_GIVEN, codegen
from edm.manifest import RESOURCES, Field, FieldType, Operation, OperationKind, Resource
from edm.manifest.helpdesk import COMMENTS
from edm.manifest.platform import base_fields


def model_of(res: Resource) -> type[edm.client.EDMModel]:
    model: type[edm.client.EDMModel] = getattr(edm.client, res.title.replace(" ", ""))
    return model


def navigate(sdk: edm.Client | edm.AsyncClient, res: Resource) -> Any:
    """`sdk.<domain>.<name>`, or `<parent>.<name>` for a nested resource."""
    owner = navigate(sdk, res.parent.resource) if res.parent else getattr(sdk, res.domain)
    return getattr(owner, res.name)


@pytest.fixture
def sdk() -> Iterator[edm.Client]:
    with edm.Client(BASE_URL, TOKEN) as client:  # sends nothing
        yield client


@pytest.fixture
async def async_sdk() -> AsyncIterator[edm.AsyncClient]:
    async with edm.AsyncClient(BASE_URL, TOKEN) as client:  # sends nothing
        yield client


def expected_type(f: Field) -> Any:
    """The manifest's type map, stated independently of the generator."""
    python: Any = {
        FieldType.BOOLEAN: bool,
        FieldType.INTEGER: int,
        FieldType.DATETIME: datetime,
        FieldType.TAGS: list[Literal[tuple(f.enum)]] if f.enum else list[str],
        FieldType.OBJECT: dict[str, Any],
        FieldType.ENUM: Literal[tuple(f.enum or ())],
    }.get(f.type, str)
    return python | None if f.nullable else python


def test_generated_module_is_fresh() -> None:
    assert codegen.GENERATED_PATH.read_text(encoding="utf-8") == codegen.render(), (
        "src/edm/client/_generated.py is stale: run python -m edm.client.codegen"
    )


def test_check_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "_generated.py"
    target.write_text("# stale\n")
    monkeypatch.setattr(codegen, "GENERATED_PATH", target)
    assert codegen.main(["--check"]) == 1
    assert codegen.main([]) == 0
    assert codegen.main(["--check"]) == 0
    assert target.read_text() == codegen.render()


@pytest.mark.parametrize("res", RESOURCES, ids=lambda r: r.name)
def test_model_fields_and_types_match_the_manifest(res: Resource) -> None:
    model = model_of(res)
    assert list(model.model_fields) == [f.name for f in (*res.fields, *res.revealed_fields)]
    hints = get_type_hints(model)
    for f in res.fields:
        assert hints[f.name] == expected_type(f), f.name
        if f.required:
            assert model.model_fields[f.name].is_required(), f.name
        if f.nullable:
            assert model.model_fields[f.name].default is None, f.name


def test_timestamps_must_carry_a_timezone() -> None:
    with pytest.raises(pydantic.ValidationError, match="timezone"):
        edm.client.Ticket.model_validate(
            {"id": "x", "tenant_id": "t", "number": "TKT-0001", "title": "t",
             "created_at": "2026-01-01T00:00:00", "updated_at": "2026-01-01T00:00:00Z"}
        )  # fmt: skip


@pytest.mark.parametrize("res", RESOURCES, ids=lambda r: r.name)
def test_enum_literals_match_the_manifest(res: Resource) -> None:
    model = model_of(res)
    for f in res.fields:
        if f.type is FieldType.ENUM:
            alias = getattr(edm.client, model.__name__ + f.name.title().replace("_", ""))
            assert get_args(alias) == f.enum


@pytest.mark.parametrize("res", RESOURCES, ids=lambda r: r.name)
def test_one_method_per_operation_with_manifest_parameters(sdk: edm.Client, res: Resource) -> None:
    resource = navigate(sdk, res)
    for op in res.operations:
        params = inspect.signature(getattr(resource, op.name)).parameters
        keyword = [n for n, p in params.items() if p.kind is p.KEYWORD_ONLY]
        assert keyword[-2:] == ["extra_headers", "timeout"], op.name
        if op.kind is OperationKind.LIST:
            assert keyword[:-2] == [
                *(f.query_name for f in res.filterable_fields),
                *(computed.name for computed in res.computed_filters),
                *(["q"] if res.searchable_fields else []),
                *(["order"] if res.sortable_fields else []),
                "limit",
                "cursor",
                "include_deleted",
                *(f.range_param(b) for f in res.fields for b in f.range_filters),
            ]
        elif op.kind in (OperationKind.CREATE, OperationKind.UPDATE):
            assert set(keyword) >= {f.name for f in res.writable_fields}
            assert not set(keyword) & {f.name for f in res.read_only_fields}
        if op.kind is OperationKind.CREATE:
            required = {n for n in keyword if params[n].default is inspect.Parameter.empty}
            assert required == {f.name for f in res.writable_fields if f.required}
            assert "idempotency_key" in keyword
        if op.kind in (OperationKind.UPDATE, OperationKind.DELETE, OperationKind.ACTION):
            assert "if_match" in keyword
        if op.kind is OperationKind.UPDATE:
            assert all(params[f.name].default is NOT_GIVEN for f in res.writable_fields)


@pytest.mark.anyio
@pytest.mark.parametrize("res", RESOURCES, ids=lambda r: r.name)
async def test_async_twins_match_the_sync_signatures(
    sdk: edm.Client, async_sdk: edm.AsyncClient, res: Resource
) -> None:
    for op in res.operations:
        sync_method = getattr(navigate(sdk, res), op.name)
        async_method = getattr(navigate(async_sdk, res), op.name)
        assert inspect.signature(sync_method).parameters.keys() == (
            inspect.signature(async_method).parameters.keys()
        )
        assert inspect.iscoroutinefunction(async_method) is (op.kind is not OperationKind.LIST)


@pytest.mark.parametrize("res", [r for r in RESOURCES if r.parent], ids=lambda r: r.name)
def test_nested_resources_take_the_parent_id_first(sdk: edm.Client, res: Resource) -> None:
    assert res.parent is not None
    for op in res.operations:
        params = list(inspect.signature(getattr(navigate(sdk, res), op.name)).parameters)
        assert params[0] == res.parent.param
    assert not hasattr(getattr(sdk, res.domain), res.name)


def test_a_child_without_its_parent_is_an_error() -> None:
    with pytest.raises(codegen.CodegenError, match="parent 'tickets' is not generated"):
        codegen.render([COMMENTS])


@pytest.mark.parametrize("name", ["to_dict", "etag", "model_dump", "timeout", "class"])
def test_field_names_that_would_clash_are_refused(name: str) -> None:
    clashing = Field(name, FieldType.STRING, "A clash.")
    res = Resource(
        domain="helpdesk",
        name="widgets",
        title="Widget",
        description="Widgets.",
        id_prefix="wdg",
        fields=(*base_fields("wdg"), clashing),
        operations=(Operation("create", OperationKind.CREATE, "Create."),),
    )
    with pytest.raises(codegen.CodegenError, match=name):
        codegen.render([res])
