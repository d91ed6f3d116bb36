"""Who hears about what happens to a ticket. Called only by tickets.services, inside their
transaction; the notification outbox delivers after commit.

Requester-facing messages are built only from public fields and public replies: a work note
never reaches a requester's mailbox.
"""

from django.conf import settings
from django.urls import reverse

from itsm.accounts.roles import user_is_staff_member


def _create(**kwargs) -> None:
    from itsm.notifications.services import notification_create

    notification_create(**kwargs)


def _desk_url(ticket) -> str:
    return settings.SITE_URL + reverse("tickets:desk-ticket-detail", args=[ticket.number])


def _portal_url(ticket) -> str:
    return settings.SITE_URL + reverse("tickets:portal-ticket-detail", args=[ticket.number])


def _requester_side(ticket) -> list:
    people = [ticket.requester, *ticket.watchers.all()]
    return [p for p in dict.fromkeys(people) if not user_is_staff_member(p)]


def _desk_side(ticket) -> list:
    if ticket.assignee is not None:
        return [ticket.assignee]
    if ticket.assignment_team is not None:
        return list(ticket.assignment_team.members.filter(is_active=True))
    return []


def ticket_created(ticket) -> None:
    message = (
        "Thank you. The service desk will be in touch; reply to this ticket in "
        "the portal to add information."
    )
    if ticket.channel == "email":
        # The acknowledgement of a mail: answering it is how the sender adds information, and
        # an article may solve the problem before anyone at the desk reads it.
        message = (
            "Thank you. The service desk will be in touch; reply to this e-mail, or to the "
            "ticket in the portal, to add information." + _suggested_articles(ticket)
        )
    _create(
        event="ticket_created",
        recipients=[ticket.requester],
        record=ticket,
        context={
            "title": f"We received {ticket.number}: {ticket.short_description}",
            "message": message,
            "url": _portal_url(ticket),
        },
    )


def _suggested_articles(ticket) -> str:
    from knowledge.selectors import article_list_suggested

    articles = article_list_suggested(
        user=ticket.requester, text=f"{ticket.short_description} {ticket.description[:300]}"
    )
    if not articles:
        return ""
    lines = [
        f"- {article.title}: "
        + settings.SITE_URL
        + reverse("knowledge:portal-article-detail", args=[article.number])
        for article in articles
    ]
    return "\n\nThese articles may already help:\n" + "\n".join(lines)


def ticket_assigned(ticket) -> None:
    who = ticket.assignee or ticket.assignment_team
    _create(
        event="ticket_assigned",
        recipients=_desk_side(ticket),
        record=ticket,
        context={
            "title": f"{ticket.number} assigned to {who}: {ticket.short_description}",
            "message": f"Priority P{ticket.priority}. Requester: {ticket.requester}.",
            "url": _desk_url(ticket),
        },
    )


def ticket_status_changed(ticket, *, from_status: str) -> None:
    message = f"Status: {ticket.get_status_display()}."
    if ticket.resolution_notes and ticket.status == "resolved":
        message += "\n\nResolution:"
    _create(
        event="ticket_status_changed",
        recipients=_requester_side(ticket),
        record=ticket,
        context={
            "title": f"{ticket.number} is now {ticket.get_status_display().lower()}",
            "message": message,
            "markdown": ticket.resolution_notes if ticket.status == "resolved" else "",
            "url": _portal_url(ticket),
        },
    )


def ticket_replied(ticket, comment) -> None:
    """Only for public replies (the caller checks)."""
    if user_is_staff_member(comment.author):
        recipients = _requester_side(ticket)
        url = _portal_url(ticket)
    else:
        recipients = _desk_side(ticket)
        url = _desk_url(ticket)
    _create(
        event="ticket_replied",
        recipients=[r for r in recipients if r.pk != comment.author_id],
        record=ticket,
        context={
            "title": f"New reply on {ticket.number}: {ticket.short_description}",
            "message": f"{comment.author} wrote:",
            # Markdown: the plain-text part carries it as written, the HTML part rendered.
            "markdown": comment.body,
            "url": url,
        },
    )


def ticket_mentioned(ticket, comment, people) -> None:
    """A work note @mentioned these desk people (tickets.mentions chose them): desk-side only,
    so the note's text may go in the message."""
    _create(
        event="ticket_mentioned",
        recipients=people,
        record=ticket,
        context={
            "title": f"{comment.author} mentioned you on {ticket.number}: "
            f"{ticket.short_description}",
            "message": comment.body[:1000],
            "url": _desk_url(ticket) + f"#comment-{comment.pk}",
        },
    )
