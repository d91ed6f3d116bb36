"""The satisfaction survey a requester answers on a resolved ticket (part of the tickets app)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class SatisfactionSurvey(models.Model):
    """A requester's answer to "how did we do?" on a resolved ticket (one per ticket)."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="survey")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(help_text="1 (very unhappy) to 5 (very happy)")
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-answered_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="survey_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 on {self.ticket_id}"
