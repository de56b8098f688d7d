"""The server's own secret, and the keys of the values it signs (cursors).

Nothing public keys them: a key derived from a token-verification key
could be derived by anyone who holds that public key. The secret is
`EDM_SERVER_SECRET` when configured (replicas must share it), otherwise one
generated once and kept beside the development secret, which every worker
of one `edm serve` reads.
"""

from __future__ import annotations

import hashlib

from edm.server.auth import MIN_SECRET_BYTES, ConfigurationError
from edm.settings import Settings, ensure_secret


def server_secret(settings: Settings) -> tuple[str, bool]:
    """The server secret, and whether it was generated just now."""
    if settings.server_secret is not None:
        secret = settings.server_secret.get_secret_value()
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ConfigurationError(f"EDM_SERVER_SECRET must be at least {MIN_SECRET_BYTES} bytes")
        return secret, False
    path = settings.server_secret_file
    try:
        return ensure_secret(path)
    except OSError as exc:
        raise ConfigurationError(
            f"Cannot keep a server secret at {path} ({exc}); set EDM_SERVER_SECRET"
        ) from None


def cursor_key(settings: Settings) -> bytes:
    secret, _ = server_secret(settings)
    return hashlib.sha256(b"edm-cursor:" + secret.encode()).digest()
