"""Knowledge articles: how to fix, do or understand something, for agents or requesters."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.urls import reverse

from itsm.core.models import NumberedModel, TimeStampedModel, VersionedModel
from knowledge.choices import ArticleAudience, ArticleStatus

SEARCH_CONFIG = "english"
# The expression of the title-only GIN indexes; queries must use this exact expression.
TITLE_VECTOR = SearchVector("title", config=SEARCH_CONFIG)


class Category(models.Model):
    """A node of the knowledge category tree ("Network" > "VPN").

    The tree is small (tens of rows), so descendants are resolved in Python, not with a
    recursive query.
    """

    name = models.CharField(max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="kb_category_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Article(NumberedModel, TimeStampedModel, VersionedModel):
    """A knowledge article (DESIGN §4): Markdown body, audience, life cycle and versions.

    The row holds the working revision; every publication is frozen as an ArticleVersion.
    `search` is a stored generated tsvector (title A > summary B > body C) so Postgres keeps
    it in step with the text without a trigger or a signal, and the GIN index can serve it.
    """

    NUMBER_PREFIX = "KB"
    NUMBER_SEQUENCE = "knowledge_article_number_seq"

    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    body = models.TextField(help_text="Markdown.")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    audience = models.CharField(
        max_length=20, choices=ArticleAudience.choices, default=ArticleAudience.PUBLIC
    )
    status = models.CharField(
        max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    services = models.ManyToManyField("cmdb.Service", blank=True, related_name="articles")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_articles",
    )
    # Whoever last changed the text: the publishing reviewer must be someone else.
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_by = models.DateField(
        null=True, blank=True, help_text="After this date the article is due for a review."
    )
    view_count = models.PositiveIntegerField(default=0)
    search = models.GeneratedField(
        expression=(
            # SearchVector coalesces NULLs itself; an explicit config keeps it IMMUTABLE.
            SearchVector("title", weight="A", config=SEARCH_CONFIG)
            + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
            + SearchVector("body", weight="C", config=SEARCH_CONFIG)
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-created_at"]
        permissions = [("publish_article", "Can review and publish articles")]
        indexes = [
            GinIndex(fields=["search"], name="kb_article_search_gin"),
            GinIndex(fields=["title"], name="kb_article_title_trgm", opclasses=["gin_trgm_ops"]),
            # What requesters may read, indexed on its own: their searches (the portal, the
            # busiest path) then need one index scan instead of ANDing with a status index.
            GinIndex(
                fields=["search"],
                name="kb_article_search_public_gin",
                condition=models.Q(status="published", audience="public"),
            ),
            # Title-only vector for the top-N search's first pass (title matches outrank the
            # rest, so when enough titles match only those need ranking).
            GinIndex(
                TITLE_VECTOR,
                name="kb_article_title_fts_public",
                condition=models.Q(status="published", audience="public"),
            ),
            GinIndex(TITLE_VECTOR, name="kb_article_title_fts"),
            GinIndex(
                fields=["title"],
                name="kb_article_title_trgm_public",
                opclasses=["gin_trgm_ops"],
                condition=models.Q(status="published", audience="public"),
            ),
            models.Index(fields=["status", "audience"], name="kb_article_status_audience"),
            models.Index(fields=["review_by"], name="kb_article_review_by"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("knowledge:desk-article-detail", args=[self.number])


class ArticleVersion(models.Model):
    """One published revision of an article, frozen when it was published.

    Numbered 1, 2, 3 … per article; never edited afterwards, so old text can be read, diffed
    against another version and restored.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    body = models.TextField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleRevision(TimeStampedModel):
    """The next text of a published article while it is drafted and reviewed.

    The Article row keeps the published text, so the portal and search go on showing it
    until this revision is published; publishing copies the revision's text onto the article,
    freezes it as a new ArticleVersion and deletes this row. At most one per article; its
    status is draft or review (the article's own status stays "published").
    """

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="revision")
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    body = models.TextField(help_text="Markdown.")
    status = models.CharField(
        max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    # As on Article: whoever last changed this text may not publish it (four eyes).
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[ArticleStatus.DRAFT, ArticleStatus.REVIEW]),
                name="kb_revision_draft_or_review",
            ),
        ]

    def __str__(self) -> str:
        return f"revision of {self.article_id} ({self.status})"


class ArticleFeedback(TimeStampedModel):
    """A reader's "was this helpful?" answer: one per user and article, changeable."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="article_feedback"
    )
    is_helpful = models.BooleanField()
    comment = models.TextField(blank=True, max_length=2000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="kb_feedback_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {'yes' if self.is_helpful else 'no'} by {self.user_id}"
