"""Scopes derived from the manifest: what an application's token may be granted (SPEC 9)."""

from __future__ import annotations

from edm.manifest import SCOPES, resource


def test_scopes_are_derived_from_the_manifest() -> None:
    tickets, events = resource("tickets"), resource("events")

    assert {"*", "helpdesk.tickets:read", "helpdesk.tickets:write"} <= set(SCOPES)
    assert f"{events.scope}:read" in SCOPES
    assert f"{events.scope}:write" not in SCOPES  # nobody writes history
    assert not any(s.startswith("platform.") for s in SCOPES)
    assert f"{tickets.scope}:write" in resource("applications").field("scopes").enum
