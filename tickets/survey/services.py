"""The satisfaction survey a requester answers on a resolved ticket (DESIGN §1, §4).

One answer per ticket (the model's one-to-one). Answering again replaces the rating and the
comment: a one-click survey invites mis-clicks, and the page offers "change your answer".
Dashboards therefore read the latest opinion; `answered_at` keeps the first answer's time,
and the audit timeline of the ticket keeps every answer (from → to).
"""

from typing import Any

from django.db import transaction

from itsm.audit.services import audit_record, field_changes
from itsm.core.exceptions import PermissionRefused, TransitionNotAllowed
from itsm.core.permissions import require_permission
from tickets import permissions as may
from tickets.choices import TicketStatus
from tickets.exceptions import InvalidTicketInput
from tickets.models import SatisfactionSurvey, Ticket

SURVEY_STATUSES = (TicketStatus.RESOLVED, TicketStatus.CLOSED)
RATING_MIN, RATING_MAX = 1, 5
COMMENT_MAX = 2000


@transaction.atomic
def survey_submit(
    *, ticket: Ticket, respondent: Any, rating: int, comment: str = ""
) -> SatisfactionSurvey:
    """Store (or replace) the requester's rating of a resolved or closed ticket.

    Only the ticket's requester may answer, only once the ticket is resolved or closed, and
    only with a rating from 1 to 5. Writes a `survey_answered` (first answer) or
    `survey_changed` audit event on the ticket. No notification.
    """
    if ticket.requester_id != getattr(respondent, "pk", None):
        raise PermissionRefused("Only the person who raised this ticket can rate it.")
    require_permission(respondent, may.RAISE_OWN, refusal="You cannot rate tickets.")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not RATING_MIN <= rating <= RATING_MAX:
        raise InvalidTicketInput("Choose a rating from 1 to 5.", field="rating")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise InvalidTicketInput(
            f"Keep the comment under {COMMENT_MAX} characters.", field="comment"
        )
    # Lock the ticket so the status check and the answer are one decision: an agent
    # reopening it at the same moment waits, and two answers never race for the one row.
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status not in SURVEY_STATUSES:
        raise TransitionNotAllowed("You can rate a ticket once it is resolved.", field="rating")
    survey = SatisfactionSurvey.objects.filter(ticket=ticket).first()
    before = {"rating": survey.rating, "comment": survey.comment} if survey else {}
    if survey is None:
        survey = SatisfactionSurvey.objects.create(
            ticket=ticket, respondent=respondent, rating=rating, comment=comment
        )
    else:
        survey.rating, survey.comment, survey.respondent = rating, comment, respondent
        survey.save(update_fields=["rating", "comment", "respondent"])
    changes = field_changes(before, {"rating": rating, "comment": comment})
    if before and not changes:
        return survey
    audit_record(
        record=ticket,
        actor=respondent,
        action="survey_changed" if before else "survey_answered",
        changes=changes,
        message=comment,
    )
    return survey
