"""The EDM Python SDK: `edm.Client` / `edm.AsyncClient` and what they return.

Resource classes and record models are generated from the manifest into
`_generated.py` (see `edm.client.codegen`); everything else here is the
generic machinery they share: configuration, retries, errors and pages.
"""

from edm.client import _generated
from edm.client._batch import BatchItemError, BatchResult
from edm.client._client import AsyncClient, Client
from edm.client._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    EDMError,
    FieldError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitError,
    UnprocessableEntityError,
)
from edm.client._generated import *  # noqa: F403  (models and their literal types)
from edm.client._models import EDMModel
from edm.client._pagination import AsyncPage, AsyncPaginator, SyncPage
from edm.client._types import NOT_GIVEN, NotGiven

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncPage",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "BatchItemError",
    "BatchResult",
    "Client",
    "ConflictError",
    "EDMError",
    "EDMModel",
    "FieldError",
    "InternalServerError",
    "NotFoundError",
    "NotGiven",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "RateLimitError",
    "SyncPage",
    "UnprocessableEntityError",
]
__all__ += _generated.__all__
