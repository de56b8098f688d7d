"""What a batch operation returns: one result per item, in item order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeAlias, TypeVar

import httpx

from edm.client._errors import FieldError
from edm.client._models import EDMModel

M = TypeVar("M", bound=EDMModel)


@dataclass(frozen=True, slots=True)
class BatchItemError:
    """Why one item failed: its problem document's status, code, detail and field errors."""

    status: int
    code: str | None
    detail: str
    errors: list[FieldError]


class BatchResult(Generic[M]):
    """One item's outcome: `record` when written (`status` 201 or 200), else `error`.

    The record is validated when first read: a caller that checks only the
    statuses (an import of many thousands) does not pay for models it never uses.
    """

    __slots__ = ("_data", "_model", "_record", "error", "status")

    def __init__(
        self,
        status: int,
        *,
        data: dict[str, Any] | None = None,
        model: type[M] | None = None,
        error: BatchItemError | None = None,
    ) -> None:
        self.status = status
        self.error = error
        self._data, self._model = data, model
        self._record: M | None = None

    @property
    def record(self) -> M | None:
        if self._record is None and self._data is not None and self._model is not None:
            self._record = self._model.from_response(self._data)
        return self._record

    @property
    def ok(self) -> bool:
        return self.error is None

    def __repr__(self) -> str:
        return f"BatchResult(status={self.status}, record={self.record!r}, error={self.error!r})"


# The results of a batch, in item order (an alias: generated resource
# classes have a `list` method, which hides the builtin in their bodies).
BatchResults: TypeAlias = list[BatchResult[M]]


def parse_batch(model: type[M], response: httpx.Response) -> BatchResults[M]:
    return [_result(model, item) for item in response.json()["data"]]


def _result(model: type[M], item: dict[str, Any]) -> BatchResult[M]:
    status = int(item["status"])
    if "data" in item and item["data"] is not None:
        return BatchResult(status, data=item["data"], model=model)
    problem = item.get("error") or {}
    errors = [
        FieldError(e.get("field"), str(e.get("code")), str(e.get("message")))
        for e in problem.get("errors") or ()
        if isinstance(e, dict)
    ]
    detail = str(problem.get("detail") or problem.get("title") or "")
    return BatchResult(status, error=BatchItemError(status, problem.get("code"), detail, errors))
