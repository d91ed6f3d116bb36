"""Reads of people and teams: the API's look-ups (the admin manages both) and the security page."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from itsm.accounts.models import Team, User
from itsm.audit.models import AuditEvent


def user_list_for_api() -> QuerySet[User]:
    """/api/v1/users/: every user with their manager (requester look-up, assignment)."""
    return User.objects.select_related("manager")


def team_list_for_api() -> QuerySet[Team]:
    """/api/v1/teams/: every team with its lead and members."""
    return Team.objects.select_related("lead").prefetch_related("members")


# The audit actions of itsm.accounts.receivers and services, shown on the security page.
SECURITY_ACTIONS = (
    "signed_in",
    "signed_out",
    "signin_failed",
    "signin_locked_out",
    "lockout_cleared",
    "mfa_added",
    "mfa_removed",
    "mfa_reset",
    "mfa_failed",
    "mfa_recovery_codes_regenerated",
    "password_changed",
    "password_reset",
    "sessions_ended",
)


def security_event_list_for_user(*, user: User, limit: int = 50) -> list[AuditEvent]:
    """The security page's "recent activity": the person's sign-ins, failures, lockouts,
    second-factor and session events, newest first, with who did it (one query)."""
    return list(
        AuditEvent.objects.filter(
            record_type=ContentType.objects.get_for_model(User),
            record_id=user.pk,
            action__in=SECURITY_ACTIONS,
        )
        .select_related("actor")
        .order_by("-occurred_at", "-id")[:limit]
    )
