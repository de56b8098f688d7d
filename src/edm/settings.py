"""Configuration from `EDM_*` environment variables."""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import NonNegativeInt, PositiveInt, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///edm.db"
DEV_SECRET_FILE = Path(".edm") / "dev-secret"


class Settings(BaseSettings):
    """Every knob of the server; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="EDM_", frozen=True)

    database_url: str = DEFAULT_DATABASE_URL
    jwt_secret: SecretStr | None = None
    jwt_public_key: SecretStr | None = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    # Tokens this server issues for API keys (POST /api/v1/oauth/token): signed with
    # jwt_signing_key (PEM private key, RS256/ES256), else with the HS256 secret.
    jwt_signing_key: SecretStr | None = None
    jwt_issued_by: str = "edm"
    access_token_ttl_seconds: PositiveInt = 3600
    dev_secret_file: Path = DEV_SECRET_FILE
    max_body_bytes: PositiveInt = 1024 * 1024
    db_pool_size: PositiveInt = 10
    db_app_role: str | None = "edm_app"  # PostgreSQL role bound by row-level security
    redis_url: str | None = None
    rate_limit_requests: NonNegativeInt = 60_000  # per tenant+app and window; 0 turns it off
    rate_limit_window_seconds: PositiveInt = 60
    opentelemetry: bool = False  # FastAPI's native OpenTelemetry spans, metrics and logs

    @property
    def dev_mode(self) -> bool:
        """No key configured: tokens are signed with a local development secret."""
        return self.jwt_secret is None and self.jwt_public_key is None

    @cached_property
    def signing_secret(self) -> str | None:
        """The HS256 secret: configured, or the development one when in dev mode."""
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        if self.dev_mode:
            return read_dev_secret(self.dev_secret_file)
        return None


def read_dev_secret(path: Path) -> str | None:
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


def ensure_dev_secret(path: Path) -> tuple[str, bool]:
    """The development secret at `path`, creating it if missing; True when created."""
    if existing := read_dev_secret(path):
        return existing, False
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    # Created owner-only from the start, never briefly readable by others.
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        file.write(secret + "\n")
    return secret, True
