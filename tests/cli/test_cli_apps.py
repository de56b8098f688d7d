"""`edm apps ...` against a live `edm serve` (issue 25 item 5): an admin registers an
integration, issues, rotates and revokes its keys; the secret is printed once."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

EDM = str(Path(sys.executable).with_name("edm"))
SECRET = "cli-apps-secret-" + "y" * 40
KEY = re.compile(r"edm_sk_[0-9A-Za-z]{46}")


def test_apps_and_keys_from_the_command_line(
    live_server: Callable[..., Any], tenant: str, tmp_path: Path
) -> None:
    server = live_server(EDM_JWT_SECRET=SECRET)
    env = {**os.environ, "EDM_JWT_SECRET": SECRET, "EDM_BASE_URL": server.url, "COLUMNS": "250"}

    def run(*args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
        env["EDM_TOKEN"] = token or admin
        done = subprocess.run(
            [EDM, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done

    env.pop("EDM_TOKEN", None)
    admin = ""
    admin = run("token", "--tenant", tenant, "--sub", "root", "--role", "admin").stdout.strip()

    created = run("apps", "create", "--name", "Bridge", "--scopes", "helpdesk.tickets:write")
    app_id = re.fullmatch(r"Created application (app_\w+)\n", created.stdout)
    assert app_id, created.stdout
    app = app_id.group(1)
    assert "Bridge" in run("apps", "list").stdout
    assert json.loads(run("apps", "get", app, "--json").stdout)["scopes"] == [
        "helpdesk.tickets:write"
    ]
    run("apps", "update", app, "--rate-limit-per-minute", "100")
    assert "100" in run("apps", "get", app).stdout

    issued = run("apps", "keys", "create", app, "--name", "production")
    secret = issued.stdout.strip()
    assert KEY.fullmatch(secret), issued.stdout
    assert "shown only once" in issued.stderr and secret not in issued.stderr
    listing = run("apps", "keys", "list", app)
    assert "production" in listing.stdout and secret[7:] not in listing.stdout
    key_id = json.loads(run("apps", "keys", "list", app, "--json").stdout)[0]["id"]

    ticket = run("tickets", "create", "--title", "From the bridge", token=secret)
    assert ticket.stdout.startswith("Created TKT-")

    rotated = run("apps", "keys", "rotate", app, key_id, "--overlap-seconds", "0")
    new_secret = rotated.stdout.strip()
    assert KEY.fullmatch(new_secret) and new_secret != secret
    assert "From the bridge" in run("tickets", "list", token=new_secret).stdout
    env["EDM_TOKEN"] = secret
    old = subprocess.run(
        [EDM, "tickets", "list"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert old.returncode == 1 and "401" in old.stderr

    new_id = next(
        k["id"]
        for k in json.loads(run("apps", "keys", "list", app, "--json").stdout)
        if k["id"] != key_id
    )
    assert run("apps", "keys", "revoke", app, new_id).stdout == f"Revoked key {new_id}\n"
    assert run("apps", "delete", app).stdout == f"Deleted application {app}\n"
