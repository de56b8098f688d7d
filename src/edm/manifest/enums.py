"""Enumerations shared by several helpdesk resources."""

TICKET_TYPES = ("incident", "service_request", "change", "problem")
TICKET_STATUSES = ("open", "in_progress", "pending", "resolved", "closed")
TICKET_PRIORITIES = ("low", "medium", "high", "urgent")  # in order of severity
