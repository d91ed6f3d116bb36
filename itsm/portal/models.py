"""What the self-service portal records of its own: deflected tickets."""

from django.conf import settings
from django.db import models


class Deflection(models.Model):
    """A requester said "this solved it" about a suggested article instead of raising a ticket.

    Each row is an incident that was never raised (DESIGN §1: articles deflect tickets in the
    portal); dashboards count them per article and period. `query` keeps the words that found
    the article, so editors can see which phrasings reach it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deflections"
    )
    article = models.ForeignKey(
        "knowledge.Article", on_delete=models.CASCADE, related_name="deflections"
    )
    query = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Dashboards: deflections in a period, and per article over a period.
            models.Index(fields=["created_at"], name="portal_deflection_created"),
            models.Index(fields=["article", "created_at"], name="portal_deflection_article"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} deflected for {self.user_id}"
