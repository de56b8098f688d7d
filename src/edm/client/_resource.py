"""Bases of the generated namespaces and resource classes.

The generated classes only declare signatures (derived from the manifest)
and describe each call as `RequestOptions`; sending it and turning the
response into a record or a page happens here, once for every resource.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import httpx

from edm.client._batch import BatchResults, parse_batch
from edm.client._models import EDMModel
from edm.client._pagination import AsyncPage, AsyncPaginator, SyncPage, page_fields
from edm.client._requester import AsyncRequester, RequestOptions, SyncRequester

M = TypeVar("M", bound=EDMModel)


class SyncNamespace:
    """A group of resources (a domain such as `client.helpdesk`) or a resource."""

    def __init__(self, requester: SyncRequester) -> None:
        self._requester = requester


class AsyncNamespace:
    """A group of resources (a domain such as `client.helpdesk`) or a resource."""

    def __init__(self, requester: AsyncRequester) -> None:
        self._requester = requester


class SyncResource(SyncNamespace, Generic[M]):
    _model: type[M]

    def _record(self, options: RequestOptions) -> M:
        return _parse_record(self._model, self._requester.request(options))

    def _batch(self, options: RequestOptions) -> BatchResults[M]:
        return parse_batch(self._model, self._requester.request(options))

    def _list(self, options: RequestOptions) -> SyncPage[M]:
        def fetch(cursor: str | None) -> SyncPage[M]:
            response = self._requester.request(options.at_cursor(cursor))
            data, has_more, next_cursor = page_fields(response.json(), self._model)
            return SyncPage(data, has_more=has_more, next_cursor=next_cursor, fetch=fetch)

        return fetch(None)


class AsyncResource(AsyncNamespace, Generic[M]):
    _model: type[M]

    async def _record(self, options: RequestOptions) -> M:
        return _parse_record(self._model, await self._requester.request(options))

    async def _batch(self, options: RequestOptions) -> BatchResults[M]:
        return parse_batch(self._model, await self._requester.request(options))

    def _list(self, options: RequestOptions) -> AsyncPaginator[M]:
        async def fetch(cursor: str | None) -> AsyncPage[M]:
            response = await self._requester.request(options.at_cursor(cursor))
            data, has_more, next_cursor = page_fields(response.json(), self._model)
            return AsyncPage(data, has_more=has_more, next_cursor=next_cursor, fetch=fetch)

        return AsyncPaginator(lambda: fetch(None))


def _parse_record(model: type[M], response: httpx.Response) -> M:
    return model.from_response(response.json(), etag=response.headers.get("etag"))
