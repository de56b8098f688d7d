"""Paths of the platform's API, for the tests of this directory."""

from __future__ import annotations

APPLICATIONS = "/api/v1/platform/applications"
TICKETS = "/api/v1/helpdesk/tickets"
TOKEN = "/api/v1/oauth/token"


def keys_path(app_id: str) -> str:
    return f"{APPLICATIONS}/{app_id}/keys"
