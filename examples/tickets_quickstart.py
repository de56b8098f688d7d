"""Create, list, update and close helpdesk tickets with the EDM Python SDK.

Start a server, mint a token, then run this script:

    edm serve &
    export EDM_BASE_URL=http://127.0.0.1:8000
    export EDM_TOKEN="$(edm token --tenant acme --sub alice)"
    python examples/tickets_quickstart.py
"""

from __future__ import annotations

import edm
from edm.client import Ticket


def show(ticket: Ticket) -> None:
    assignee = ticket.assigned_to_id or "unassigned"
    print(
        f"{ticket.number}  {ticket.status:<11} {ticket.priority:<7} {assignee:<12} {ticket.title}"
    )


def main() -> None:
    # base_url and token come from EDM_BASE_URL and EDM_TOKEN.
    with edm.Client() as client:
        tickets = client.helpdesk.tickets

        # Create: only the title is required; the server assigns the number.
        printer = tickets.create(
            title="Printer on floor 3 is jammed",
            description="Paper jam in tray 2; the display shows **E-204**.",
            type="incident",
            priority="high",
            category="Hardware",
            tags=["printer", "floor-3"],
        )
        vpn = tickets.create(title="VPN drops every 10 minutes", priority="urgent", tags=["vpn"])
        print(f"created {printer.number} and {vpn.number}")

        # List: filters are keyword arguments; a sequence means "any of".
        # Iterating the page walks every following page, fetched as needed.
        print("\nopen high and urgent tickets, most urgent first:")
        for ticket in tickets.list(status="open", priority=["high", "urgent"], order="-priority"):
            show(ticket)

        # Get by number, then update only the fields given. `if_match` makes the
        # update fail with PreconditionFailedError if someone changed it meanwhile;
        # None clears a field.
        current = tickets.get(printer.number)
        updated = tickets.update(
            current.id,
            status="in_progress",
            category=None,
            if_match=current.etag,
        )
        print(f"\n{updated.number} is now {updated.status}, category {updated.category}")

        # Close: the server stamps resolved_at.
        closed = tickets.close(updated.id)
        resolved = closed.resolved_at.isoformat() if closed.resolved_at else "never"
        print(f"{closed.number} closed; resolved at {resolved}")

        # Errors are typed and carry the status, code and request id.
        try:
            tickets.update(closed.id, title="Too late")
        except edm.ConflictError as error:
            print(f"\nas expected: {error}")

        tickets.close(vpn.id)


if __name__ == "__main__":
    main()
