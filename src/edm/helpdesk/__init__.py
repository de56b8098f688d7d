"""Helpdesk domain rules: numbering, lifecycle, SLA, comments."""
