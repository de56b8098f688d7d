"""The helpdesk domain's resources (seed page and SPEC sections 5-7)."""

from __future__ import annotations

from edm.manifest.enums import TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES
from edm.manifest.model import (
    Access,
    ComputedFilter,
    Field,
    FieldType,
    NumberFormat,
    Operation,
    OperationKind,
    Parent,
    RangeFilter,
    RequesterAccess,
    Resource,
)
from edm.manifest.platform import base_fields
from edm.manifest.shapes import BusinessHoursShape, SlaTargetsShape

MAX_BATCH_ITEMS = 1000
_STAFF_ONLY = RequesterAccess.NONE
_REQUESTER_EDITS = RequesterAccess.CREATE_AND_UPDATE


def _reference(
    name: str,
    notes: str,
    *,
    filterable: bool = True,
    requester: RequesterAccess = RequesterAccess.CREATE,
) -> Field:
    return Field(name, FieldType.REFERENCE, notes, filterable=filterable, requester=requester)


TICKETS = Resource(
    domain="helpdesk",
    name="tickets",
    title="Ticket",
    description="A support ticket raised by an employee or customer.",
    id_prefix="tkt",
    number=NumberFormat(field="number", prefix="TKT", min_digits=4),
    owner_field="submitted_by_id",
    history=True,
    computed_filters=(
        ComputedFilter(
            "overdue",
            "true: due_at has passed and the ticket is not resolved or "
            "closed; false: the opposite.",
        ),
    ),
    internal_fields=(
        Field("pending_since", FieldType.DATETIME, "When the ticket last entered 'pending'."),
        Field(
            "sla_paused_us",
            FieldType.INTEGER,
            "Business time spent in 'pending' so far, in microseconds.",
            nullable=False,
            default=0,
        ),
    ),
    fields=(
        *base_fields("tkt"),
        Field(
            "number",
            FieldType.STRING,
            "Human-readable ticket number, auto-assigned by the platform in the format TKT-NNNN.",
            read_only=True,
            nullable=False,
            max_length=32,
            filterable=True,
            sortable=True,
            searchable=True,
        ),
        Field(
            "title",
            FieldType.STRING,
            "Short summary of the ticket.",
            required=True,
            nullable=False,
            min_length=1,
            max_length=200,
            searchable=True,
            requester=_REQUESTER_EDITS,
        ),
        Field(
            "description",
            FieldType.TEXT,
            "Detailed description of the issue or request. Markdown is supported.",
            max_length=65536,
            searchable=True,
            requester=_REQUESTER_EDITS,
        ),
        Field(
            "type",
            FieldType.ENUM,
            "ITSM classification of the ticket. 'incident' is an unplanned disruption; "
            "'service_request' is a standard fulfillment; 'change' tracks planned "
            "modifications; 'problem' investigates the root cause of incidents.",
            nullable=False,
            default="incident",
            enum=TICKET_TYPES,
            filterable=True,
        ),
        Field(
            "status",
            FieldType.ENUM,
            "Current lifecycle state of the ticket. 'pending' means waiting on the submitter "
            "or a third party. 'resolved' means a fix has been applied; 'closed' means the "
            "submitter confirmed the resolution or the ticket was closed administratively.",
            nullable=False,
            default="open",
            enum=TICKET_STATUSES,
            filterable=True,
        ),
        Field(
            "priority",
            FieldType.ENUM,
            "Impact and urgency rating. 'urgent' indicates a critical business impact "
            "requiring immediate attention.",
            nullable=False,
            default="medium",
            enum=TICKET_PRIORITIES,
            filterable=True,
            sortable=True,
        ),
        Field(
            "category",
            FieldType.STRING,
            "Optional free-form category for grouping and reporting (e.g. 'Hardware', "
            "'Software', 'Network', 'Access').",
            max_length=100,
            filterable=True,
            requester=_REQUESTER_EDITS,
        ),
        Field(
            "submitted_by_id",
            FieldType.REFERENCE,
            "UUID of the Person who submitted this ticket. Defaults to the caller.",
            filterable=True,
            requester=_STAFF_ONLY,
        ),
        _reference(
            "assigned_to_id",
            "UUID of the Person currently assigned to resolve this ticket. Null when unassigned.",
            requester=_STAFF_ONLY,
        ),
        _reference(
            "team_id",
            "UUID of the Group (team) responsible for this ticket. Used for queue-based routing.",
            requester=_STAFF_ONLY,
        ),
        _reference(
            "sla_policy",
            "UUID of the SLAPolicy governing response and resolution time targets for this ticket.",
            requester=_STAFF_ONLY,
        ),
        Field(
            "first_response_at",
            FieldType.DATETIME,
            "ISO 8601 timestamp of the first agent response. Null until the first response "
            "is posted.",
            read_only=True,
        ),
        Field(
            "resolved_at",
            FieldType.DATETIME,
            "ISO 8601 timestamp when the ticket was marked resolved. Null until resolved.",
            read_only=True,
        ),
        Field(
            "due_at",
            FieldType.DATETIME,
            "ISO 8601 deadline for resolution, derived from the SLA policy and creation "
            "time. Null if no SLA is applied.",
            read_only=True,
            sortable=True,
            range_filters=(RangeFilter.BEFORE,),
        ),
        _reference(
            "related_asset_id",
            "UUID of the PhysicalAsset or CloudResource this ticket relates to. Enables "
            "asset-centric helpdesk views.",
            filterable=False,
        ),
        _reference(
            "related_vulnerability_id",
            "UUID of a Vulnerability that triggered or relates to this ticket. Links the "
            "helpdesk and risk domains.",
            filterable=False,
        ),
        Field(
            "tags",
            FieldType.TAGS,
            "Free-form tags for filtering and reporting.",
            nullable=False,
            default=[],
            item_max_length=64,
            max_items=50,
            filterable=True,
            filter_name="tag",
            requester=_REQUESTER_EDITS,
        ),
    ),
    operations=(
        Operation(
            "list",
            OperationKind.LIST,
            "List tickets, newest first, with filters.",
            cli="tickets list",
        ),
        Operation(
            "get",
            OperationKind.GET,
            "Get a ticket by id or by number (TKT-0042).",
            cli="tickets get",
        ),
        Operation(
            "create",
            OperationKind.CREATE,
            "Create a ticket; the number is assigned.",
            cli="tickets create",
        ),
        Operation(
            "update",
            OperationKind.UPDATE,
            "Change some fields; null clears a field.",
            cli="tickets update",
        ),
        Operation(
            "close", OperationKind.ACTION, "Close the ticket (idempotent).", cli="tickets close"
        ),
        Operation(
            "reopen",
            OperationKind.ACTION,
            "Reopen a resolved or closed ticket.",
            cli="tickets reopen",
        ),
        Operation("delete", OperationKind.DELETE, "Soft-delete the ticket.", admin_only=True),
        Operation("restore", OperationKind.ACTION, "Bring a deleted ticket back.", admin_only=True),
        Operation(
            "batch_create",
            OperationKind.BATCH_CREATE,
            "Create up to 1,000 tickets; a result per item, numbered in item order.",
            cli="import tickets",
            max_items=MAX_BATCH_ITEMS,
            preservable=("created_at", "updated_at", "resolved_at", "first_response_at"),
        ),
        Operation(
            "batch_update",
            OperationKind.BATCH_UPDATE,
            "Change up to 1,000 tickets; a result per item.",
            max_items=MAX_BATCH_ITEMS,
        ),
    ),
)


SLA_POLICIES = Resource(
    domain="helpdesk",
    name="sla_policies",
    title="SLA Policy",
    description="Response and resolution targets per ticket priority, counted in business "
    "hours. The tenant's default policy applies to new tickets that name none.",
    id_prefix="sla",
    read_access=Access.AGENTS,
    write_access=Access.ADMINS,
    fields=(
        *base_fields("sla"),
        Field(
            "name",
            FieldType.STRING,
            "Name of the policy, e.g. 'Standard support'.",
            required=True,
            nullable=False,
            min_length=1,
            max_length=200,
            filterable=True,
        ),
        Field(
            "description",
            FieldType.TEXT,
            "What the policy covers. Markdown is supported.",
            max_length=65536,
        ),
        Field(
            "is_default",
            FieldType.BOOLEAN,
            "The tenant's default policy, applied to new tickets that name none. Setting it "
            "clears it on the tenant's other policies.",
            nullable=False,
            default=False,
            filterable=True,
            one_true_per_tenant=True,
        ),
        Field(
            "targets",
            FieldType.OBJECT,
            "Per priority: first_response_minutes and resolution_minutes (business minutes). "
            "A priority without a target gets no due_at.",
            nullable=False,
            default={},
            model=SlaTargetsShape,
        ),
        Field(
            "business_hours",
            FieldType.OBJECT,
            "When the SLA clock runs: timezone (IANA), weekdays (1 = Monday .. 7), start and "
            "end (HH:MM) and holidays (YYYY-MM-DD). null means 24x7.",
            model=BusinessHoursShape,
        ),
    ),
    operations=(
        Operation("list", OperationKind.LIST, "List SLA policies."),
        Operation("get", OperationKind.GET, "Get an SLA policy."),
        Operation("create", OperationKind.CREATE, "Create an SLA policy (admins)."),
        Operation("update", OperationKind.UPDATE, "Change an SLA policy (admins)."),
        Operation("delete", OperationKind.DELETE, "Soft-delete an SLA policy (admins)."),
    ),
)

COMMENTS = Resource(
    domain="helpdesk",
    name="comments",
    title="Comment",
    description="A reply or internal note on a ticket. Requesters see only public comments; "
    "the first public comment by someone other than the submitter is the first response.",
    id_prefix="cmt",
    parent=Parent(TICKETS, field="ticket_id", param="ticket_id"),
    requester_visible_field="public",
    default_order="created_at",
    fields=(
        *base_fields("cmt"),
        Field(
            "ticket_id",
            FieldType.ID,
            "The ticket this comment belongs to.",
            required=True,
            read_only=True,
            nullable=False,
        ),
        Field(
            "body",
            FieldType.TEXT,
            "The comment. Markdown is supported.",
            required=True,
            nullable=False,
            min_length=1,
            max_length=65536,
        ),
        Field(
            "public",
            FieldType.BOOLEAN,
            "Visible to the requester; false makes an internal note for agents. Requesters' "
            "comments are always public.",
            nullable=False,
            default=True,
            filterable=True,
        ),
        Field(
            "author_id",
            FieldType.STRING,
            "Person id of the author (the caller's sub).",
            read_only=True,
            nullable=False,
            max_length=255,
        ),
    ),
    operations=(
        Operation("list", OperationKind.LIST, "List a ticket's comments, oldest first."),
        Operation("create", OperationKind.CREATE, "Comment on a ticket.", cli="tickets comment"),
    ),
)

EVENTS = Resource(
    domain="helpdesk",
    name="events",
    title="Event",
    description="The ticket's history: one event per create, update, close, reopen, delete, "
    "restore and comment, with the old and new value of each changed field. Never edited.",
    id_prefix="evt",
    parent=Parent(TICKETS, field="ticket_id", param="ticket_id"),
    read_access=Access.AGENTS,
    write_access=Access.NOBODY,
    default_order="created_at",
    fields=(
        *base_fields("evt"),
        Field(
            "ticket_id",
            FieldType.ID,
            "The ticket this event belongs to.",
            required=True,
            read_only=True,
            nullable=False,
        ),
        Field(
            "actor",
            FieldType.STRING,
            "Person id who made the change (the caller's sub).",
            required=True,
            read_only=True,
            nullable=False,
            max_length=255,
        ),
        Field(
            "action",
            FieldType.ENUM,
            "What happened.",
            required=True,
            read_only=True,
            nullable=False,
            filterable=True,
            enum=("create", "update", "close", "reopen", "delete", "restore", "comment"),
        ),
        Field(
            "changes",
            FieldType.OBJECT,
            "Changed fields: {field: [old, new]}; a comment event names the comment.",
            required=True,
            read_only=True,
            nullable=False,
        ),
        Field(
            "at",
            FieldType.DATETIME,
            "When it happened.",
            required=True,
            read_only=True,
            nullable=False,
        ),
    ),
    operations=(
        Operation(
            "list",
            OperationKind.LIST,
            "List a ticket's history, oldest first.",
            cli="tickets history",
        ),
    ),
)
