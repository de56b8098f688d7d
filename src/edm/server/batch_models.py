"""Pydantic models of the batch operations' bodies and results, from the manifest.

They document the batch operations in OpenAPI; the handlers
(`edm.server.batch`) validate each item with the resource's own create and
update models, so that an invalid item is that item's error only.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import cache, reduce
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, RootModel, create_model
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


def _variant(name: str, item: Any, limit: int | None, **flags: Any) -> type[BaseModel]:
    sizes = PydanticField(
        min_length=1,
        max_length=limit,
        description="Each item is validated alone: an invalid one is its own result's 422, "
        "or in an atomic batch the batch's.",
    )
    return create_model(name, __config__=_BODY, items=(list[item], sizes), **flags)


def _atomic(atomic: bool) -> Any:
    described = PydanticField(description="Write every item or none.")
    if not atomic:
        described = PydanticField(False, description="Write every item or none.")
    return (Literal[atomic], described)


def _either(name: str, *variants: type[BaseModel]) -> type[BaseModel]:
    """A batch body as the server takes it: a batch that is not atomic takes any
    objects as items (an invalid one is answered in its own result), an atomic
    one only valid items (one invalid item refuses the batch with a 422)."""
    body: Any = reduce(operator.or_, variants)
    return create_model(name, __base__=RootModel[body])


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
        stamped = create_model(f"{title}BatchCreateItem", __base__=models.create, **stamps)
        preserve: dict[str, Any] = {}
        plain: dict[str, Any] = {}
        if op.preservable:
            described = "Admins importing history: items may carry " + ", ".join(op.preservable)
            preserve = {"preserve_timestamps": (bool, PydanticField(False, description=described))}
            plain = {"preserve_timestamps": (Literal[False], PydanticField(False))}
        limit = op.max_items
        variants = [
            _variant(
                f"{title}BatchCreateEach",
                stamped | dict[str, Any],
                limit,
                atomic=_atomic(False),
                **preserve,
            ),
            _variant(
                f"{title}BatchCreateAtomic", models.create, limit, atomic=_atomic(True), **plain
            ),
        ]
        if op.preservable:
            imported = (Literal[True], PydanticField(description=described))
            variants.append(
                _variant(
                    f"{title}BatchImport",
                    stamped,
                    limit,
                    atomic=_atomic(True),
                    preserve_timestamps=imported,
                )
            )
        create = _either(f"{title}BatchCreate", *variants)
    if (op := ops.get(OperationKind.BATCH_UPDATE)) is not None:
        item = create_model(
            f"{title}BatchUpdateItem",
            __config__=_BODY,
            id=(str, PydanticField(min_length=1, description="The record's id, or its number.")),
            if_match=(str | None, PydanticField(None, description="Its ETag, else 412.")),
            changes=(models.update, ...),
        )
        update = _either(
            f"{title}BatchUpdate",
            _variant(
                f"{title}BatchUpdateEach",
                item | dict[str, Any],
                op.max_items,
                atomic=_atomic(False),
            ),
            _variant(f"{title}BatchUpdateAtomic", item, op.max_items, atomic=_atomic(True)),
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
