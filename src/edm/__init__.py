"""EDM: a multi-tenant, API-first helpdesk platform.

The SDK's entry points are re-exported here (`edm.Client`, `edm.APIError`,
...) but imported only on first use, so `edm.manifest` and `edm.server` do
not pull in httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from edm.client import (
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        AsyncClient,
        AuthenticationError,
        BadRequestError,
        Client,
        ConflictError,
        EDMError,
        InternalServerError,
        NotFoundError,
        PermissionDeniedError,
        PreconditionFailedError,
        RateLimitError,
        UnprocessableEntityError,
    )

    __version__: str

_SDK_NAMES = frozenset(
    {
        "APIConnectionError",
        "APIError",
        "APIStatusError",
        "APITimeoutError",
        "AsyncClient",
        "AuthenticationError",
        "BadRequestError",
        "Client",
        "ConflictError",
        "EDMError",
        "InternalServerError",
        "NotFoundError",
        "PermissionDeniedError",
        "PreconditionFailedError",
        "RateLimitError",
        "UnprocessableEntityError",
    }
)

__all__ = sorted([*_SDK_NAMES, "__version__"])


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("edm")
    if name in _SDK_NAMES:
        import edm.client

        return getattr(edm.client, name)
    raise AttributeError(f"module 'edm' has no attribute {name!r}")
