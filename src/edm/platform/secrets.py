"""API key secrets: `edm_sk_` + random base62 + a checksum, and their one-way hash.

The checksum (CRC32 of the random part, base62, fixed width) lets a
secret scanner, and the server, tell a real key from noise offline: a
string that fails it is refused before any lookup. Only the SHA-256 of a
key is stored; the key's randomness, not the hash's cost, is what makes
guessing it hopeless (README, "Decisions").
"""

from __future__ import annotations

import hashlib
import secrets
import string
import zlib
from dataclasses import dataclass

PREFIX = "edm_sk_"
RANDOM_LENGTH = 40  # base62: about 238 bits
CHECKSUM_LENGTH = 6  # 62**6 > 2**32 holds any CRC32
SHOWN_RANDOM = 4  # random characters kept in the stored `prefix`
ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
KEY_LENGTH = len(PREFIX) + RANDOM_LENGTH + CHECKSUM_LENGTH
_ALPHABET_SET = frozenset(ALPHABET)


def _base62(value: int, width: int) -> str:
    digits = []
    for _ in range(width):
        value, digit = divmod(value, len(ALPHABET))
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits))


def checksum(random_part: str) -> str:
    return _base62(zlib.crc32(random_part.encode()), CHECKSUM_LENGTH)


def well_formed(candidate: str) -> bool:
    """Whether `candidate` has a key's shape and a matching checksum (no lookup)."""
    if len(candidate) != KEY_LENGTH or not candidate.startswith(PREFIX):
        return False
    body = candidate[len(PREFIX) :]
    if not _ALPHABET_SET.issuperset(body):
        return False
    return checksum(body[:RANDOM_LENGTH]) == body[RANDOM_LENGTH:]


def digest(secret: str) -> str:
    """The stored one-way hash of a key."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class NewKey:
    """A fresh key: its secret (shown once) and what is stored of it."""

    secret: str

    @classmethod
    def generate(cls) -> NewKey:
        random_part = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
        return cls(PREFIX + random_part + checksum(random_part))

    def stored_values(self) -> dict[str, str]:
        """The key's columns: its hash, and the ends it is recognised by."""
        return {
            "secret_hash": digest(self.secret),
            "prefix": self.secret[: len(PREFIX) + SHOWN_RANDOM],
            "last4": self.secret[-4:],
        }
