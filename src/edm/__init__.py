"""EDM: a multi-tenant, API-first helpdesk platform."""

# The SDK's entry points (`edm.Client`, `edm.APIError`, ...) are re-exported
# here but imported on first use, so `edm.manifest` and `edm.server` do not
# pull in httpx. (The docstring above doubles as the API's description.)

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
        BatchItemError,
        BatchResult,
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

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "BatchItemError",
    "BatchResult",
    "Client",
    "ConflictError",
    "EDMError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "RateLimitError",
    "UnprocessableEntityError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("edm")
    if name in __all__:
        import edm.client

        return getattr(edm.client, name)
    raise AttributeError(f"module 'edm' has no attribute {name!r}")
