from django.conf import settings
from django.db import models

from itsm.core.models import NumberedModel, TimeStampedModel, VersionedModel
from knowledge.choices import ArticleStatus


class Article(NumberedModel, TimeStampedModel, VersionedModel):
    """A knowledge article: how to fix, do or understand something, for agents or requesters."""

    NUMBER_PREFIX = "KB"
    NUMBER_SEQUENCE = "knowledge_article_number_seq"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    service = models.ForeignKey(
        "cmdb.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
