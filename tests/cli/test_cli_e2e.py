"""The installed `edm` console script against a live `edm serve`, as a new user runs it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt

EDM = str(Path(sys.executable).with_name("edm"))
SECRET = "cli-e2e-secret-" + "y" * 40


def test_token_then_tickets_create_list_get_close(
    live_server: Callable[..., Any], tenant: str, tmp_path: Path
) -> None:
    server = live_server(EDM_JWT_SECRET=SECRET)
    env = {**os.environ, "EDM_JWT_SECRET": SECRET, "EDM_BASE_URL": server.url, "COLUMNS": "200"}
    env.pop("EDM_TOKEN", None)

    def edm(*args: str) -> str:
        done = subprocess.run(
            [EDM, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    token = edm("token", "--tenant", tenant, "--sub", "alice").strip()
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert (claims["tenant_id"], claims["sub"]) == (tenant, "alice")
    assert claims["exp"] > claims["iat"]
    env["EDM_TOKEN"] = token

    created = re.fullmatch(
        r"Created (TKT-\d{4,}) \((tkt_\w+)\)\n",
        edm("tickets", "create", "--title", "Printer on fire", "--priority", "urgent"),
    )
    assert created, "unexpected create output"
    number, ticket_id = created.groups()

    assert re.search(rf"{number} +open +urgent +Printer on fire", edm("tickets", "list"))
    page = json.loads(edm("tickets", "list", "--json"))
    assert [(t["id"], t["number"]) for t in page["data"]] == [(ticket_id, number)]
    assert not page["has_more"]
    assert "Printer on fire" in edm("tickets", "get", number)
    assert json.loads(edm("tickets", "get", number, "--json")) == page["data"][0]

    assert edm("tickets", "close", number) == f"Closed {number} ({ticket_id})\n"
    assert json.loads(edm("tickets", "get", ticket_id, "--json"))["status"] == "closed"
