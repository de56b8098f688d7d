"""`edm tickets ...`: the helpdesk's tickets from a terminal, through the Python SDK.

Like the SDK's parameters, the options that name ticket fields are derived
from the manifest: the filters of `list` and the fields of `create` and
`update` (with their choices and help text) appear here when a field is added
there. Commands get their SDK client from `make_client()`, the one place that
reads `EDM_BASE_URL` / `EDM_TOKEN` (and the seam tests replace).

API failures propagate as `edm.APIError`; `edm.cli.main` prints them as one
line. `--json` prints the API's JSON and nothing else on stdout.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, TypeVar

import typer

from edm.cli import output
from edm.cli.errors import CLIError
from edm.client import Client, EDMModel, SyncPage, Ticket
from edm.manifest import Field, FieldType, Resource, resource

M = TypeVar("M", bound=EDMModel)
Command: TypeAlias = Callable[..., None]

TICKETS = resource("tickets")
# Provenance fields: a person at a terminal leaves them to the server's defaults.
LEFT_TO_SERVER = frozenset({"source", "source_type"})
FIELDS_PANEL = "Ticket fields"
FILTERS_PANEL = "Filters"

tickets_app = typer.Typer(
    help="Helpdesk tickets: list, show, create, update, close, reopen, comment, history.",
    no_args_is_help=True,
)


def make_client() -> Client:
    """The SDK client of every command: `EDM_TOKEN`, and `EDM_BASE_URL` (default local)."""
    token = os.environ.get("EDM_TOKEN")
    if not token:
        raise CLIError(
            "no API token: set EDM_TOKEN, e.g. "
            'export EDM_TOKEN="$(edm token --tenant acme --sub alice)"'
        )
    return Client(token=token)


# Options derived from the manifest -------------------------------------------------------


def choices(name: str, values: Sequence[str]) -> type[StrEnum]:
    """An enum of `values`, which Typer offers in --help and validates as choices.

    (Typer takes `Literal` choices too, but not in a repeatable option.)
    """
    return StrEnum(name, {value: value for value in values})  # type: ignore[return-value]


def _flag(name: str) -> str:
    """`assigned_to_id` -> `--assigned-to`: an option reads better without the `_id`."""
    return "--" + name.removesuffix("_id").replace("_", "-")


def _value_type(field: Field) -> Any:
    if field.enum:
        return choices(field.name, field.enum)
    return {FieldType.BOOLEAN: bool, FieldType.INTEGER: int}.get(field.type, str)


_METAVARS = {
    FieldType.STRING: "TEXT",
    FieldType.TEXT: "TEXT",
    FieldType.REFERENCE: "ID",
    FieldType.TAGS: "TAG",
    FieldType.INTEGER: "N",
}


def _metavar(field: Field) -> str | None:
    """What --help shows as the option's value: its choices, or the kind of value."""
    if field.enum:
        return "|".join(field.enum)
    return _METAVARS.get(field.type)


def _summary(field: Field) -> str:
    """The first sentence of the field's notes in the manifest."""
    return re.split(r"(?<!e\.g)\.\s+(?=['A-Z])", field.notes)[0].rstrip(".") + "."


def _option(
    name: str,
    annotation: Any,
    flag: str,
    help: str,
    panel: str,
    *,
    metavar: str | None = None,
    required: bool = False,
) -> inspect.Parameter:
    info = typer.Option(flag, help=help, metavar=metavar, rich_help_panel=panel, show_default=False)
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[annotation if required else annotation | None, info],
        default=inspect.Parameter.empty if required else None,
    )


def write_options(*, create: bool, res: Resource = TICKETS) -> list[inspect.Parameter]:
    """One option per writable field of `res`; on create the manifest's required ones
    are required."""
    params = []
    for field in res.writable_fields:
        if field.name in LEFT_TO_SERVER:
            continue
        many = field.type is FieldType.TAGS
        annotation = list[_value_type(field)] if many else _value_type(field)  # type: ignore[misc]
        flag = _flag(field.query_name)  # `tags` -> `--tag`, given once per value
        if field.type is FieldType.BOOLEAN:
            flag = f"{flag}/--no-{flag.removeprefix('--')}"
        params.append(
            _option(
                field.name,
                annotation,
                flag,
                _summary(field) + (" Repeat for several." if many else ""),
                f"{res.title} fields",
                metavar=_metavar(field),
                required=create and field.required,
            )
        )
    return params


def filter_options() -> list[inspect.Parameter]:
    """The list filters the manifest declares: by field, computed, and time ranges."""
    params = []
    for field in TICKETS.filterable_fields:
        repeat = "all must match" if field.type is FieldType.TAGS else "any of"
        missing = "; `null` matches none" if field.nullable else ""
        params.append(
            _option(
                field.query_name,
                list[_value_type(field)],  # type: ignore[misc]
                _flag(field.query_name),
                f"Only tickets with this {field.query_name} (repeat: {repeat}{missing}).",
                FILTERS_PANEL,
                metavar=_metavar(field),
            )
        )
    for computed in TICKETS.computed_filters:
        flag = _flag(computed.name)
        flags = f"{flag}/--no-{flag.removeprefix('--')}"
        params.append(_option(computed.name, bool, flags, computed.description, FILTERS_PANEL))
    for field in TICKETS.fields:
        for bound in field.range_filters:
            name = field.range_param(bound)
            help = f"Only tickets whose {field.name} is {bound.value} this RFC 3339 time."
            params.append(_option(name, str, _flag(name), help, FILTERS_PANEL, metavar="TIME"))
    return params


def with_options(params: Sequence[inspect.Parameter]) -> Callable[[Command], Command]:
    """Add `params` to a command's options; it receives their values as one `fields` mapping.

    Typer reads a command's options from its signature, so the wrapper shows
    the command's own parameters (minus `fields`) followed by `params`.
    """
    names = [param.name for param in params]

    def decorate(command: Command) -> Command:
        own = inspect.signature(command, eval_str=True).parameters.values()

        @functools.wraps(command)
        def wrapper(**kwargs: Any) -> None:
            fields = {name: kwargs.pop(name) for name in names}
            command(fields=fields, **kwargs)

        kept = [param for param in own if param.name != "fields"]
        wrapper.__signature__ = inspect.Signature([*kept, *params])  # type: ignore[attr-defined]
        return wrapper

    return decorate


def given(values: Mapping[str, Any]) -> dict[str, Any]:
    """The options the user gave, as plain values; Typer passes `None` for the others."""
    return {name: _plain(value) for name, value in values.items() if value is not None}


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value.value if isinstance(value, StrEnum) else value


# What `--clear FIELD` sends: null, or an empty list for a list field that cannot be null.
CLEARED: dict[str, Any] = {
    field.name: None if field.nullable else []
    for field in TICKETS.writable_fields
    if field.name not in LEFT_TO_SERVER and (field.nullable or field.type is FieldType.TAGS)
}
ORDERS = tuple(x for field in TICKETS.sortable_fields for x in (field.name, f"-{field.name}"))
SEARCH_HELP = "Text search over " + ", ".join(f.name for f in TICKETS.searchable_fields) + "."
ORDER_HELP = (
    f"Sort by {', '.join(f.name for f in TICKETS.sortable_fields)}; "
    f"`-` first for descending (default {TICKETS.default_order})."
)
CLEAR_HELP = f"Clear {', '.join(CLEARED)} (null; a list becomes empty). Repeatable."
BODY_HELP = _summary(resource("comments").field("body"))

if TYPE_CHECKING:
    OrderChoice: TypeAlias = str
    ClearChoice: TypeAlias = str
else:
    OrderChoice = choices("order", ORDERS)
    ClearChoice = choices("clear", tuple(CLEARED))

TicketRef = Annotated[
    str,
    typer.Argument(metavar="ID|NUMBER", help="The ticket's id (tkt_…) or number (TKT-0042)."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the API's JSON, nothing else.")]


# Commands -----------------------------------------------------------------------------------


@tickets_app.command("list")
@with_options(filter_options())
def list_tickets(
    fields: Mapping[str, Any],
    q: Annotated[str | None, typer.Option("--q", metavar="TEXT", help=SEARCH_HELP)] = None,
    order: Annotated[
        OrderChoice | None, typer.Option("--order", metavar="[-]FIELD", help=ORDER_HELP)
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", metavar="N", help="Tickets per page (default: the server's)."),
    ] = None,
    every: Annotated[
        bool,
        typer.Option("--all", help="Walk every page; with --json, print one array of them all."),
    ] = False,
    as_json: AsJson = False,
) -> None:
    """List tickets, newest first: one page, or every page with --all.

    --json prints the API's page object ({data, has_more, next_cursor}), or
    with --all a JSON array of every ticket.
    """
    query = given({**fields, "q": q, "order": order, "limit": limit})
    with make_client() as client:
        page = client.helpdesk.tickets.list(**query)
        tickets = walk(page, "tickets") if every else page.data
    if as_json:
        output.print_json(
            [t.to_dict() for t in tickets]
            if every
            else output.page_json(tickets, has_more=page.has_more, next_cursor=page.next_cursor)
        )
        return
    more = page.has_next_page() and not every
    caption = f"{len(tickets)} shown; more match: --all lists every one." if more else None
    output.stdout().print(output.tickets_table(tickets, _now(), caption=caption))


@tickets_app.command()
def get(ticket: TicketRef, as_json: AsJson = False) -> None:
    """Show one ticket with every field."""
    with make_client() as client:
        record = client.helpdesk.tickets.get(ticket)
    if as_json:
        output.print_json(record.to_dict())
    else:
        output.stdout().print(output.ticket_panel(record, _now()))


@tickets_app.command()
@with_options(write_options(create=True))
def create(fields: Mapping[str, Any], as_json: AsJson = False) -> None:
    """Create a ticket and print its number and id."""
    with make_client() as client:
        record = client.helpdesk.tickets.create(**given(fields))
    _report("Created", record, as_json)


@tickets_app.command()
@with_options(write_options(create=False))
def update(
    ticket: TicketRef,
    fields: Mapping[str, Any],
    clear: Annotated[
        list[ClearChoice] | None,
        typer.Option(
            "--clear",
            metavar="FIELD",
            help=CLEAR_HELP,
            rich_help_panel=FIELDS_PANEL,
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Change the given fields of a ticket; the others stay as they are."""
    changes = given(fields)
    for name in _plain(clear or []):
        if name in changes:
            raise CLIError(f"{name} is both set and cleared; choose one")
        changes[name] = CLEARED[name]
    if not changes:
        raise CLIError("nothing to change: give a field option or --clear FIELD (see --help)")
    with make_client() as client:
        record = client.helpdesk.tickets.update(ticket, **changes)
    _report("Updated", record, as_json)


@tickets_app.command()
def close(ticket: TicketRef, as_json: AsJson = False) -> None:
    """Close a ticket (closing a closed ticket changes nothing)."""
    with make_client() as client:
        record = client.helpdesk.tickets.close(ticket)
    _report("Closed", record, as_json)


@tickets_app.command()
def reopen(ticket: TicketRef, as_json: AsJson = False) -> None:
    """Reopen a resolved or closed ticket."""
    with make_client() as client:
        record = client.helpdesk.tickets.reopen(ticket)
    _report("Reopened", record, as_json)


@tickets_app.command()
def comment(
    ticket: TicketRef,
    body: Annotated[str, typer.Option("--body", metavar="TEXT", help=BODY_HELP)],
    public: Annotated[
        bool,
        typer.Option(
            "--public/--no-public",
            help="--no-public makes an internal note, hidden from the requester.",
        ),
    ] = True,
    as_json: AsJson = False,
) -> None:
    """Comment on a ticket (public unless --no-public)."""
    with make_client() as client:
        note = client.helpdesk.tickets.comments.create(ticket, body=body, public=public)
    if as_json:
        output.print_json(note.to_dict())
    else:
        kind = "public comment" if public else "internal note"
        typer.echo(f"Added {kind} {note.id} to {ticket}")


@tickets_app.command()
def history(ticket: TicketRef, as_json: AsJson = False) -> None:
    """Show a ticket's history, oldest first (--json: an array of every event)."""
    with make_client() as client:
        events = list(client.helpdesk.tickets.events.list(ticket))
    if as_json:
        output.print_json([event.to_dict() for event in events])
    else:
        output.stdout().print(output.history_table(events))


def walk(first: SyncPage[M], noun: str) -> list[M]:
    """Every record of `first` and the pages after it, counting them on stderr."""
    records: list[M] = []
    with output.stderr().status(f"Fetching {noun}…") as status:
        for page in first.iter_pages():
            records.extend(page.data)
            status.update(f"Fetching {noun}… {len(records)} so far")
    return records


def _report(verb: str, ticket: Ticket, as_json: bool) -> None:
    if as_json:
        output.print_json(ticket.to_dict())
    else:
        typer.echo(f"{verb} {ticket.number} ({ticket.id})")


def _now() -> datetime:
    return datetime.now(UTC)
