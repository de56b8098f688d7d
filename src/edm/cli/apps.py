"""`edm apps ...`: integration applications and their API keys, through the Python SDK.

Managing them takes an admin's own token (`EDM_TOKEN` without `app_id`).
The options of `create` and `update` are derived from the manifest, as the
tickets' are. A key's secret is printed once, by `keys create` and
`keys rotate`, on stdout (alone, so it can be captured), with a warning on
stderr to store it: the server keeps only its hash.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any

import typer

from edm.cli import output
from edm.cli.errors import CLIError
from edm.cli.tickets import AsJson, given, make_client, with_options, write_options
from edm.client import APIKey, Application, EDMModel
from edm.manifest import API_KEYS, APPLICATIONS

apps_app = typer.Typer(
    help="Integration applications: list, get, create, update, delete; and their API keys.",
    no_args_is_help=True,
)
keys_app = typer.Typer(
    help="An application's API keys: create, list, revoke, rotate.", no_args_is_help=True
)
apps_app.add_typer(keys_app, name="keys")

AppId = Annotated[str, typer.Argument(metavar="APP_ID", help="The application's id (app_…).")]
KeyId = Annotated[str, typer.Argument(metavar="KEY_ID", help="The key's id (key_…).")]
APP_COLUMNS = ("id", "name", "roles", "scopes", "is_active", "rate_limit_per_minute")
KEY_COLUMNS = ("id", "name", "prefix", "last4", "expires_at", "last_used_at", "revoked_at")
OVERLAP = API_KEYS.operation("rotate").fields[0]
STORE_IT = "Store this secret now: it is shown only once, and the server keeps only its hash."


def _print(records: Iterable[EDMModel], columns: tuple[str, ...], as_json: bool) -> None:
    rows = list(records)
    if as_json:
        output.print_json([record.to_dict() for record in rows])
        return
    output.stdout().print(output.records_table(rows, columns))


def _report(verb: str, record: Application | APIKey, as_json: bool) -> None:
    if as_json:
        output.print_json(record.to_dict())
    else:
        typer.echo(f"{verb} {record.id}")


def _reveal(verb: str, key: APIKey, as_json: bool) -> None:
    """The new key, its secret printed once (with the warning on stderr)."""
    output.stderr().print(f"[bold yellow]{STORE_IT}[/]")
    if as_json:
        output.print_json(key.to_dict())
        return
    output.stderr().print(f"{verb} key {key.id} for {key.application_id}:")
    typer.echo(key.secret)


# Applications -----------------------------------------------------------------------------


@apps_app.command("list")
def list_apps(as_json: AsJson = False) -> None:
    """List the tenant's applications (every page)."""
    with make_client() as client:
        apps = list(client.platform.applications.list())
    _print(apps, APP_COLUMNS, as_json)


@apps_app.command()
def get(app_id: AppId, as_json: AsJson = False) -> None:
    """Show one application."""
    with make_client() as client:
        record = client.platform.applications.get(app_id)
    if as_json:
        output.print_json(record.to_dict())
    else:
        output.stdout().print(output.record_panel(record, "Application"))


@apps_app.command()
@with_options(write_options(create=True, res=APPLICATIONS))
def create(fields: Mapping[str, Any], as_json: AsJson = False) -> None:
    """Register an application and print its id (its app_id)."""
    with make_client() as client:
        record = client.platform.applications.create(**given(fields))
    _report("Created application", record, as_json)


@apps_app.command()
@with_options(write_options(create=False, res=APPLICATIONS))
def update(app_id: AppId, fields: Mapping[str, Any], as_json: AsJson = False) -> None:
    """Change the given fields; --no-is-active stops its keys and tokens."""
    changes = given(fields)
    if not changes:
        raise CLIError("nothing to change: give a field option (see --help)")
    with make_client() as client:
        record = client.platform.applications.update(app_id, **changes)
    _report("Updated application", record, as_json)


@apps_app.command()
def delete(app_id: AppId, as_json: AsJson = False) -> None:
    """Delete an application: its keys and tokens stop; its records stay."""
    with make_client() as client:
        record = client.platform.applications.delete(app_id)
    _report("Deleted application", record, as_json)


# Keys -------------------------------------------------------------------------------------


@keys_app.command("create")
def create_key(
    app_id: AppId,
    name: Annotated[
        str | None, typer.Option("--name", metavar="TEXT", help="A label, e.g. production.")
    ] = None,
    expires_at: Annotated[
        datetime | None,
        typer.Option("--expires-at", metavar="TIME", help="When it stops working (RFC 3339)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Create a key and print its secret, once."""
    options = given({"name": name, "expires_at": expires_at})
    with make_client() as client:
        key = client.platform.applications.keys.create(app_id, **options)
    _reveal("Created", key, as_json)


@keys_app.command("list")
def list_keys(app_id: AppId, as_json: AsJson = False) -> None:
    """List an application's keys (never their secrets)."""
    with make_client() as client:
        keys = list(client.platform.applications.keys.list(app_id))
    _print(keys, KEY_COLUMNS, as_json)


@keys_app.command()
def revoke(app_id: AppId, key_id: KeyId, as_json: AsJson = False) -> None:
    """Revoke a key: it stops working at once."""
    with make_client() as client:
        key = client.platform.applications.keys.revoke(app_id, key_id)
    _report("Revoked key", key, as_json)


@keys_app.command()
def rotate(
    app_id: AppId,
    key_id: KeyId,
    overlap_seconds: Annotated[
        int,
        typer.Option(
            "--overlap-seconds",
            min=OVERLAP.minimum,
            max=OVERLAP.maximum,
            metavar="N",
            help=OVERLAP.notes,
        ),
    ] = OVERLAP.default,
    as_json: AsJson = False,
) -> None:
    """Replace a key: print the new secret, once; the old key expires after the overlap."""
    with make_client() as client:
        key = client.platform.applications.keys.rotate(
            app_id, key_id, overlap_seconds=overlap_seconds
        )
    _reveal("Rotated to", key, as_json)
