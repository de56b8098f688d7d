"""Every CLI command the manifest names exists, so the playground's CLI snippets run."""

from __future__ import annotations

import pytest
import typer

from edm.cli import app
from edm.manifest import RESOURCES


def command_paths(group: typer.Typer, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    paths = {(*prefix, c.name or c.callback.__name__) for c in group.registered_commands}
    for sub in group.registered_groups:
        paths |= command_paths(sub.typer_instance, (*prefix, sub.name or ""))
    return paths


NAMED = [(res.name, op.name, op.cli) for res in RESOURCES for op in res.operations if op.cli]


@pytest.mark.parametrize(("resource", "operation", "command"), NAMED)
def test_manifest_cli_commands_exist(resource: str, operation: str, command: str) -> None:
    assert tuple(command.split()) in command_paths(app), (resource, operation)
