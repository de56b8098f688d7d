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
    body_schema = document["components"]["schemas"][content["schema"]["$ref"].split("/")[-1]]
    assert body_schema["properties"]["items"]["maxItems"] == op.max_items
    assert body_schema["properties"]["items"]["minItems"] == 1
    assert content["example"]["items"] and content["example"]["atomic"] is False
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    results = document["components"]["schemas"][ok.split("/")[-1]]
    assert set(results["properties"]) == {"data"}
    assert "413" in operation["responses"] and "429" in operation["responses"]


def test_only_a_batch_create_takes_preserved_timestamps(document) -> None:
    schemas = document["components"]["schemas"]
    create_item = schemas["TicketBatchCreateItem"]["properties"]
    for name in ("created_at", "updated_at", "resolved_at", "first_response_at"):
        assert name in create_item
    assert "preserve_timestamps" in schemas["TicketBatchCreate"]["properties"]
    assert "preserve_timestamps" not in schemas["TicketBatchUpdate"]["properties"]
