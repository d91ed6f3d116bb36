from django.db import models


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class ArticleAudience(models.TextChoices):
    PUBLIC = "public", "Public (requesters and staff)"
    INTERNAL = "internal", "Internal (staff only)"


STATUS_BADGE = {
    ArticleStatus.DRAFT: "info",
    ArticleStatus.REVIEW: "warning",
    ArticleStatus.PUBLISHED: "success",
    ArticleStatus.RETIRED: "neutral",
}
