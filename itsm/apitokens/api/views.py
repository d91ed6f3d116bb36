import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.apitokens import selectors, services
from itsm.apitokens.api.serializers import (
    TokenCreatedSerializer,
    TokenCreateSerializer,
    TokenSerializer,
)
from itsm.apitokens.choices import TokenState
from itsm.apitokens.models import PersonalAccessToken


class TokenFilterSet(django_filters.FilterSet):
    owner = django_filters.NumberFilter(
        field_name="owner_id", label="Owner's id (administrators see everyone's tokens)"
    )
    state = django_filters.ChoiceFilter(choices=TokenState.choices, method="filter_state")

    class Meta:
        model = PersonalAccessToken
        fields = ["owner", "state"]

    def filter_state(self, queryset, _name, value):
        now = timezone.now()
        if value == TokenState.REVOKED:
            return queryset.filter(revoked_at__isnull=False)
        if value == TokenState.EXPIRED:
            return queryset.filter(revoked_at=None, expires_at__lte=now)
        return queryset.filter(revoked_at=None, expires_at__gt=now)


class TokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your personal access tokens: make one (its secret is in that answer only), list them,
    revoke one. Administrators see and revoke everyone's (audited)."""

    queryset = PersonalAccessToken.objects.none()  # the schema's model; requests use the selector
    serializer_class = TokenSerializer
    filterset_class = TokenFilterSet
    ordering_fields = ["created_at", "expires_at", "last_used_at", "name"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return selectors.token_list_visible_to(user=self.request.user)

    @extend_schema(request=TokenCreateSerializer, responses={201: TokenCreatedSerializer})
    def create(self, request):
        given = TokenCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        via = request.auth if isinstance(request.auth, PersonalAccessToken) else None
        token, secret = services.token_create(owner=request.user, via=via, **given.validated_data)
        token.secret = secret
        return Response(TokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=TokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = services.token_revoke(token=self.get_object(), actor=request.user)
        return Response(TokenSerializer(token).data)
