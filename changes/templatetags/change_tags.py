"""Template helpers of change management, including the ticket page's "changes near this
ticket" panel (`{% load change_tags %}{% changes_near ticket %}`)."""

from django import template

from changes.choices import RISK_BADGE, STATUS_BADGE, TYPE_BADGE

register = template.Library()


@register.filter
def change_status_badge(status: str) -> str:
    return STATUS_BADGE.get(status, "neutral")


@register.filter
def risk_badge(level: str) -> str:
    return RISK_BADGE.get(level, "neutral")


@register.filter
def change_type_badge(change_type: str) -> str:
    return TYPE_BADGE.get(change_type, "neutral")


@register.inclusion_tag("changes/_changes_near_ticket.html", takes_context=True)
def changes_near(context, ticket) -> dict:
    """Changes on the ticket's service or CI in the last and next 72 hours, each with a
    "caused by this change" button for incidents. Two queries; nothing for requesters."""
    from changes.selectors import NEAR_TICKET_HOURS, changes_near_ticket
    from itsm.accounts.roles import user_is_staff_member

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user_is_staff_member(user):
        return {"show": False}
    return {
        "show": True,
        "ticket": ticket,
        "changes": changes_near_ticket(ticket=ticket),
        "hours": NEAR_TICKET_HOURS,
        "is_incident": ticket.kind == "incident",
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
