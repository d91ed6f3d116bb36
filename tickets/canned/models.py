"""Canned responses: reply templates agents insert from the reply box (part of the tickets app)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class CannedResponseScope(models.TextChoices):
    GLOBAL = "global", "Everyone on the desk"
    TEAM = "team", "One team"
    PERSONAL = "personal", "Only me"


class CannedResponse(models.Model):
    """A reply an agent sends often ("Your password has been reset…"), written once in
    Markdown with placeholders ({{ requester_name }}, {{ ticket_number }}…) that are filled
    for the ticket it is inserted into. Its scope says who sees it: the whole desk, the
    members of one team, or only its owner; who may change it follows the scope
    (tickets.canned.services)."""

    title = models.CharField(max_length=120)
    body = models.TextField()
    scope = models.CharField(max_length=10, choices=CannedResponseScope.choices)
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_responses",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="canned_responses"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        permissions = [
            # Team and global responses: the service desk manager and administrators (a team's
            # lead may also manage their team's, checked in the service).
            ("manage_shared_cannedresponse", "Can manage team and global canned responses"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="team") & Q(team__isnull=False))
                | (~Q(scope="team") & Q(team__isnull=True)),
                name="canned_response_team_iff_team_scope",
            )
        ]
        indexes = [models.Index(fields=["scope", "team"], name="canned_scope_team_idx")]

    def __str__(self) -> str:
        return self.title
