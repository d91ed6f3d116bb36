from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissions
from rest_framework.response import Response

from itsm.core.api import expected_version
from itsm.idempotency.api import idempotent_create
from knowledge import selectors, services
from knowledge.api.serializers import (
    ArticleFeedbackResultSerializer,
    ArticleFeedbackSerializer,
    ArticleRestoreSerializer,
    ArticleSerializer,
    ArticleTransitionSerializer,
)
from knowledge.filtersets import ArticleFilterSet
from knowledge.models import Article


class ArticlePermission(DjangoModelPermissions):
    """Anyone signed in reads (the selector hides what they may not see) and gives feedback;
    writing needs knowledge.add_article / change_article; the workflow checks the rest."""

    def has_permission(self, request, view) -> bool:
        if not request.user.is_authenticated:
            return False
        if request.method in SAFE_METHODS or getattr(view, "action", None) == "feedback":
            return True
        return super().has_permission(request, view)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "search",
                OpenApiTypes.STR,
                description="Full-text search (websearch syntax); ranked, typo-tolerant.",
            )
        ]
    )
)
class ArticleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Knowledge articles, addressed by number (KB0001001)."""

    serializer_class = ArticleSerializer
    permission_classes = [ArticlePermission]
    filterset_class = ArticleFilterSet
    lookup_field = "number"
    # No default `ordering`: it would replace the search rank order.
    ordering_fields = ["number", "title", "published_at", "updated_at", "view_count"]

    def get_queryset(self):
        return selectors.article_list_for_api(user=self.request.user)

    def _reload(self, article: Article) -> Article:
        return selectors.article_get_for_api(user=self.request.user, pk=article.pk)

    create = idempotent_create(mixins.CreateModelMixin.create)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        article = services.article_create(actor=self.request.user, **data)
        serializer.instance = self._reload(article)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        article = services.article_update(
            article=serializer.instance,
            actor=self.request.user,
            expected_version=expected_version(self.request, data),
            **data,
        )
        serializer.instance = self._reload(article)

    @extend_schema(request=ArticleTransitionSerializer, responses=ArticleSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, number=None):
        """Move the article through draft → review → published → retired."""
        article = self.get_object()
        data = ArticleTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        article = services.article_transition(
            article=article,
            actor=request.user,
            to_status=data.validated_data["to_status"],
            expected_version=data.validated_data["version"],
        )
        return Response(self.get_serializer(self._reload(article)).data)

    @extend_schema(request=ArticleRestoreSerializer, responses=ArticleSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, number=None):
        """Bring the text of an older published version back as a new draft revision."""
        article = self.get_object()
        data = ArticleRestoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        selectors.article_version_get(article=article, number=data.validated_data["version_number"])
        article = services.article_restore_version(
            article=article,
            actor=request.user,
            version_number=data.validated_data["version_number"],
            expected_version=data.validated_data["version"],
        )
        return Response(self.get_serializer(self._reload(article)).data)

    @extend_schema(request=ArticleFeedbackSerializer, responses=ArticleFeedbackResultSerializer)
    @action(detail=True, methods=["post"])
    def feedback(self, request, number=None):
        """Say whether the article helped (one answer per reader, changeable)."""
        article = self.get_object()
        data = ArticleFeedbackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = services.article_feedback_give(
            article=article,
            user=request.user,
            is_helpful=data.validated_data["is_helpful"],
            comment=data.validated_data.get("comment", ""),
        )
        return Response(ArticleFeedbackResultSerializer(feedback).data, status=status.HTTP_200_OK)
