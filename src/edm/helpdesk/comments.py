"""Comment rules: authorship, the first response and the ticket's history.

- The author is the caller; requesters' comments are always public.
- Closed tickets take no comments (409): reopen first.
- The first public comment by anyone other than the ticket's submitter
  stamps the ticket's `first_response_at`, once.
- Every comment appends a `comment` event to the ticket's history.
"""

from __future__ import annotations

from typing import Any

from edm.errors import Conflict, FieldError, Forbidden
from edm.identity import Principal
from edm.manifest import resource
from edm.service import Changes, Record, ResourceService
from edm.store.database import Database
from edm.store.writes import Writes
from edm.timestamps import json_value

COMMENTS = resource("comments")


class CommentService(ResourceService):
    writes_beside_record = True  # the ticket's first response and history

    def __init__(self, db: Database, *, parent: ResourceService, **kwargs: Any) -> None:
        super().__init__(COMMENTS, db, parent=parent, **kwargs)

    @property
    def tickets_service(self) -> ResourceService:
        assert self.parent is not None
        return self.parent

    def _prepare_create(
        self, writes: Writes, principal: Principal, values: Changes, parent: Record | None
    ) -> Changes:
        assert parent is not None
        if parent.status == "closed":
            raise Conflict(
                f"Ticket {parent.number} is closed; reopen it to comment", code="ticket_closed"
            )
        if principal.is_requester_only and not values["public"]:
            raise Forbidden(
                "Requesters' comments are public; internal notes are for agents",
                errors=[FieldError("public", "forbidden_field", "requesters cannot set false")],
            )
        values["author_id"] = principal.subject
        return values

    def _after_write(
        self,
        writes: Writes,
        principal: Principal,
        before: Record | None,
        after: Record,
        operation: str,
        parent: Record | None,
    ) -> None:
        assert parent is not None and operation == "create"
        changes: dict[str, list[Any]] = {
            "comment_id": [None, after.id],
            "public": [None, after.public],
        }
        is_first_response = (
            after.public
            and parent.first_response_at is None
            and principal.subject != parent.submitted_by_id
        )
        if is_first_response:
            self.tickets_service.store.update(
                writes,
                parent,
                {
                    "first_response_at": after.created_at,
                    "updated_at": after.created_at,
                    "updated_by": principal.subject,
                },
            )
            changes["first_response_at"] = [None, json_value(after.created_at)]
        assert self.tickets_service.history is not None
        self.tickets_service.history.append(
            writes, principal, parent.id, "comment", changes, after.created_at
        )
