"""Models and resource classes generated from `edm.manifest`.

Do not edit: change the manifest and run `python -m edm.client.codegen`.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any, Literal, TypeAlias

import pydantic

from edm.client._batch import BatchResults
from edm.client._models import EDMModel, Timestamp
from edm.client._pagination import AsyncPaginator, SyncPage
from edm.client._requester import RequestOptions
from edm.client._resource import AsyncNamespace, AsyncResource, SyncNamespace, SyncResource
from edm.client._types import NOT_GIVEN, Headers, NotGiven, Timeout

__all__ = [
    "APIKey",
    "APIKeyOrder",
    "APIKeySourceType",
    "Application",
    "ApplicationOrder",
    "ApplicationRoles",
    "ApplicationScopes",
    "ApplicationSourceType",
    "Comment",
    "CommentOrder",
    "CommentSourceType",
    "Event",
    "EventAction",
    "EventOrder",
    "EventSourceType",
    "SLAPolicy",
    "SLAPolicyOrder",
    "SLAPolicySourceType",
    "Ticket",
    "TicketOrder",
    "TicketPriority",
    "TicketSourceType",
    "TicketStatus",
    "TicketType",
]


TicketSourceType: TypeAlias = Literal[
    "frontend",
    "backend",
    "server",
    "system",
    "api",
]


TicketType: TypeAlias = Literal[
    "incident",
    "service_request",
    "change",
    "problem",
]


TicketStatus: TypeAlias = Literal[
    "open",
    "in_progress",
    "pending",
    "resolved",
    "closed",
]


TicketPriority: TypeAlias = Literal[
    "low",
    "medium",
    "high",
    "urgent",
]


TicketOrder: TypeAlias = Literal[
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "number",
    "-number",
    "priority",
    "-priority",
    "due_at",
    "-due_at",
]


class Ticket(EDMModel):
    """A support ticket raised by an employee or customer."""

    id: str
    """Server-assigned ULID with type prefix (e.g. tkt_…)."""

    tenant_id: str
    """Tenant scope — auto-stamped from the caller's JWT."""

    app_id: str | None = None
    """App scope. Stamped ONLY when the caller's JWT was minted for a specific Application
    (integration API keys). Absent for human-user sessions. Filters reads when present."""

    created_at: Timestamp
    """Server stamp."""

    updated_at: Timestamp
    """Server stamp; updated on every patch."""

    created_by: str | None = None
    """Person id from the caller's JWT (sub)."""

    updated_by: str | None = None
    """Person id from the last writer's JWT (sub)."""

    source: str = "edm"
    """Provenance tag — defaults to 'edm'."""

    source_type: TicketSourceType = "api"
    """Where the write originated. Defaults to 'api'."""

    is_deleted: bool = False
    """Soft-delete flag. Excluded from default list queries."""

    deleted_at: Timestamp | None = None
    """Stamped when soft-deleted; null otherwise."""

    deleted_by: str | None = None
    """Person id who soft-deleted; null otherwise."""

    schema_version: int = 1
    """Document schema version. Bumped on incompatible writes."""

    number: str
    """Human-readable ticket number, auto-assigned by the platform in the format TKT-NNNN."""

    title: str
    """Short summary of the ticket."""

    description: str | None = None
    """Detailed description of the issue or request. Markdown is supported."""

    type: TicketType = "incident"
    """ITSM classification of the ticket. 'incident' is an unplanned disruption;
    'service_request' is a standard fulfillment; 'change' tracks planned modifications;
    'problem' investigates the root cause of incidents."""

    status: TicketStatus = "open"
    """Current lifecycle state of the ticket. 'pending' means waiting on the submitter or a third
    party. 'resolved' means a fix has been applied; 'closed' means the submitter confirmed the
    resolution or the ticket was closed administratively."""

    priority: TicketPriority = "medium"
    """Impact and urgency rating. 'urgent' indicates a critical business impact requiring
    immediate attention."""

    category: str | None = None
    """Optional free-form category for grouping and reporting (e.g. 'Hardware', 'Software',
    'Network', 'Access')."""

    submitted_by_id: str | None = None
    """UUID of the Person who submitted this ticket. Defaults to the caller."""

    assigned_to_id: str | None = None
    """UUID of the Person currently assigned to resolve this ticket. Null when unassigned."""

    team_id: str | None = None
    """UUID of the Group (team) responsible for this ticket. Used for queue-based routing."""

    sla_policy: str | None = None
    """UUID of the SLAPolicy governing response and resolution time targets for this ticket."""

    first_response_at: Timestamp | None = None
    """ISO 8601 timestamp of the first agent response. Null until the first response is posted."""

    resolved_at: Timestamp | None = None
    """ISO 8601 timestamp when the ticket was marked resolved. Null until resolved."""

    due_at: Timestamp | None = None
    """ISO 8601 deadline for resolution, derived from the SLA policy and creation time. Null if
    no SLA is applied."""

    related_asset_id: str | None = None
    """UUID of the PhysicalAsset or CloudResource this ticket relates to. Enables asset-centric
    helpdesk views."""

    related_vulnerability_id: str | None = None
    """UUID of a Vulnerability that triggered or relates to this ticket. Links the helpdesk and
    risk domains."""

    tags: list[str] = pydantic.Field(default_factory=list)
    """Free-form tags for filtering and reporting."""


SLAPolicySourceType: TypeAlias = Literal[
    "frontend",
    "backend",
    "server",
    "system",
    "api",
]


SLAPolicyOrder: TypeAlias = Literal[
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
]


class SLAPolicy(EDMModel):
    """Response and resolution targets per ticket priority, counted in business hours. The
    tenant's default policy applies to new tickets that name none."""

    id: str
    """Server-assigned ULID with type prefix (e.g. sla_…)."""

    tenant_id: str
    """Tenant scope — auto-stamped from the caller's JWT."""

    app_id: str | None = None
    """App scope. Stamped ONLY when the caller's JWT was minted for a specific Application
    (integration API keys). Absent for human-user sessions. Filters reads when present."""

    created_at: Timestamp
    """Server stamp."""

    updated_at: Timestamp
    """Server stamp; updated on every patch."""

    created_by: str | None = None
    """Person id from the caller's JWT (sub)."""

    updated_by: str | None = None
    """Person id from the last writer's JWT (sub)."""

    source: str = "edm"
    """Provenance tag — defaults to 'edm'."""

    source_type: SLAPolicySourceType = "api"
    """Where the write originated. Defaults to 'api'."""

    is_deleted: bool = False
    """Soft-delete flag. Excluded from default list queries."""

    deleted_at: Timestamp | None = None
    """Stamped when soft-deleted; null otherwise."""

    deleted_by: str | None = None
    """Person id who soft-deleted; null otherwise."""

    schema_version: int = 1
    """Document schema version. Bumped on incompatible writes."""

    name: str
    """Name of the policy, e.g. 'Standard support'."""

    description: str | None = None
    """What the policy covers. Markdown is supported."""

    is_default: bool = False
    """The tenant's default policy, applied to new tickets that name none. Setting it clears it
    on the tenant's other policies."""

    targets: dict[str, Any] = pydantic.Field(default_factory=dict)
    """Per priority: first_response_minutes and resolution_minutes (business minutes). A priority
    without a target gets no due_at."""

    business_hours: dict[str, Any] | None = None
    """When the SLA clock runs: timezone (IANA), weekdays (1 = Monday .. 7), start and end
    (HH:MM) and holidays (YYYY-MM-DD). null means 24x7."""


CommentSourceType: TypeAlias = Literal[
    "frontend",
    "backend",
    "server",
    "system",
    "api",
]


CommentOrder: TypeAlias = Literal[
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
]


class Comment(EDMModel):
    """A reply or internal note on a ticket. Requesters see only public comments; the first
    public comment by someone other than the submitter is the first response."""

    id: str
    """Server-assigned ULID with type prefix (e.g. cmt_…)."""

    tenant_id: str
    """Tenant scope — auto-stamped from the caller's JWT."""

    app_id: str | None = None
    """App scope. Stamped ONLY when the caller's JWT was minted for a specific Application
    (integration API keys). Absent for human-user sessions. Filters reads when present."""

    created_at: Timestamp
    """Server stamp."""

    updated_at: Timestamp
    """Server stamp; updated on every patch."""

    created_by: str | None = None
    """Person id from the caller's JWT (sub)."""

    updated_by: str | None = None
    """Person id from the last writer's JWT (sub)."""

    source: str = "edm"
    """Provenance tag — defaults to 'edm'."""

    source_type: CommentSourceType = "api"
    """Where the write originated. Defaults to 'api'."""

    is_deleted: bool = False
    """Soft-delete flag. Excluded from default list queries."""

    deleted_at: Timestamp | None = None
    """Stamped when soft-deleted; null otherwise."""

    deleted_by: str | None = None
    """Person id who soft-deleted; null otherwise."""

    schema_version: int = 1
    """Document schema version. Bumped on incompatible writes."""

    ticket_id: str
    """The ticket this comment belongs to."""

    body: str
    """The comment. Markdown is supported."""

    public: bool = True
    """Visible to the requester; false makes an internal note for agents. Requesters' comments
    are always public."""

    author_id: str
    """Person id of the author (the caller's sub)."""


EventSourceType: TypeAlias = Literal[
    "frontend",
    "backend",
    "server",
    "system",
    "api",
]


EventAction: TypeAlias = Literal[
    "create",
    "update",
    "close",
    "reopen",
    "delete",
    "restore",
    "comment",
]


EventOrder: TypeAlias = Literal[
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
]


class Event(EDMModel):
    """The ticket's history: one event per create, update, close, reopen, delete, restore and
    comment, with the old and new value of each changed field. Never edited."""

    id: str
    """Server-assigned ULID with type prefix (e.g. evt_…)."""

    tenant_id: str
    """Tenant scope — auto-stamped from the caller's JWT."""

    app_id: str | None = None
    """App scope. Stamped ONLY when the caller's JWT was minted for a specific Application
    (integration API keys). Absent for human-user sessions. Filters reads when present."""

    created_at: Timestamp
    """Server stamp."""

    updated_at: Timestamp
    """Server stamp; updated on every patch."""

    created_by: str | None = None
    """Person id from the caller's JWT (sub)."""

    updated_by: str | None = None
    """Person id from the last writer's JWT (sub)."""

    source: str = "edm"
    """Provenance tag — defaults to 'edm'."""

    source_type: EventSourceType = "api"
    """Where the write originated. Defaults to 'api'."""

    is_deleted: bool = False
    """Soft-delete flag. Excluded from default list queries."""

    deleted_at: Timestamp | None = None
    """Stamped when soft-deleted; null otherwise."""

    deleted_by: str | None = None
    """Person id who soft-deleted; null otherwise."""

    schema_version: int = 1
    """Document schema version. Bumped on incompatible writes."""

    ticket_id: str
    """The ticket this event belongs to."""

    actor: str
    """Person id who made the change (the caller's sub)."""

    action: EventAction
    """What happened."""

    changes: dict[str, Any]
    """Changed fields: {field: [old, new]}; a comment event names the comment."""

    at: Timestamp
    """When it happened."""


ApplicationSourceType: TypeAlias = Literal[
    "frontend",
    "backend",
    "server",
    "system",
    "api",
]


ApplicationRoles: TypeAlias = Literal[
    "requester",
    "agent",
    "admin",
]


ApplicationScopes: TypeAlias = Literal[
    "*",
    "helpdesk.tickets:read",
    "helpdesk.tickets:write",
    "helpdesk.sla_policies:read",
    "helpdesk.sla_policies:write",
    "helpdesk.comments:read",
    "helpdesk.comments:write",
    "helpdesk.events:read",
]


ApplicationOrder: TypeAlias = Literal[
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
]


class Application(EDMModel):
    """An integration registered by the tenant. Its id is the app_id stamped on what its keys and
    tokens write, and the scope of what they read. Managed by admins acting for themselves (a
    token without app_id) only."""

    id: str
    """Server-assigned ULID with type prefix (e.g. app_…)."""

    tenant_id: str
    """Tenant scope — auto-stamped from the caller's JWT."""

    app_id: str | None = None
    """App scope. Stamped ONLY when the caller's JWT was minted for a specific Application
    (integration API keys). Absent for human-user sessions. Filters reads when present."""

    created_at: Timestamp
    """Server stamp."""

    updated_at: Timestamp
    """Server stamp; updated on every patch."""

    created_by: str | None = None
    """Person id from the caller's JWT (sub)."""

    updated_by: str | None = None
    """Person id from the last writer's JWT (sub)."""

    source: str = "edm"
    """Provenance tag — defaults to 'edm'."""

    source_type: ApplicationSourceType = "api"
    """Where the write originated. Defaults to 'api'."""

    is_deleted: bool = False
    """Soft-delete flag. Excluded from default list queries."""

    deleted_at: Timestamp | None = None
    """Stamped when soft-deleted; null otherwise."""

    deleted_by: str | None = None
    """Person id who soft-deleted; null otherwise."""

    schema_version: int = 1
    """Document schema version. Bumped on incompatible writes."""

    name: str
    """Name of the integration, e.g. 'Monitoring bridge'."""

    description: str | None = None
    """What the integration does. Markdown is supported."""

    roles: list[ApplicationRoles] = pydantic.Field(default_factory=list)
    """Roles its tokens carry (requester, agent, admin); at least one."""

    scopes: list[ApplicationScopes] = pydantic.Field(default_factory=list)
    """What its tokens may do: '<domain>.<resource>:read' or ':write' (write includes read), or
    '*' for everything its roles allow."""

    is_active: bool = True
    """False stops its keys and tokens (within seconds on every server) and keeps its records."""

    rate_limit_per_minute: int | None = None
    """Requests per minute shared by all its tokens; null: the tenant default."""


APIKeySourceType: TypeAlias = Literal[
    "frontend",
    "backend",
    "server",
    "system",
    "api",
]


APIKeyOrder: TypeAlias = Literal[
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
]


class APIKey(EDMModel):
    """A secret an application authenticates with: exchanged for a token at /api/v1/oauth/token,
    or sent as 'Authorization: Bearer edm_sk_…'. The secret is shown once, in the response
    that creates it; only a hash of it is stored."""

    id: str
    """Server-assigned ULID with type prefix (e.g. key_…)."""

    tenant_id: str
    """Tenant scope — auto-stamped from the caller's JWT."""

    app_id: str | None = None
    """App scope. Stamped ONLY when the caller's JWT was minted for a specific Application
    (integration API keys). Absent for human-user sessions. Filters reads when present."""

    created_at: Timestamp
    """Server stamp."""

    updated_at: Timestamp
    """Server stamp; updated on every patch."""

    created_by: str | None = None
    """Person id from the caller's JWT (sub)."""

    updated_by: str | None = None
    """Person id from the last writer's JWT (sub)."""

    source: str = "edm"
    """Provenance tag — defaults to 'edm'."""

    source_type: APIKeySourceType = "api"
    """Where the write originated. Defaults to 'api'."""

    is_deleted: bool = False
    """Soft-delete flag. Excluded from default list queries."""

    deleted_at: Timestamp | None = None
    """Stamped when soft-deleted; null otherwise."""

    deleted_by: str | None = None
    """Person id who soft-deleted; null otherwise."""

    schema_version: int = 1
    """Document schema version. Bumped on incompatible writes."""

    application_id: str
    """The application this key authenticates."""

    name: str | None = None
    """A label, e.g. 'production'."""

    prefix: str
    """The key's first characters, to recognise it."""

    last4: str
    """The key's last four characters."""

    expires_at: Timestamp | None = None
    """When the key stops working; null: never (until revoked). A rotated key's is set to the end
    of the overlap."""

    last_used_at: Timestamp | None = None
    """When the key was last used, to the minute."""

    revoked_at: Timestamp | None = None
    """When the key was revoked; null while it is not."""

    secret: str | None = None
    """The key: 'edm_sk_' + 40 random base62 characters + a 6-character checksum. Shown in this
    response only; store it now."""


class TicketComments(SyncResource[Comment]):
    """A reply or internal note on a ticket. Requesters see only public comments; the first
    public comment by someone other than the submitter is the first response."""

    _model = Comment

    def list(
        self,
        ticket_id: str,
        *,
        public: bool | NotGiven = NOT_GIVEN,
        order: CommentOrder | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        cursor: str | NotGiven = NOT_GIVEN,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        created_after: datetime | str | NotGiven = NOT_GIVEN,
        created_before: datetime | str | NotGiven = NOT_GIVEN,
        updated_after: datetime | str | NotGiven = NOT_GIVEN,
        updated_before: datetime | str | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> SyncPage[Comment]:
        """List a ticket's comments, oldest first."""
        return self._list(
            RequestOptions.build(
                "GET",
                "/api/v1/helpdesk/tickets/{ticket_id}/comments",
                {"ticket_id": ticket_id},
                query={
                    "public": public,
                    "order": order,
                    "limit": limit,
                    "cursor": cursor,
                    "include_deleted": include_deleted,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def create(
        self,
        ticket_id: str,
        *,
        body: str,
        source: str | NotGiven = NOT_GIVEN,
        source_type: CommentSourceType | NotGiven = NOT_GIVEN,
        public: bool | NotGiven = NOT_GIVEN,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Comment:
        """Comment on a ticket."""
        return self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/helpdesk/tickets/{ticket_id}/comments",
                {"ticket_id": ticket_id},
                body={
                    "source": source,
                    "source_type": source_type,
                    "body": body,
                    "public": public,
                },
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )


class AsyncTicketComments(AsyncResource[Comment]):
    """A reply or internal note on a ticket. Requesters see only public comments; the first
    public comment by someone other than the submitter is the first response."""

    _model = Comment

    def list(
        self,
        ticket_id: str,
        *,
        public: bool | NotGiven = NOT_GIVEN,
        order: CommentOrder | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        cursor: str | NotGiven = NOT_GIVEN,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        created_after: datetime | str | NotGiven = NOT_GIVEN,
        created_before: datetime | str | NotGiven = NOT_GIVEN,
        updated_after: datetime | str | NotGiven = NOT_GIVEN,
        updated_before: datetime | str | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> AsyncPaginator[Comment]:
        """List a ticket's comments, oldest first."""
        return self._list(
            RequestOptions.build(
                "GET",
                "/api/v1/helpdesk/tickets/{ticket_id}/comments",
                {"ticket_id": ticket_id},
                query={
                    "public": public,
                    "order": order,
                    "limit": limit,
                    "cursor": cursor,
                    "include_deleted": include_deleted,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def create(
        self,
        ticket_id: str,
        *,
        body: str,
        source: str | NotGiven = NOT_GIVEN,
        source_type: CommentSourceType | NotGiven = NOT_GIVEN,
        public: bool | NotGiven = NOT_GIVEN,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Comment:
        """Comment on a ticket."""
        return await self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/helpdesk/tickets/{ticket_id}/comments",
                {"ticket_id": ticket_id},
                body={
                    "source": source,
                    "source_type": source_type,
                    "body": body,
                    "public": public,
                },
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )


class TicketEvents(SyncResource[Event]):
    """The ticket's history: one event per create, update, close, reopen, delete, restore and
    comment, with the old and new value of each changed field. Never edited."""

    _model = Event

    def list(
        self,
        ticket_id: str,
        *,
        action: EventAction | Sequence[EventAction] | NotGiven = NOT_GIVEN,
        order: EventOrder | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        cursor: str | NotGiven = NOT_GIVEN,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        created_after: datetime | str | NotGiven = NOT_GIVEN,
        created_before: datetime | str | NotGiven = NOT_GIVEN,
        updated_after: datetime | str | NotGiven = NOT_GIVEN,
        updated_before: datetime | str | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> SyncPage[Event]:
        """List a ticket's history, oldest first."""
        return self._list(
            RequestOptions.build(
                "GET",
                "/api/v1/helpdesk/tickets/{ticket_id}/events",
                {"ticket_id": ticket_id},
                query={
                    "action": action,
                    "order": order,
                    "limit": limit,
                    "cursor": cursor,
                    "include_deleted": include_deleted,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )


class AsyncTicketEvents(AsyncResource[Event]):
    """The ticket's history: one event per create, update, close, reopen, delete, restore and
    comment, with the old and new value of each changed field. Never edited."""

    _model = Event

    def list(
        self,
        ticket_id: str,
        *,
        action: EventAction | Sequence[EventAction] | NotGiven = NOT_GIVEN,
        order: EventOrder | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        cursor: str | NotGiven = NOT_GIVEN,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        created_after: datetime | str | NotGiven = NOT_GIVEN,
        created_before: datetime | str | NotGiven = NOT_GIVEN,
        updated_after: datetime | str | NotGiven = NOT_GIVEN,
        updated_before: datetime | str | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> AsyncPaginator[Event]:
        """List a ticket's history, oldest first."""
        return self._list(
            RequestOptions.build(
                "GET",
                "/api/v1/helpdesk/tickets/{ticket_id}/events",
                {"ticket_id": ticket_id},
                query={
                    "action": action,
                    "order": order,
                    "limit": limit,
                    "cursor": cursor,
                    "include_deleted": include_deleted,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )


class ApplicationKeys(SyncResource[APIKey]):
    """A secret an application authenticates with: exchanged for a token at /api/v1/oauth/token,
    or sent as 'Authorization: Bearer edm_sk_…'. The secret is shown once, in the response
    that creates it; only a hash of it is stored."""

    _model = APIKey

    def list(
        self,
        application_id: str,
        *,
        order: APIKeyOrder | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        cursor: str | NotGiven = NOT_GIVEN,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        created_after: datetime | str | NotGiven = NOT_GIVEN,
        created_before: datetime | str | NotGiven = NOT_GIVEN,
        updated_after: datetime | str | NotGiven = NOT_GIVEN,
        updated_before: datetime | str | NotGiven = NOT_GIVEN,
        expires_after: datetime | str | NotGiven = NOT_GIVEN,
        expires_before: datetime | str | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> SyncPage[APIKey]:
        """List an application's keys."""
        return self._list(
            RequestOptions.build(
                "GET",
                "/api/v1/platform/applications/{application_id}/keys",
                {"application_id": application_id},
                query={
                    "order": order,
                    "limit": limit,
                    "cursor": cursor,
                    "include_deleted": include_deleted,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                    "expires_after": expires_after,
                    "expires_before": expires_before,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def get(
        self,
        application_id: str,
        id: str,
        *,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> APIKey:
        """Get a key (never its secret)."""
        return self._record(
            RequestOptions.build(
                "GET",
                "/api/v1/platform/applications/{application_id}/keys/{id}",
                {"application_id": application_id, "id": id},
                query={
                    "include_deleted": include_deleted,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def create(
        self,
        application_id: str,
        *,
        source: str | NotGiven = NOT_GIVEN,
        source_type: APIKeySourceType | NotGiven = NOT_GIVEN,
        name: str | NotGiven | None = NOT_GIVEN,
        expires_at: datetime | NotGiven | None = NOT_GIVEN,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> APIKey:
        """Create a key; its secret is in this response only."""
        return self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/platform/applications/{application_id}/keys",
                {"application_id": application_id},
                body={
                    "source": source,
                    "source_type": source_type,
                    "name": name,
                    "expires_at": expires_at,
                },
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def revoke(
        self,
        application_id: str,
        id: str,
        *,
        if_match: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> APIKey:
        """Revoke the key: it stops working at once (within 5 s on every server)."""
        return self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/platform/applications/{application_id}/keys/{id}/revoke",
                {"application_id": application_id, "id": id},
                if_match=if_match,
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def rotate(
        self,
        application_id: str,
        id: str,
        *,
        overlap_seconds: int | NotGiven = NOT_GIVEN,
        if_match: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> APIKey:
        """Create a new key for the same application; the old one expires after overlap_seconds.
        The new secret is in this response only."""
        return self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/platform/applications/{application_id}/keys/{id}/rotate",
                {"application_id": application_id, "id": id},
                body={
                    "overlap_seconds": overlap_seconds,
                },
                if_match=if_match,
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )


class AsyncApplicationKeys(AsyncResource[APIKey]):
    """A secret an application authenticates with: exchanged for a token at /api/v1/oauth/token,
    or sent as 'Authorization: Bearer edm_sk_…'. The secret is shown once, in the response
    that creates it; only a hash of it is stored."""

    _model = APIKey

    def list(
        self,
        application_id: str,
        *,
        order: APIKeyOrder | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        cursor: str | NotGiven = NOT_GIVEN,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        created_after: datetime | str | NotGiven = NOT_GIVEN,
        created_before: datetime | str | NotGiven = NOT_GIVEN,
        updated_after: datetime | str | NotGiven = NOT_GIVEN,
        updated_before: datetime | str | NotGiven = NOT_GIVEN,
        expires_after: datetime | str | NotGiven = NOT_GIVEN,
        expires_before: datetime | str | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> AsyncPaginator[APIKey]:
        """List an application's keys."""
        return self._list(
            RequestOptions.build(
                "GET",
                "/api/v1/platform/applications/{application_id}/keys",
                {"application_id": application_id},
                query={
                    "order": order,
                    "limit": limit,
                    "cursor": cursor,
                    "include_deleted": include_deleted,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                    "expires_after": expires_after,
                    "expires_before": expires_before,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def get(
        self,
        application_id: str,
        id: str,
        *,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> APIKey:
        """Get a key (never its secret)."""
        return await self._record(
            RequestOptions.build(
                "GET",
                "/api/v1/platform/applications/{application_id}/keys/{id}",
                {"application_id": application_id, "id": id},
                query={
                    "include_deleted": include_deleted,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def create(
        self,
        application_id: str,
        *,
        source: str | NotGiven = NOT_GIVEN,
        source_type: APIKeySourceType | NotGiven = NOT_GIVEN,
        name: str | NotGiven | None = NOT_GIVEN,
        expires_at: datetime | NotGiven | None = NOT_GIVEN,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> APIKey:
        """Create a key; its secret is in this response only."""
        return await self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/platform/applications/{application_id}/keys",
                {"application_id": application_id},
                body={
                    "source": source,
                    "source_type": source_type,
                    "name": name,
                    "expires_at": expires_at,
                },
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def revoke(
        self,
        application_id: str,
        id: str,
        *,
        if_match: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> APIKey:
        """Revoke the key: it stops working at once (within 5 s on every server)."""
        return await self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/platform/applications/{application_id}/keys/{id}/revoke",
                {"application_id": application_id, "id": id},
                if_match=if_match,
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def rotate(
        self,
        application_id: str,
        id: str,
        *,
        overlap_seconds: int | NotGiven = NOT_GIVEN,
        if_match: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> APIKey:
        """Create a new key for the same application; the old one expires after overlap_seconds.
        The new secret is in this response only."""
        return await self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/platform/applications/{application_id}/keys/{id}/rotate",
                {"application_id": application_id, "id": id},
                body={
                    "overlap_seconds": overlap_seconds,
                },
                if_match=if_match,
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )


class Tickets(SyncResource[Ticket]):
    """A support ticket raised by an employee or customer."""

    _model = Ticket

    @cached_property
    def comments(self) -> TicketComments:
        """A reply or internal note on a ticket. Requesters see only public comments; the first
        public comment by someone other than the submitter is the first response."""
        return TicketComments(self._requester)

    @cached_property
    def events(self) -> TicketEvents:
        """The ticket's history: one event per create, update, close, reopen, delete, restore and
        comment, with the old and new value of each changed field. Never edited."""
        return TicketEvents(self._requester)

    def list(
        self,
        *,
        number: str | Sequence[str] | NotGiven = NOT_GIVEN,
        type: TicketType | Sequence[TicketType] | NotGiven = NOT_GIVEN,
        status: TicketStatus | Sequence[TicketStatus] | NotGiven = NOT_GIVEN,
        priority: TicketPriority | Sequence[TicketPriority] | NotGiven = NOT_GIVEN,
        category: str | Sequence[str] | NotGiven | None = NOT_GIVEN,
        submitted_by_id: str | Sequence[str] | NotGiven | None = NOT_GIVEN,
        assigned_to_id: str | Sequence[str] | NotGiven | None = NOT_GIVEN,
        team_id: str | Sequence[str] | NotGiven | None = NOT_GIVEN,
        sla_policy: str | Sequence[str] | NotGiven | None = NOT_GIVEN,
        tag: str | Sequence[str] | NotGiven = NOT_GIVEN,
        overdue: bool | NotGiven = NOT_GIVEN,
        q: str | NotGiven = NOT_GIVEN,
        order: TicketOrder | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        cursor: str | NotGiven = NOT_GIVEN,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        created_after: datetime | str | NotGiven = NOT_GIVEN,
        created_before: datetime | str | NotGiven = NOT_GIVEN,
        updated_after: datetime | str | NotGiven = NOT_GIVEN,
        updated_before: datetime | str | NotGiven = NOT_GIVEN,
        due_before: datetime | str | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> SyncPage[Ticket]:
        """List tickets, newest first, with filters."""
        return self._list(
            RequestOptions.build(
                "GET",
                "/api/v1/helpdesk/tickets",
                {},
                query={
                    "number": number,
                    "type": type,
                    "status": status,
                    "priority": priority,
                    "category": category,
                    "submitted_by_id": submitted_by_id,
                    "assigned_to_id": assigned_to_id,
                    "team_id": team_id,
                    "sla_policy": sla_policy,
                    "tag": tag,
                    "overdue": overdue,
                    "q": q,
                    "order": order,
                    "limit": limit,
                    "cursor": cursor,
                    "include_deleted": include_deleted,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                    "due_before": due_before,
                },
                repeated=("tag",),
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def get(
        self,
        id_or_number: str,
        *,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Ticket:
        """Get a ticket by id or by number (TKT-0042)."""
        return self._record(
            RequestOptions.build(
                "GET",
                "/api/v1/helpdesk/tickets/{id}",
                {"id": id_or_number},
                query={
                    "include_deleted": include_deleted,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def create(
        self,
        *,
        title: str,
        source: str | NotGiven = NOT_GIVEN,
        source_type: TicketSourceType | NotGiven = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        type: TicketType | NotGiven = NOT_GIVEN,
        status: TicketStatus | NotGiven = NOT_GIVEN,
        priority: TicketPriority | NotGiven = NOT_GIVEN,
        category: str | NotGiven | None = NOT_GIVEN,
        submitted_by_id: str | NotGiven | None = NOT_GIVEN,
        assigned_to_id: str | NotGiven | None = NOT_GIVEN,
        team_id: str | NotGiven | None = NOT_GIVEN,
        sla_policy: str | NotGiven | None = NOT_GIVEN,
        related_asset_id: str | NotGiven | None = NOT_GIVEN,
        related_vulnerability_id: str | NotGiven | None = NOT_GIVEN,
        tags: Sequence[str] | NotGiven = NOT_GIVEN,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Ticket:
        """Create a ticket; the number is assigned."""
        return self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/helpdesk/tickets",
                {},
                body={
                    "source": source,
                    "source_type": source_type,
                    "title": title,
                    "description": description,
                    "type": type,
                    "status": status,
                    "priority": priority,
                    "category": category,
                    "submitted_by_id": submitted_by_id,
                    "assigned_to_id": assigned_to_id,
                    "team_id": team_id,
                    "sla_policy": sla_policy,
                    "related_asset_id": related_asset_id,
                    "related_vulnerability_id": related_vulnerability_id,
                    "tags": tags,
                },
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def update(
        self,
        id: str,
        *,
        source: str | NotGiven = NOT_GIVEN,
        source_type: TicketSourceType | NotGiven = NOT_GIVEN,
        title: str | NotGiven = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        type: TicketType | NotGiven = NOT_GIVEN,
        status: TicketStatus | NotGiven = NOT_GIVEN,
        priority: TicketPriority | NotGiven = NOT_GIVEN,
        category: str | NotGiven | None = NOT_GIVEN,
        submitted_by_id: str | NotGiven | None = NOT_GIVEN,
        assigned_to_id: str | NotGiven | None = NOT_GIVEN,
        team_id: str | NotGiven | None = NOT_GIVEN,
        sla_policy: str | NotGiven | None = NOT_GIVEN,
        related_asset_id: str | NotGiven | None = NOT_GIVEN,
        related_vulnerability_id: str | NotGiven | None = NOT_GIVEN,
        tags: Sequence[str] | NotGiven = NOT_GIVEN,
        if_match: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Ticket:
        """Change some fields; null clears a field."""
        return self._record(
            RequestOptions.build(
                "PATCH",
                "/api/v1/helpdesk/tickets/{id}",
                {"id": id},
                body={
                    "source": source,
                    "source_type": source_type,
                    "title": title,
                    "description": description,
                    "type": type,
                    "status": status,
                    "priority": priority,
                    "category": category,
                    "submitted_by_id": submitted_by_id,
                    "assigned_to_id": assigned_to_id,
                    "team_id": team_id,
                    "sla_policy": sla_policy,
                    "related_asset_id": related_asset_id,
                    "related_vulnerability_id": related_vulnerability_id,
                    "tags": tags,
                },
                if_match=if_match,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def close(
        self,
        id: str,
        *,
        if_match: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Ticket:
        """Close the ticket (idempotent)."""
        return self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/helpdesk/tickets/{id}/close",
                {"id": id},
                if_match=if_match,
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def reopen(
        self,
        id: str,
        *,
        if_match: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Ticket:
        """Reopen a resolved or closed ticket."""
        return self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/helpdesk/tickets/{id}/reopen",
                {"id": id},
                if_match=if_match,
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def delete(
        self,
        id: str,
        *,
        if_match: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Ticket:
        """Soft-delete the ticket. Requires the admin role."""
        return self._record(
            RequestOptions.build(
                "DELETE",
                "/api/v1/helpdesk/tickets/{id}",
                {"id": id},
                if_match=if_match,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def restore(
        self,
        id: str,
        *,
        if_match: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Ticket:
        """Bring a deleted ticket back. Requires the admin role."""
        return self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/helpdesk/tickets/{id}/restore",
                {"id": id},
                if_match=if_match,
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def batch_create(
        self,
        items: Sequence[Mapping[str, Any]],
        *,
        atomic: bool = False,
        preserve_timestamps: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> BatchResults[Ticket]:
        """Create up to 1,000 tickets; a result per item, numbered in item order."""
        return self._batch(
            RequestOptions.build(
                "POST",
                "/api/v1/helpdesk/tickets/batch",
                {},
                body={
                    "items": items,
                    "atomic": atomic,
                    "preserve_timestamps": preserve_timestamps,
                },
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def batch_update(
        self,
        items: Sequence[Mapping[str, Any]],
        *,
        atomic: bool = False,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> BatchResults[Ticket]:
        """Change up to 1,000 tickets; a result per item."""
        return self._batch(
            RequestOptions.build(
                "PATCH",
                "/api/v1/helpdesk/tickets/batch",
                {},
                body={
                    "items": items,
                    "atomic": atomic,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )


class AsyncTickets(AsyncResource[Ticket]):
    """A support ticket raised by an employee or customer."""

    _model = Ticket

    @cached_property
    def comments(self) -> AsyncTicketComments:
        """A reply or internal note on a ticket. Requesters see only public comments; the first
        public comment by someone other than the submitter is the first response."""
        return AsyncTicketComments(self._requester)

    @cached_property
    def events(self) -> AsyncTicketEvents:
        """The ticket's history: one event per create, update, close, reopen, delete, restore and
        comment, with the old and new value of each changed field. Never edited."""
        return AsyncTicketEvents(self._requester)

    def list(
        self,
        *,
        number: str | Sequence[str] | NotGiven = NOT_GIVEN,
        type: TicketType | Sequence[TicketType] | NotGiven = NOT_GIVEN,
        status: TicketStatus | Sequence[TicketStatus] | NotGiven = NOT_GIVEN,
        priority: TicketPriority | Sequence[TicketPriority] | NotGiven = NOT_GIVEN,
        category: str | Sequence[str] | NotGiven | None = NOT_GIVEN,
        submitted_by_id: str | Sequence[str] | NotGiven | None = NOT_GIVEN,
        assigned_to_id: str | Sequence[str] | NotGiven | None = NOT_GIVEN,
        team_id: str | Sequence[str] | NotGiven | None = NOT_GIVEN,
        sla_policy: str | Sequence[str] | NotGiven | None = NOT_GIVEN,
        tag: str | Sequence[str] | NotGiven = NOT_GIVEN,
        overdue: bool | NotGiven = NOT_GIVEN,
        q: str | NotGiven = NOT_GIVEN,
        order: TicketOrder | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        cursor: str | NotGiven = NOT_GIVEN,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        created_after: datetime | str | NotGiven = NOT_GIVEN,
        created_before: datetime | str | NotGiven = NOT_GIVEN,
        updated_after: datetime | str | NotGiven = NOT_GIVEN,
        updated_before: datetime | str | NotGiven = NOT_GIVEN,
        due_before: datetime | str | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> AsyncPaginator[Ticket]:
        """List tickets, newest first, with filters."""
        return self._list(
            RequestOptions.build(
                "GET",
                "/api/v1/helpdesk/tickets",
                {},
                query={
                    "number": number,
                    "type": type,
                    "status": status,
                    "priority": priority,
                    "category": category,
                    "submitted_by_id": submitted_by_id,
                    "assigned_to_id": assigned_to_id,
                    "team_id": team_id,
                    "sla_policy": sla_policy,
                    "tag": tag,
                    "overdue": overdue,
                    "q": q,
                    "order": order,
                    "limit": limit,
                    "cursor": cursor,
                    "include_deleted": include_deleted,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                    "due_before": due_before,
                },
                repeated=("tag",),
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def get(
        self,
        id_or_number: str,
        *,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Ticket:
        """Get a ticket by id or by number (TKT-0042)."""
        return await self._record(
            RequestOptions.build(
                "GET",
                "/api/v1/helpdesk/tickets/{id}",
                {"id": id_or_number},
                query={
                    "include_deleted": include_deleted,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def create(
        self,
        *,
        title: str,
        source: str | NotGiven = NOT_GIVEN,
        source_type: TicketSourceType | NotGiven = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        type: TicketType | NotGiven = NOT_GIVEN,
        status: TicketStatus | NotGiven = NOT_GIVEN,
        priority: TicketPriority | NotGiven = NOT_GIVEN,
        category: str | NotGiven | None = NOT_GIVEN,
        submitted_by_id: str | NotGiven | None = NOT_GIVEN,
        assigned_to_id: str | NotGiven | None = NOT_GIVEN,
        team_id: str | NotGiven | None = NOT_GIVEN,
        sla_policy: str | NotGiven | None = NOT_GIVEN,
        related_asset_id: str | NotGiven | None = NOT_GIVEN,
        related_vulnerability_id: str | NotGiven | None = NOT_GIVEN,
        tags: Sequence[str] | NotGiven = NOT_GIVEN,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Ticket:
        """Create a ticket; the number is assigned."""
        return await self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/helpdesk/tickets",
                {},
                body={
                    "source": source,
                    "source_type": source_type,
                    "title": title,
                    "description": description,
                    "type": type,
                    "status": status,
                    "priority": priority,
                    "category": category,
                    "submitted_by_id": submitted_by_id,
                    "assigned_to_id": assigned_to_id,
                    "team_id": team_id,
                    "sla_policy": sla_policy,
                    "related_asset_id": related_asset_id,
                    "related_vulnerability_id": related_vulnerability_id,
                    "tags": tags,
                },
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def update(
        self,
        id: str,
        *,
        source: str | NotGiven = NOT_GIVEN,
        source_type: TicketSourceType | NotGiven = NOT_GIVEN,
        title: str | NotGiven = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        type: TicketType | NotGiven = NOT_GIVEN,
        status: TicketStatus | NotGiven = NOT_GIVEN,
        priority: TicketPriority | NotGiven = NOT_GIVEN,
        category: str | NotGiven | None = NOT_GIVEN,
        submitted_by_id: str | NotGiven | None = NOT_GIVEN,
        assigned_to_id: str | NotGiven | None = NOT_GIVEN,
        team_id: str | NotGiven | None = NOT_GIVEN,
        sla_policy: str | NotGiven | None = NOT_GIVEN,
        related_asset_id: str | NotGiven | None = NOT_GIVEN,
        related_vulnerability_id: str | NotGiven | None = NOT_GIVEN,
        tags: Sequence[str] | NotGiven = NOT_GIVEN,
        if_match: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Ticket:
        """Change some fields; null clears a field."""
        return await self._record(
            RequestOptions.build(
                "PATCH",
                "/api/v1/helpdesk/tickets/{id}",
                {"id": id},
                body={
                    "source": source,
                    "source_type": source_type,
                    "title": title,
                    "description": description,
                    "type": type,
                    "status": status,
                    "priority": priority,
                    "category": category,
                    "submitted_by_id": submitted_by_id,
                    "assigned_to_id": assigned_to_id,
                    "team_id": team_id,
                    "sla_policy": sla_policy,
                    "related_asset_id": related_asset_id,
                    "related_vulnerability_id": related_vulnerability_id,
                    "tags": tags,
                },
                if_match=if_match,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def close(
        self,
        id: str,
        *,
        if_match: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Ticket:
        """Close the ticket (idempotent)."""
        return await self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/helpdesk/tickets/{id}/close",
                {"id": id},
                if_match=if_match,
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def reopen(
        self,
        id: str,
        *,
        if_match: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Ticket:
        """Reopen a resolved or closed ticket."""
        return await self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/helpdesk/tickets/{id}/reopen",
                {"id": id},
                if_match=if_match,
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def delete(
        self,
        id: str,
        *,
        if_match: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Ticket:
        """Soft-delete the ticket. Requires the admin role."""
        return await self._record(
            RequestOptions.build(
                "DELETE",
                "/api/v1/helpdesk/tickets/{id}",
                {"id": id},
                if_match=if_match,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def restore(
        self,
        id: str,
        *,
        if_match: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Ticket:
        """Bring a deleted ticket back. Requires the admin role."""
        return await self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/helpdesk/tickets/{id}/restore",
                {"id": id},
                if_match=if_match,
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def batch_create(
        self,
        items: Sequence[Mapping[str, Any]],
        *,
        atomic: bool = False,
        preserve_timestamps: bool = False,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> BatchResults[Ticket]:
        """Create up to 1,000 tickets; a result per item, numbered in item order."""
        return await self._batch(
            RequestOptions.build(
                "POST",
                "/api/v1/helpdesk/tickets/batch",
                {},
                body={
                    "items": items,
                    "atomic": atomic,
                    "preserve_timestamps": preserve_timestamps,
                },
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def batch_update(
        self,
        items: Sequence[Mapping[str, Any]],
        *,
        atomic: bool = False,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> BatchResults[Ticket]:
        """Change up to 1,000 tickets; a result per item."""
        return await self._batch(
            RequestOptions.build(
                "PATCH",
                "/api/v1/helpdesk/tickets/batch",
                {},
                body={
                    "items": items,
                    "atomic": atomic,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )


class SLAPolicies(SyncResource[SLAPolicy]):
    """Response and resolution targets per ticket priority, counted in business hours. The
    tenant's default policy applies to new tickets that name none."""

    _model = SLAPolicy

    def list(
        self,
        *,
        name: str | Sequence[str] | NotGiven = NOT_GIVEN,
        is_default: bool | NotGiven = NOT_GIVEN,
        order: SLAPolicyOrder | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        cursor: str | NotGiven = NOT_GIVEN,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        created_after: datetime | str | NotGiven = NOT_GIVEN,
        created_before: datetime | str | NotGiven = NOT_GIVEN,
        updated_after: datetime | str | NotGiven = NOT_GIVEN,
        updated_before: datetime | str | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> SyncPage[SLAPolicy]:
        """List SLA policies."""
        return self._list(
            RequestOptions.build(
                "GET",
                "/api/v1/helpdesk/sla_policies",
                {},
                query={
                    "name": name,
                    "is_default": is_default,
                    "order": order,
                    "limit": limit,
                    "cursor": cursor,
                    "include_deleted": include_deleted,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def get(
        self,
        id: str,
        *,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> SLAPolicy:
        """Get an SLA policy."""
        return self._record(
            RequestOptions.build(
                "GET",
                "/api/v1/helpdesk/sla_policies/{id}",
                {"id": id},
                query={
                    "include_deleted": include_deleted,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def create(
        self,
        *,
        name: str,
        source: str | NotGiven = NOT_GIVEN,
        source_type: SLAPolicySourceType | NotGiven = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        is_default: bool | NotGiven = NOT_GIVEN,
        targets: Mapping[str, Any] | NotGiven = NOT_GIVEN,
        business_hours: Mapping[str, Any] | NotGiven | None = NOT_GIVEN,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> SLAPolicy:
        """Create an SLA policy (admins)."""
        return self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/helpdesk/sla_policies",
                {},
                body={
                    "source": source,
                    "source_type": source_type,
                    "name": name,
                    "description": description,
                    "is_default": is_default,
                    "targets": targets,
                    "business_hours": business_hours,
                },
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def update(
        self,
        id: str,
        *,
        source: str | NotGiven = NOT_GIVEN,
        source_type: SLAPolicySourceType | NotGiven = NOT_GIVEN,
        name: str | NotGiven = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        is_default: bool | NotGiven = NOT_GIVEN,
        targets: Mapping[str, Any] | NotGiven = NOT_GIVEN,
        business_hours: Mapping[str, Any] | NotGiven | None = NOT_GIVEN,
        if_match: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> SLAPolicy:
        """Change an SLA policy (admins)."""
        return self._record(
            RequestOptions.build(
                "PATCH",
                "/api/v1/helpdesk/sla_policies/{id}",
                {"id": id},
                body={
                    "source": source,
                    "source_type": source_type,
                    "name": name,
                    "description": description,
                    "is_default": is_default,
                    "targets": targets,
                    "business_hours": business_hours,
                },
                if_match=if_match,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def delete(
        self,
        id: str,
        *,
        if_match: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> SLAPolicy:
        """Soft-delete an SLA policy (admins)."""
        return self._record(
            RequestOptions.build(
                "DELETE",
                "/api/v1/helpdesk/sla_policies/{id}",
                {"id": id},
                if_match=if_match,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )


class AsyncSLAPolicies(AsyncResource[SLAPolicy]):
    """Response and resolution targets per ticket priority, counted in business hours. The
    tenant's default policy applies to new tickets that name none."""

    _model = SLAPolicy

    def list(
        self,
        *,
        name: str | Sequence[str] | NotGiven = NOT_GIVEN,
        is_default: bool | NotGiven = NOT_GIVEN,
        order: SLAPolicyOrder | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        cursor: str | NotGiven = NOT_GIVEN,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        created_after: datetime | str | NotGiven = NOT_GIVEN,
        created_before: datetime | str | NotGiven = NOT_GIVEN,
        updated_after: datetime | str | NotGiven = NOT_GIVEN,
        updated_before: datetime | str | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> AsyncPaginator[SLAPolicy]:
        """List SLA policies."""
        return self._list(
            RequestOptions.build(
                "GET",
                "/api/v1/helpdesk/sla_policies",
                {},
                query={
                    "name": name,
                    "is_default": is_default,
                    "order": order,
                    "limit": limit,
                    "cursor": cursor,
                    "include_deleted": include_deleted,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def get(
        self,
        id: str,
        *,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> SLAPolicy:
        """Get an SLA policy."""
        return await self._record(
            RequestOptions.build(
                "GET",
                "/api/v1/helpdesk/sla_policies/{id}",
                {"id": id},
                query={
                    "include_deleted": include_deleted,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def create(
        self,
        *,
        name: str,
        source: str | NotGiven = NOT_GIVEN,
        source_type: SLAPolicySourceType | NotGiven = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        is_default: bool | NotGiven = NOT_GIVEN,
        targets: Mapping[str, Any] | NotGiven = NOT_GIVEN,
        business_hours: Mapping[str, Any] | NotGiven | None = NOT_GIVEN,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> SLAPolicy:
        """Create an SLA policy (admins)."""
        return await self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/helpdesk/sla_policies",
                {},
                body={
                    "source": source,
                    "source_type": source_type,
                    "name": name,
                    "description": description,
                    "is_default": is_default,
                    "targets": targets,
                    "business_hours": business_hours,
                },
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def update(
        self,
        id: str,
        *,
        source: str | NotGiven = NOT_GIVEN,
        source_type: SLAPolicySourceType | NotGiven = NOT_GIVEN,
        name: str | NotGiven = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        is_default: bool | NotGiven = NOT_GIVEN,
        targets: Mapping[str, Any] | NotGiven = NOT_GIVEN,
        business_hours: Mapping[str, Any] | NotGiven | None = NOT_GIVEN,
        if_match: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> SLAPolicy:
        """Change an SLA policy (admins)."""
        return await self._record(
            RequestOptions.build(
                "PATCH",
                "/api/v1/helpdesk/sla_policies/{id}",
                {"id": id},
                body={
                    "source": source,
                    "source_type": source_type,
                    "name": name,
                    "description": description,
                    "is_default": is_default,
                    "targets": targets,
                    "business_hours": business_hours,
                },
                if_match=if_match,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def delete(
        self,
        id: str,
        *,
        if_match: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> SLAPolicy:
        """Soft-delete an SLA policy (admins)."""
        return await self._record(
            RequestOptions.build(
                "DELETE",
                "/api/v1/helpdesk/sla_policies/{id}",
                {"id": id},
                if_match=if_match,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )


class Applications(SyncResource[Application]):
    """An integration registered by the tenant. Its id is the app_id stamped on what its keys and
    tokens write, and the scope of what they read. Managed by admins acting for themselves (a
    token without app_id) only."""

    _model = Application

    @cached_property
    def keys(self) -> ApplicationKeys:
        """A secret an application authenticates with: exchanged for a token at
        /api/v1/oauth/token, or sent as 'Authorization: Bearer edm_sk_…'. The secret is shown
        once, in the response that creates it; only a hash of it is stored."""
        return ApplicationKeys(self._requester)

    def list(
        self,
        *,
        name: str | Sequence[str] | NotGiven = NOT_GIVEN,
        is_active: bool | NotGiven = NOT_GIVEN,
        order: ApplicationOrder | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        cursor: str | NotGiven = NOT_GIVEN,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        created_after: datetime | str | NotGiven = NOT_GIVEN,
        created_before: datetime | str | NotGiven = NOT_GIVEN,
        updated_after: datetime | str | NotGiven = NOT_GIVEN,
        updated_before: datetime | str | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> SyncPage[Application]:
        """List applications."""
        return self._list(
            RequestOptions.build(
                "GET",
                "/api/v1/platform/applications",
                {},
                query={
                    "name": name,
                    "is_active": is_active,
                    "order": order,
                    "limit": limit,
                    "cursor": cursor,
                    "include_deleted": include_deleted,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def get(
        self,
        id: str,
        *,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Application:
        """Get an application."""
        return self._record(
            RequestOptions.build(
                "GET",
                "/api/v1/platform/applications/{id}",
                {"id": id},
                query={
                    "include_deleted": include_deleted,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def create(
        self,
        *,
        name: str,
        source: str | NotGiven = NOT_GIVEN,
        source_type: ApplicationSourceType | NotGiven = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        roles: Sequence[ApplicationRoles] | NotGiven = NOT_GIVEN,
        scopes: Sequence[ApplicationScopes] | NotGiven = NOT_GIVEN,
        is_active: bool | NotGiven = NOT_GIVEN,
        rate_limit_per_minute: int | NotGiven | None = NOT_GIVEN,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Application:
        """Register an application."""
        return self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/platform/applications",
                {},
                body={
                    "source": source,
                    "source_type": source_type,
                    "name": name,
                    "description": description,
                    "roles": roles,
                    "scopes": scopes,
                    "is_active": is_active,
                    "rate_limit_per_minute": rate_limit_per_minute,
                },
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def update(
        self,
        id: str,
        *,
        source: str | NotGiven = NOT_GIVEN,
        source_type: ApplicationSourceType | NotGiven = NOT_GIVEN,
        name: str | NotGiven = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        roles: Sequence[ApplicationRoles] | NotGiven = NOT_GIVEN,
        scopes: Sequence[ApplicationScopes] | NotGiven = NOT_GIVEN,
        is_active: bool | NotGiven = NOT_GIVEN,
        rate_limit_per_minute: int | NotGiven | None = NOT_GIVEN,
        if_match: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Application:
        """Change an application; is_active false stops its keys and tokens."""
        return self._record(
            RequestOptions.build(
                "PATCH",
                "/api/v1/platform/applications/{id}",
                {"id": id},
                body={
                    "source": source,
                    "source_type": source_type,
                    "name": name,
                    "description": description,
                    "roles": roles,
                    "scopes": scopes,
                    "is_active": is_active,
                    "rate_limit_per_minute": rate_limit_per_minute,
                },
                if_match=if_match,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    def delete(
        self,
        id: str,
        *,
        if_match: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Application:
        """Soft-delete an application: its keys and tokens stop, its records stay."""
        return self._record(
            RequestOptions.build(
                "DELETE",
                "/api/v1/platform/applications/{id}",
                {"id": id},
                if_match=if_match,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )


class AsyncApplications(AsyncResource[Application]):
    """An integration registered by the tenant. Its id is the app_id stamped on what its keys and
    tokens write, and the scope of what they read. Managed by admins acting for themselves (a
    token without app_id) only."""

    _model = Application

    @cached_property
    def keys(self) -> AsyncApplicationKeys:
        """A secret an application authenticates with: exchanged for a token at
        /api/v1/oauth/token, or sent as 'Authorization: Bearer edm_sk_…'. The secret is shown
        once, in the response that creates it; only a hash of it is stored."""
        return AsyncApplicationKeys(self._requester)

    def list(
        self,
        *,
        name: str | Sequence[str] | NotGiven = NOT_GIVEN,
        is_active: bool | NotGiven = NOT_GIVEN,
        order: ApplicationOrder | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        cursor: str | NotGiven = NOT_GIVEN,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        created_after: datetime | str | NotGiven = NOT_GIVEN,
        created_before: datetime | str | NotGiven = NOT_GIVEN,
        updated_after: datetime | str | NotGiven = NOT_GIVEN,
        updated_before: datetime | str | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> AsyncPaginator[Application]:
        """List applications."""
        return self._list(
            RequestOptions.build(
                "GET",
                "/api/v1/platform/applications",
                {},
                query={
                    "name": name,
                    "is_active": is_active,
                    "order": order,
                    "limit": limit,
                    "cursor": cursor,
                    "include_deleted": include_deleted,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def get(
        self,
        id: str,
        *,
        include_deleted: bool | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Application:
        """Get an application."""
        return await self._record(
            RequestOptions.build(
                "GET",
                "/api/v1/platform/applications/{id}",
                {"id": id},
                query={
                    "include_deleted": include_deleted,
                },
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def create(
        self,
        *,
        name: str,
        source: str | NotGiven = NOT_GIVEN,
        source_type: ApplicationSourceType | NotGiven = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        roles: Sequence[ApplicationRoles] | NotGiven = NOT_GIVEN,
        scopes: Sequence[ApplicationScopes] | NotGiven = NOT_GIVEN,
        is_active: bool | NotGiven = NOT_GIVEN,
        rate_limit_per_minute: int | NotGiven | None = NOT_GIVEN,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Application:
        """Register an application."""
        return await self._record(
            RequestOptions.build(
                "POST",
                "/api/v1/platform/applications",
                {},
                body={
                    "source": source,
                    "source_type": source_type,
                    "name": name,
                    "description": description,
                    "roles": roles,
                    "scopes": scopes,
                    "is_active": is_active,
                    "rate_limit_per_minute": rate_limit_per_minute,
                },
                idempotency_key=idempotency_key,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def update(
        self,
        id: str,
        *,
        source: str | NotGiven = NOT_GIVEN,
        source_type: ApplicationSourceType | NotGiven = NOT_GIVEN,
        name: str | NotGiven = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        roles: Sequence[ApplicationRoles] | NotGiven = NOT_GIVEN,
        scopes: Sequence[ApplicationScopes] | NotGiven = NOT_GIVEN,
        is_active: bool | NotGiven = NOT_GIVEN,
        rate_limit_per_minute: int | NotGiven | None = NOT_GIVEN,
        if_match: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Application:
        """Change an application; is_active false stops its keys and tokens."""
        return await self._record(
            RequestOptions.build(
                "PATCH",
                "/api/v1/platform/applications/{id}",
                {"id": id},
                body={
                    "source": source,
                    "source_type": source_type,
                    "name": name,
                    "description": description,
                    "roles": roles,
                    "scopes": scopes,
                    "is_active": is_active,
                    "rate_limit_per_minute": rate_limit_per_minute,
                },
                if_match=if_match,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )

    async def delete(
        self,
        id: str,
        *,
        if_match: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Application:
        """Soft-delete an application: its keys and tokens stop, its records stay."""
        return await self._record(
            RequestOptions.build(
                "DELETE",
                "/api/v1/platform/applications/{id}",
                {"id": id},
                if_match=if_match,
                extra_headers=extra_headers,
                timeout=timeout,
            )
        )


class Helpdesk(SyncNamespace):
    """The helpdesk domain."""

    @cached_property
    def tickets(self) -> Tickets:
        """A support ticket raised by an employee or customer."""
        return Tickets(self._requester)

    @cached_property
    def sla_policies(self) -> SLAPolicies:
        """Response and resolution targets per ticket priority, counted in business hours. The
        tenant's default policy applies to new tickets that name none."""
        return SLAPolicies(self._requester)


class Platform(SyncNamespace):
    """The platform domain."""

    @cached_property
    def applications(self) -> Applications:
        """An integration registered by the tenant. Its id is the app_id stamped on what its keys
        and tokens write, and the scope of what they read. Managed by admins acting for
        themselves (a token without app_id) only."""
        return Applications(self._requester)


class Domains(SyncNamespace):
    """The domains of `edm.Client`."""

    @cached_property
    def helpdesk(self) -> Helpdesk:
        """Resources of the helpdesk domain."""
        return Helpdesk(self._requester)

    @cached_property
    def platform(self) -> Platform:
        """Resources of the platform domain."""
        return Platform(self._requester)


class AsyncHelpdesk(AsyncNamespace):
    """The helpdesk domain."""

    @cached_property
    def tickets(self) -> AsyncTickets:
        """A support ticket raised by an employee or customer."""
        return AsyncTickets(self._requester)

    @cached_property
    def sla_policies(self) -> AsyncSLAPolicies:
        """Response and resolution targets per ticket priority, counted in business hours. The
        tenant's default policy applies to new tickets that name none."""
        return AsyncSLAPolicies(self._requester)


class AsyncPlatform(AsyncNamespace):
    """The platform domain."""

    @cached_property
    def applications(self) -> AsyncApplications:
        """An integration registered by the tenant. Its id is the app_id stamped on what its keys
        and tokens write, and the scope of what they read. Managed by admins acting for
        themselves (a token without app_id) only."""
        return AsyncApplications(self._requester)


class AsyncDomains(AsyncNamespace):
    """The domains of `edm.AsyncClient`."""

    @cached_property
    def helpdesk(self) -> AsyncHelpdesk:
        """Resources of the helpdesk domain."""
        return AsyncHelpdesk(self._requester)

    @cached_property
    def platform(self) -> AsyncPlatform:
        """Resources of the platform domain."""
        return AsyncPlatform(self._requester)
