"""Shared fixtures: one migrated database per test session, a tenant per test.

Set EDM_TEST_DATABASE_URL to a PostgreSQL server URL (e.g.
postgresql://127.0.0.1:5432/test) to run the suite on PostgreSQL: a fresh
database is created for the session and dropped afterwards. Without it the
suite runs on a temporary SQLite file.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from edm.server.auth import mint_token
from edm.settings import Settings
from edm.store.migrate import upgrade
from live_server import LiveServer
from scratch_databases import new_postgresql_database

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

JWT_SECRET = "test-secret-" + "x" * 40


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server_url = os.environ.get("EDM_TEST_DATABASE_URL")
    if not server_url:
        path = tmp_path_factory.mktemp("db") / "edm-test.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield url
        return
    with new_postgresql_database(server_url, "edm_test") as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        jwt_secret=JWT_SECRET,
        dev_secret_file=Path(tmp_path_factory.mktemp("secret")) / "unused",
        # The session's one client is one address that fails authentication on
        # purpose hundreds of times; tests of that limit build their own app.
        auth_failures_per_minute=0,
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> Any:
    from edm.server.app import create_app

    return create_app(settings)


@pytest.fixture(scope="session")
def http(app: Any) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


class Caller:
    """An HTTP client acting as one person (or integration) of one tenant."""

    def __init__(self, http: TestClient, token: str) -> None:
        self.http = http
        self.token = token
        self.headers = {"Authorization": f"Bearer {token}"}

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.http.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)


CallerFactory = Callable[..., Caller]


@pytest.fixture(scope="session")
def mint() -> Callable[..., str]:
    """`mint(tenant_id=..., subject=..., app_id=..., roles=[...])` -> a signed test token."""
    return partial(mint_token, JWT_SECRET)


@pytest.fixture
def tenant() -> str:
    """A fresh tenant per test: tests share the database, never their data."""
    return f"tenant-{uuid4().hex[:10]}"


@pytest.fixture
def caller(http: TestClient, tenant: str) -> CallerFactory:
    """`caller(role="admin", sub=..., app=..., tenant=...)` -> a Caller."""

    def make(
        role: str | None = "agent",
        *,
        sub: str | None = None,
        app: str | None = None,
        tenant_id: str | None = None,
    ) -> Caller:
        token = mint_token(
            JWT_SECRET,
            tenant_id=tenant_id or tenant,
            subject=sub or f"user-{uuid4().hex[:8]}",
            app_id=app,
            roles=[role] if role else None,
        )
        return Caller(http, token)

    return make


@pytest.fixture
def agent(caller: CallerFactory) -> Caller:
    return caller("agent", sub="agent-1")


@pytest.fixture
def admin(caller: CallerFactory) -> Caller:
    return caller("admin", sub="admin-1")


@pytest.fixture
def live_server(database_url: str, tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """`live_server(*args, **env)` starts an `edm serve` on the session database; all stop
    at teardown."""
    started: list[LiveServer] = []

    def start(*args: str, **env: str) -> LiveServer:
        environment = {
            **os.environ,
            "EDM_DATABASE_URL": database_url,
            "EDM_JWT_SECRET": JWT_SECRET,
            **env,
        }
        server = LiveServer(tmp_path, environment, args)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


class Clock:
    """A settable clock for the services: tests control `created_at` and "now"."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(app: Any, monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Freeze every service's clock at 2026-12-23 15:00 UTC; move it with `advance`."""
    frozen = Clock(datetime(2026, 12, 23, 15, 0, tzinfo=UTC))
    for service in app.state.services.values():
        monkeypatch.setattr(service, "clock", frozen)
    return frozen
