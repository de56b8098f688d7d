"""Cursor pages: one page of records that knows how to ask for the next.

A page is what one list response said (`data`, `has_more`, `next_cursor`)
plus a `fetch` callback that re-issues the same list request with another
cursor. Iterating a page walks it and every following page, fetching each
only when the previous one is used up.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import Any, Generic, TypeVar

from edm.client._errors import EDMError
from edm.client._models import EDMModel

M = TypeVar("M", bound=EDMModel)


class _Page(Generic[M]):
    def __init__(self, data: list[M], *, has_more: bool, next_cursor: str | None) -> None:
        self.data = data
        self.has_more = has_more
        self.next_cursor = next_cursor

    def has_next_page(self) -> bool:
        return self.has_more and self.next_cursor is not None

    def _next_cursor(self) -> str:
        if not self.has_next_page() or self.next_cursor is None:
            raise EDMError("This is the last page; check has_next_page() first")
        return self.next_cursor

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(data=<{len(self.data)} records>, "
            f"has_more={self.has_more}, next_cursor={self.next_cursor!r})"
        )


def page_fields(body: Any, model: type[M]) -> tuple[list[M], bool, str | None]:
    """`data`, `has_more` and `next_cursor` of a list response body."""
    return (
        [model.model_validate(item) for item in body["data"]],
        bool(body.get("has_more")),
        body.get("next_cursor"),
    )


class SyncPage(_Page[M]):
    def __init__(
        self,
        data: list[M],
        *,
        has_more: bool,
        next_cursor: str | None,
        fetch: Callable[[str], SyncPage[M]],
    ) -> None:
        super().__init__(data, has_more=has_more, next_cursor=next_cursor)
        self._fetch = fetch

    def get_next_page(self) -> SyncPage[M]:
        return self._fetch(self._next_cursor())

    def iter_pages(self) -> Iterator[SyncPage[M]]:
        """This page and each following one."""
        page = self
        yield page
        while page.has_next_page():
            page = page.get_next_page()
            yield page

    def __iter__(self) -> Iterator[M]:
        for page in self.iter_pages():
            yield from page.data


class AsyncPage(_Page[M]):
    def __init__(
        self,
        data: list[M],
        *,
        has_more: bool,
        next_cursor: str | None,
        fetch: Callable[[str], Awaitable[AsyncPage[M]]],
    ) -> None:
        super().__init__(data, has_more=has_more, next_cursor=next_cursor)
        self._fetch = fetch

    async def get_next_page(self) -> AsyncPage[M]:
        return await self._fetch(self._next_cursor())

    async def iter_pages(self) -> AsyncIterator[AsyncPage[M]]:
        """This page and each following one."""
        page = self
        yield page
        while page.has_next_page():
            page = await page.get_next_page()
            yield page

    async def __aiter__(self) -> AsyncIterator[M]:
        async for page in self.iter_pages():
            for item in page.data:
                yield item


class AsyncPaginator(Generic[M]):
    """What an async `list()` returns before anything is sent.

    `await` it for the first page, or `async for` over it to walk the records
    of every page; no request is made until one of the two happens.
    """

    def __init__(self, first_page: Callable[[], Awaitable[AsyncPage[M]]]) -> None:
        self._first_page = first_page

    def __await__(self) -> Generator[Any, None, AsyncPage[M]]:
        return self._first_page().__await__()

    async def __aiter__(self) -> AsyncIterator[M]:
        async for item in await self:
            yield item
