"""The routes of API keys: the generic ones, with the secret in the responses
that create a key (create, rotate) and the application in every path."""

from __future__ import annotations

from functools import partial
from typing import Any

from edm.identity import Principal
from edm.manifest import API_KEYS
from edm.platform.keys import KeyService
from edm.server.routes import ResourceRoutes, Work
from edm.service import OnCommit

SECRET = API_KEYS.revealed_fields[0].name


class KeyRoutes(ResourceRoutes):
    service: KeyService

    def create_work(
        self,
        principal: Principal,
        values: dict[str, Any],
        parent_key: str | None,
        on_commit: OnCommit | None,
    ) -> Work:
        write, secret = self.service.issue(principal, values, parent_key or "", on_commit=on_commit)
        return write, {SECRET: secret}

    def action_work(
        self,
        name: str,
        principal: Principal,
        key: str,
        parent_key: str | None,
        fields: dict[str, Any],
        *,
        if_match: str | None,
        on_commit: OnCommit | None,
    ) -> Work:
        application = parent_key or ""
        if name == "rotate":
            write, secret = self.service.rotate(
                principal,
                application,
                key,
                fields["overlap_seconds"],
                if_match=if_match,
                on_commit=on_commit,
            )
            return write, {SECRET: secret}
        revoke = partial(
            self.service.revoke, principal, application, key, if_match=if_match, on_commit=on_commit
        )
        return revoke, {}
