"""The helpdesk domain's resources (seed page and SPEC sections 5-7)."""

from __future__ import annotations

from edm.manifest.model import (
    Field,
    FieldType,
    NumberFormat,
    Operation,
    OperationKind,
    RangeFilter,
    RequesterAccess,
    Resource,
)
from edm.manifest.platform import base_fields

TICKET_TYPES = ("incident", "service_request", "change", "problem")
TICKET_STATUSES = ("open", "in_progress", "pending", "resolved", "closed")
TICKET_PRIORITIES = ("low", "medium", "high", "urgent")  # in order of severity


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
        Operation("list", OperationKind.LIST, "List tickets, newest first, with filters."),
        Operation("get", OperationKind.GET, "Get a ticket by id or by number (TKT-0042)."),
        Operation("create", OperationKind.CREATE, "Create a ticket; the number is assigned."),
        Operation("update", OperationKind.UPDATE, "Change some fields; null clears a field."),
        Operation("close", OperationKind.ACTION, "Close the ticket (idempotent)."),
        Operation("reopen", OperationKind.ACTION, "Reopen a resolved or closed ticket."),
        Operation("delete", OperationKind.DELETE, "Soft-delete the ticket.", admin_only=True),
        Operation("restore", OperationKind.ACTION, "Bring a deleted ticket back.", admin_only=True),
    ),
)
