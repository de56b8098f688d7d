"""The batch operations in the OpenAPI document, derived from the manifest (SPEC 11)."""

from __future__ import annotations

from typing import Any

import pytest

from edm.manifest import BATCH_KINDS, RESOURCES

BATCHES = [
    pytest.param(res, op, id=f"{res.name}-{op.name}")
    for res in RESOURCES
    for op in res.operations
    if op.kind in BATCH_KINDS
]


@pytest.fixture(scope="module")
def document(http: Any) -> dict[str, Any]:
    response = http.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(("res", "op"), BATCHES)
def test_batch_operation_is_documented_with_an_example_body(document, res, op) -> None:
    operation = document["paths"][res.path + "/batch"][op.method.lower()]
    assert operation["operationId"] == f"{res.name}-{op.name}"
    content = operation["requestBody"]["content"]["application/json"]
    for variant in _variants(document, content["schema"]):
        assert variant["properties"]["items"]["maxItems"] == op.max_items
        assert variant["properties"]["items"]["minItems"] == 1
    assert content["example"]["items"] and content["example"]["atomic"] is False
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    results = document["components"]["schemas"][ok.split("/")[-1]]
    assert set(results["properties"]) == {"data"}
    assert "413" in operation["responses"] and "429" in operation["responses"]


def _variants(document: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The bodies a batch operation takes: its schema's alternatives (atomic or not)."""
    schemas = document["components"]["schemas"]
    body = schemas[schema["$ref"].split("/")[-1]]
    return [schemas[alternative["$ref"].split("/")[-1]] for alternative in body["anyOf"]]


def test_an_atomic_batch_takes_only_valid_items(document) -> None:
    """Any object is an item of a batch that is not atomic (an invalid one is
    its own result's 422); an atomic batch takes valid items only."""
    schemas = document["components"]["schemas"]
    each, atomic, imported = _variants(document, {"$ref": "#/TicketBatchCreate"})
    assert each["properties"]["atomic"]["const"] is False
    assert {"type": "object", "additionalProperties": True} in each["properties"]["items"]["items"][
        "anyOf"
    ]
    assert atomic["properties"]["atomic"]["const"] is True
    assert atomic["properties"]["items"]["items"]["$ref"].endswith("/TicketCreate")
    assert imported["properties"]["preserve_timestamps"]["const"] is True
    assert imported["properties"]["items"]["items"]["$ref"].endswith("/TicketBatchCreateItem")
    assert "TicketBatchCreateItem" in schemas


def test_only_a_batch_create_takes_preserved_timestamps(document) -> None:
    schemas = document["components"]["schemas"]
    create_item = schemas["TicketBatchCreateItem"]["properties"]
    for name in ("created_at", "updated_at", "resolved_at", "first_response_at"):
        assert name in create_item
    creates = _variants(document, {"$ref": "#/TicketBatchCreate"})
    assert all("preserve_timestamps" in variant["properties"] for variant in creates)
    updates = _variants(document, {"$ref": "#/TicketBatchUpdate"})
    assert not any("preserve_timestamps" in variant["properties"] for variant in updates)
