"""`edm.Client` and `edm.AsyncClient`: configuration plus the domain namespaces."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Self

import httpx

from edm.client._config import ClientConfig
from edm.client._generated import AsyncDomains, Domains
from edm.client._requester import AsyncRequester, SyncRequester


class Client(Domains):
    """A synchronous EDM API client: `client.helpdesk.tickets.list()` and so on.

    `base_url` and `token` default to `EDM_BASE_URL` and `EDM_TOKEN` (the base
    URL then to `http://127.0.0.1:8000`). An integration passes its API key
    instead, `api_key="edm_sk_…"` (or `EDM_API_KEY`), which it sends as its
    bearer token. Without either the constructor raises `EDMError`.
    `max_retries` bounds the retries of failures a retry can fix. Pass
    `http_client` to supply your own `httpx.Client` (e.g. with a test
    transport); the client then leaves closing it to you.
    """

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        api_key: str | None = None,
        timeout: float | httpx.Timeout | None = 30.0,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        config = ClientConfig.resolve(
            base_url,
            token,
            api_key=api_key,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
        )
        super().__init__(SyncRequester(config, http_client))

    @property
    def base_url(self) -> str:
        return self._requester.config.base_url

    def close(self) -> None:
        self._requester.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient(AsyncDomains):
    """An asyncio EDM API client: `await client.helpdesk.tickets.get(...)` and so on.

    Takes the same arguments as `Client`; `http_client` is an `httpx.AsyncClient`.
    """

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        api_key: str | None = None,
        timeout: float | httpx.Timeout | None = 30.0,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        config = ClientConfig.resolve(
            base_url,
            token,
            api_key=api_key,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
        )
        super().__init__(AsyncRequester(config, http_client))

    @property
    def base_url(self) -> str:
        return self._requester.config.base_url

    async def aclose(self) -> None:
        await self._requester.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
