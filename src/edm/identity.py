"""Who is calling: the principal derived from a verified token."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    REQUESTER = "requester"
    AGENT = "agent"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of one request.

    `app_id` is set only for integration tokens; such a caller stamps it on
    what it creates and sees only records carrying the same `app_id`.
    `scopes` None (a token without a `scope` claim) grants every scope.
    `key_id` names the API key an EDM-issued credential stands for, whose
    application and key are checked on use; `rate_limit_per_minute` is its
    application's own limit.
    """

    subject: str
    tenant_id: str
    app_id: str | None
    roles: frozenset[Role]
    scopes: frozenset[str] | None = None
    key_id: str | None = None
    rate_limit_per_minute: int | None = None

    def has_scope(self, scope: str, *, write: bool) -> bool:
        """Whether `<scope>:write` (or, for reads, `:read` or `:write`) is granted."""
        if self.scopes is None or "*" in self.scopes:
            return True
        if f"{scope}:write" in self.scopes:
            return True
        return not write and f"{scope}:read" in self.scopes

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def is_agent(self) -> bool:
        """Agents and admins work every ticket in scope."""
        return Role.AGENT in self.roles or Role.ADMIN in self.roles

    @property
    def is_requester_only(self) -> bool:
        """A requester sees only what it submitted."""
        return not self.is_agent
