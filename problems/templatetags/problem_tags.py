"""`{% known_errors_for ticket %}`: the known errors and problems an agent sees on a ticket."""

from django import template

from problems import selectors

register = template.Library()


@register.inclusion_tag("problems/_known_errors.html", takes_context=True)
def known_errors_for(context, ticket) -> dict:
    return {
        "ticket": ticket,
        "known_errors": selectors.known_errors_for_ticket(ticket=ticket),
        "linked_problems": selectors.problems_for_ticket(ticket=ticket),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def problem_badge(status: str) -> str:
    from problems.choices import PROBLEM_STATUS_BADGE

    return PROBLEM_STATUS_BADGE.get(status, "secondary")
