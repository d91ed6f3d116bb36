from rest_framework import serializers

from itsm.accounts.models import User
from itsm.accounts.roles import user_is_staff_member
from itsm.cmdb.models import Service
from knowledge.choices import ArticleStatus
from knowledge.models import Article, ArticleRevision, Category
from knowledge.rendering import render_markdown


class ArticleRevisionSerializer(serializers.ModelSerializer):
    """The next text of a published article, in draft or review (null when none is open)."""

    last_edited_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="email", read_only=True, allow_null=True
    )

    class Meta:
        model = ArticleRevision
        fields = ["status", "title", "summary", "body", "last_edited_by", "updated_at"]
        read_only_fields = fields


class ArticleSerializer(serializers.ModelSerializer):
    """Articles in and out. `version` is required on update (optimistic locking).

    `title`, `summary` and `body` are the published text while a revision is open; a text
    update then changes `revision`, and publishing the revision replaces the text."""

    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    services = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), many=True, required=False
    )
    owner = serializers.SlugRelatedField(
        slug_field="email", queryset=User.objects.all(), required=False, allow_null=True
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=20
    )
    body_html = serializers.SerializerMethodField()
    version = serializers.IntegerField(required=False, min_value=1)
    helpful_count = serializers.IntegerField(read_only=True)
    unhelpful_count = serializers.IntegerField(read_only=True)
    revision = ArticleRevisionSerializer(allow_null=True, read_only=True, default=None)

    class Meta:
        model = Article
        fields = [
            "number",
            "title",
            "summary",
            "body",
            "body_html",
            "category",
            "tags",
            "audience",
            "status",
            "revision",
            "services",
            "owner",
            "review_by",
            "published_at",
            "view_count",
            "helpful_count",
            "unhelpful_count",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "status",
            "revision",
            "published_at",
            "view_count",
            "created_at",
            "updated_at",
        ]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None or not user_is_staff_member(request.user):
            # An open revision is unpublished text: only staff may read it (DESIGN §5).
            fields.pop("revision")
        return fields

    def get_body_html(self, article: Article) -> str:
        return str(render_markdown(article.body))

    def validate_tags(self, value: list[str]) -> list[str]:
        return sorted({tag.strip().lower() for tag in value if tag.strip()})


class ArticleTransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=ArticleStatus.choices)
    version = serializers.IntegerField(min_value=1)


class ArticleFeedbackSerializer(serializers.Serializer):
    is_helpful = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ArticleFeedbackResultSerializer(serializers.Serializer):
    is_helpful = serializers.BooleanField()
    comment = serializers.CharField()


class ArticleRestoreSerializer(serializers.Serializer):
    version_number = serializers.IntegerField(min_value=1)
    version = serializers.IntegerField(min_value=1)
