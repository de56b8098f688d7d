"""Configuration from `EDM_*` environment variables."""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import NonNegativeInt, PositiveFloat, PositiveInt, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///edm.db"
DEV_SECRET_FILE = Path(".edm") / "dev-secret"
SERVER_SECRET_FILE_NAME = "server-secret"


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
    # Keys the values the server signs and hands out (cursors); replicas share it.
    server_secret: SecretStr | None = None
    max_body_bytes: PositiveInt = 1024 * 1024
    max_header_bytes: PositiveInt = 8 * 1024  # one header: its name and value
    max_head_bytes: PositiveInt = 64 * 1024  # the request head: request line and headers
    max_header_count: PositiveInt = 100
    header_timeout_seconds: PositiveFloat = 10.0  # to send a request's head, from its start
    send_timeout_seconds: PositiveFloat = 60.0  # a client not reading a response is dropped
    max_connections: PositiveInt = 200  # per worker; a request beyond them gets 503
    max_page_bytes: PositiveInt = 1024 * 1024  # a list page stops adding records beyond it
    max_batch_body_bytes: PositiveInt = 16 * 1024 * 1024  # the body limit of batch operations
    db_pool_size: PositiveInt = 10
    db_app_role: str | None = "edm_app"  # PostgreSQL role bound by row-level security
    statement_timeout_ms: PositiveInt = 5000  # each statement of the server's, both databases
    redis_url: str | None = None
    rate_limit_requests: NonNegativeInt = 60_000  # per tenant+app and window; 0 turns it off
    rate_limit_window_seconds: PositiveInt = 60
    auth_failures_per_minute: NonNegativeInt = 100  # per client address; 0 turns it off
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
            return read_secret(self.dev_secret_file)
        return None

    @property
    def server_secret_file(self) -> Path:
        """Where the generated server secret is kept when none is configured."""
        return self.dev_secret_file.with_name(SERVER_SECRET_FILE_NAME)


def read_secret(path: Path) -> str | None:
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


def ensure_secret(path: Path) -> tuple[str, bool]:
    """The secret kept at `path`, creating it if missing; True when created.

    Several processes may start at once: the secret is written to a file of
    this process's own and linked into place, so whoever links first wins
    and every other process reads that one, never a partly written file.
    """
    if existing := read_secret(path):
        return existing, False
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    # Created owner-only from the start, never briefly readable by others.
    with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        file.write(secret + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        if existing := read_secret(path):
            return existing, False
        raise FileExistsError(f"{path} exists but holds no secret") from None
    finally:
        draft.unlink()
    return secret, True
