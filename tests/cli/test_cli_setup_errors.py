"""Set-up mistakes are one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from live_server import free_port

EDM = str(Path(sys.executable).with_name("edm"))


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["db", "upgrade", "--database-url", "garbage"], {}, "not a database URL"),
        (
            ["serve", "--database-url", "garbage"],
            {"EDM_JWT_SECRET": "x" * 40},
            "not a database URL",
        ),
        (
            ["token", "--tenant", "t", "--sub", "s"],
            {"EDM_RATE_LIMIT_WINDOW_SECONDS": "0"},
            "EDM_RATE_LIMIT_WINDOW_SECONDS",
        ),
        (["serve"], {"EDM_JWT_SECRET": ""}, "EDM_JWT_SECRET is empty"),
        (
            ["serve", "--database-url", "postgresql://127.0.0.1:1/none"],
            {"EDM_JWT_SECRET": "x" * 40},
            "cannot reach",
        ),
    ],
)
def test_setup_errors_are_one_line(tmp_path, args, env, message):
    if args[0] == "serve":
        # A port in use is refused first; these cases are about what comes after.
        args = [*args, "--port", str(free_port())]
    result = subprocess.run(
        [EDM, *args],
        cwd=tmp_path,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
