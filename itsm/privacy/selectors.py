"""Reads for the privacy page: who the person is and how much is held about them."""

from django.db.models import Q

from itsm.accounts.models import User
from itsm.audit.models import AuditEvent
from tickets.models import Approval, Attachment, Comment, SatisfactionSurvey, Ticket, TimeEntry


def person_list_for_privacy(*, query: str) -> list[User]:
    """People whose name or e-mail contains `query` (at most 20), for the search box."""
    query = query.strip()
    if not query:
        return []
    return list(
        User.objects.filter(Q(email__icontains=query) | Q(display_name__icontains=query))
        .order_by("display_name", "id")
        .only("id", "email", "display_name", "is_active")[:20]
    )


def person_get_for_privacy(*, pk: int) -> User:
    return User.objects.get(pk=pk)


def person_holdings(*, person: User) -> list[tuple[str, int]]:
    """(what, how many) held about the person: the summary shown before export or erasure."""
    return [
        ("Tickets they raised", Ticket.objects.filter(requester=person).count()),
        ("Tickets they watch", person.watched_tickets.count()),
        ("Comments they wrote", Comment.objects.filter(author=person).count()),
        ("Files they uploaded", Attachment.objects.filter(uploaded_by=person).count()),
        ("Approvals asked of them", Approval.objects.filter(approver=person).count()),
        ("Time entries", TimeEntry.objects.filter(agent=person).count()),
        ("Satisfaction answers", SatisfactionSurvey.objects.filter(respondent=person).count()),
        ("Audit entries by them", AuditEvent.objects.filter(actor=person).count()),
    ]
