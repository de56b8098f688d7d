"""The README's example script runs against a real `edm serve`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tickets_quickstart.py"


def test_quickstart_example_runs_against_a_live_server(live_server, mint):
    server = live_server()
    token = mint(tenant_id=f"example-{uuid4().hex[:8]}", subject="alice")
    result = subprocess.run(
        [sys.executable, str(EXAMPLE)],
        env={**os.environ, "EDM_BASE_URL": server.url, "EDM_TOKEN": token},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "created TKT-0001 and TKT-0002" in result.stdout
    assert "closed" in result.stdout
