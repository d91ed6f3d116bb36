from django.db import models


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"
