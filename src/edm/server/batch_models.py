"""Pydantic models of the batch operations' bodies and results, from the manifest.

They document the batch operations in OpenAPI; the handlers
(`edm.server.batch`) validate each item with the resource's own create and
update models, so that an invalid item is that item's error only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, create_model
from pydantic import Field as PydanticField

from edm.manifest import OperationKind, Resource
from edm.server.models import models_for
from edm.server.problems import Problem

_BODY = ConfigDict(extra="forbid")


@dataclass(frozen=True, slots=True)
class BatchModels:
    create: type[BaseModel] | None  # the body of a batch create, if the resource has one
    update: type[BaseModel] | None
    results: type[BaseModel]


def _items(model: Any, limit: int | None) -> Any:
    """Items of `model`'s shape; any other object is accepted too, as an
    item whose own result is its 422."""
    return (
        list[model | dict[str, Any]],
        PydanticField(
            min_length=1,
            max_length=limit,
            description="Each item is validated alone: an invalid one is its own result's 422.",
        ),
    )


def _atomic() -> Any:
    return (bool, PydanticField(False, description="Write every item or none."))


@cache
def batch_models_for(res: Resource) -> BatchModels:
    models = models_for(res)
    title = res.title.replace(" ", "")
    ops = {op.kind: op for op in res.operations}
    create = update = None
    if (op := ops.get(OperationKind.BATCH_CREATE)) is not None:
        stamps: dict[str, Any] = {
            name: (
                AwareDatetime | None,
                PydanticField(None, description=f"Only with preserve_timestamps: the {name}."),
            )
            for name in op.preservable
        }
        item = create_model(f"{title}BatchCreateItem", __base__=models.create, **stamps)
        flags: dict[str, Any] = {"atomic": _atomic()}
        if op.preservable:
            flags["preserve_timestamps"] = (
                bool,
                PydanticField(
                    False,
                    description="Admins importing history: items may carry "
                    + ", ".join(op.preservable),
                ),
            )
        create = create_model(
            f"{title}BatchCreate", __config__=_BODY, items=_items(item, op.max_items), **flags
        )
    if (op := ops.get(OperationKind.BATCH_UPDATE)) is not None:
        item = create_model(
            f"{title}BatchUpdateItem",
            __config__=_BODY,
            id=(str, PydanticField(description="The record's id, or its number.")),
            if_match=(str | None, PydanticField(None, description="Its ETag, else 412.")),
            changes=(models.update, ...),
        )
        update = create_model(
            f"{title}BatchUpdate",
            __config__=_BODY,
            items=_items(item, op.max_items),
            atomic=_atomic(),
        )
    public: Any = models.public
    result = create_model(
        f"{title}BatchResult",
        status=(int, PydanticField(description="The item's own status: 201/200, or 4xx.")),
        data=(public | None, PydanticField(None, description="The record written.")),
        error=(Problem | None, PydanticField(None, description="Why the item failed.")),
    )
    results = create_model(f"{title}BatchResults", data=(list[result], ...))  # type: ignore[valid-type]
    return BatchModels(create, update, results)
