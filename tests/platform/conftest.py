"""Fixtures for applications and keys: an admin registers, a key is issued."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from platform_paths import APPLICATIONS, TOKEN, keys_path


class Platform:
    """An admin of the test's tenant registering applications and issuing keys."""

    def __init__(self, admin: Any, http: Any) -> None:
        self.admin = admin
        self.http = http

    def application(self, **fields: Any) -> dict[str, Any]:
        response = self.admin.post(APPLICATIONS, json={"name": "bridge", **fields})
        assert response.status_code == 201, response.text
        return dict(response.json())

    def key(self, app_id: str, **fields: Any) -> dict[str, Any]:
        response = self.admin.post(keys_path(app_id), json=fields)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def bearer(self, credential: str) -> Any:
        """A caller (the suite's `Caller`) sending `credential` as its bearer token."""
        return type(self.admin)(self.http, credential)

    def exchange(self, app_id: str, secret: str, **extra: str) -> Any:
        form = {"grant_type": "client_credentials", "client_id": app_id, "client_secret": secret}
        return self.http.post(TOKEN, data={**form, **extra})


@pytest.fixture
def platform(admin: Any, http: Any) -> Platform:
    return Platform(admin, http)


@pytest.fixture
def integration(platform: Platform) -> Callable[..., tuple[dict[str, Any], dict[str, Any]]]:
    """`integration(**application_fields)` -> (application, key with its secret)."""

    def make(**fields: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        application = platform.application(**fields)
        return application, platform.key(application["id"])

    return make
