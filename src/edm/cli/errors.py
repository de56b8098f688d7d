"""CLI failures that are reported as one line."""

from __future__ import annotations


class CLIError(Exception):
    """A failure to report as `error: <message>` with a non-zero exit code."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
