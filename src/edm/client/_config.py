"""Client settings: arguments first, then the environment, then defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from edm import __version__
from edm.client._errors import EDMError
from edm.client._types import Timeout

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
API_KEY_PREFIX = "edm_sk_"
USER_AGENT = f"edm-python/{__version__} httpx/{httpx.__version__}"


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Everything a client needs to know to talk to one EDM server."""

    base_url: str
    token: str
    timeout: Timeout
    max_retries: int
    default_headers: Mapping[str, str]

    @classmethod
    def resolve(
        cls,
        base_url: str | None,
        token: str | None,
        *,
        timeout: Timeout,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        api_key: str | None = None,
    ) -> ClientConfig:
        """Fill `base_url` and the credential from `EDM_BASE_URL` and `EDM_TOKEN` /
        `EDM_API_KEY` when not given.

        The credential is a token (a JWT) or an application's API key
        (`edm_sk_…`), which the server takes as a bearer token too. A missing
        one fails here, before any request, rather than as a 401 from the
        server that does not say which setting was forgotten.
        """
        if token and api_key:
            raise EDMError("Pass token=... or api_key=..., not both")
        if api_key is not None and not api_key.startswith(API_KEY_PREFIX):
            raise EDMError(f"api_key must be an EDM API key ({API_KEY_PREFIX}…)")
        token = token or api_key or os.environ.get("EDM_TOKEN") or os.environ.get("EDM_API_KEY")
        if not token:
            raise EDMError(
                "No API token: pass token=... or api_key=... to the client, or set EDM_TOKEN "
                "or EDM_API_KEY (`edm token` mints a token for a local server)"
            )
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        base_url = base_url or os.environ.get("EDM_BASE_URL") or DEFAULT_BASE_URL
        return cls(
            base_url=base_url.rstrip("/"),
            token=token,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=dict(default_headers or {}),
        )

    def headers(self) -> dict[str, str]:
        """Headers sent with every request; `default_headers` override the SDK's own."""
        return {
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            "Authorization": f"Bearer {self.token}",
            **self.default_headers,
        }
