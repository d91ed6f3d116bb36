"""The placeholders a canned response may hold, and filling them for one ticket.

Filling is a plain substitution of known names, never a template engine: a response is
written by an agent, and `{% … %}` or attribute look-ups in it must stay text.
"""

import re
from typing import Any

from django.conf import settings
from django.urls import reverse

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")

PLACEHOLDERS: dict[str, str] = {
    "requester_name": "the requester's name",
    "requester_first_name": "the requester's first name",
    "ticket_number": "the ticket's number",
    "short_description": "the ticket's short description",
    "service": "the ticket's service",
    "agent_name": "your name (the agent inserting the response)",
    "portal_link": "the ticket's page in the self-service portal",
}


def unknown_placeholders(body: str) -> list[str]:
    """Names in {{ … }} that are not placeholders, in order of first use."""
    names = [m[1] for m in PLACEHOLDER.finditer(body)]
    return list(dict.fromkeys(n for n in names if n not in PLACEHOLDERS))


def placeholder_values(*, ticket: Any, agent: Any) -> dict[str, str]:
    requester = ticket.requester
    return {
        "requester_name": str(requester),
        "requester_first_name": requester.get_short_name(),
        "ticket_number": ticket.number,
        "short_description": ticket.short_description,
        "service": str(ticket.service) if ticket.service_id else "",
        "agent_name": str(agent),
        "portal_link": settings.SITE_URL
        + reverse("tickets:portal-ticket-detail", args=[ticket.number]),
    }


def fill_placeholders(body: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), body)
