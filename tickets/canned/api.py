"""/api/v1/canned-responses/: the canned responses an agent may use (global, their teams',
their own); writes through tickets.canned.services (scope rules and placeholder checks), and
`…/{id}/filled/?ticket=INC…` for the text with its placeholders filled for one ticket."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.accounts.models import Team
from itsm.core.parsers import JSONParser
from itsm.core.permissions import IsDeskUser
from itsm.idempotency.api import idempotent_create
from tickets import selectors as ticket_selectors
from tickets.canned import selectors, services
from tickets.canned.models import CannedResponse, CannedResponseScope


class CannedResponseSerializer(serializers.ModelSerializer):
    team: serializers.SlugRelatedField[Team] = serializers.SlugRelatedField(
        slug_field="name", read_only=True, allow_null=True
    )
    owner = serializers.EmailField(source="owner.email", read_only=True)

    class Meta:
        model = CannedResponse
        fields = ["id", "title", "body", "scope", "team", "owner", "created_at", "updated_at"]
        read_only_fields = fields


class CannedResponseInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    body = serializers.CharField()
    scope = serializers.ChoiceField(choices=CannedResponseScope.choices)
    team = serializers.SlugRelatedField(
        slug_field="name", queryset=Team.objects.all(), required=False, allow_null=True
    )


FilledSerializer = inline_serializer(
    "CannedResponseFilled",
    fields={"id": serializers.IntegerField(), "title": serializers.CharField(),
            "body": serializers.CharField()},
)  # fmt: skip


class CannedResponseViewSet(viewsets.ModelViewSet):
    """Canned responses for the service desk (requesters get 403)."""

    permission_classes = [IsDeskUser]
    queryset = CannedResponse.objects.none()  # the schema's model; get_queryset() answers
    serializer_class = CannedResponseSerializer
    parser_classes = [JSONParser]
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.canned_response_list_for_user(
            user=self.request.user, text=self.request.query_params.get("q", "")[:100]
        )

    def get_object(self):
        if not str(self.kwargs["pk"]).isdigit():
            raise Http404
        return selectors.canned_response_get_for_user(
            user=self.request.user, response_id=int(self.kwargs["pk"])
        )

    @extend_schema(
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="Title or text.")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @idempotent_create
    @extend_schema(
        request=CannedResponseInputSerializer,
        responses={201: CannedResponseSerializer},
        description="Unknown placeholders are refused (400, naming them). Personal: anyone on "
        "the desk; team: its lead or a service desk manager; global: a service desk manager.",
    )
    def create(self, request, *args, **kwargs):
        data = CannedResponseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        response = services.canned_response_create(actor=request.user, **data.validated_data)
        return Response(CannedResponseSerializer(response).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CannedResponseInputSerializer, responses={200: CannedResponseSerializer})
    def update(self, request, *args, **kwargs):
        response = self.get_object()
        data = CannedResponseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        response = services.canned_response_update(
            response=response, actor=request.user, **data.validated_data
        )
        return Response(CannedResponseSerializer(response).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        services.canned_response_delete(response=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "ticket", OpenApiTypes.STR, required=True, description="Ticket number."
            )
        ],
        responses={200: FilledSerializer},
        description="The body with its placeholders filled for the ticket and you.",
    )
    @action(detail=True, methods=["get"])
    def filled(self, request, pk=None):
        response = self.get_object()
        number = request.query_params.get("ticket", "")
        if not number:
            raise serializers.ValidationError({"ticket": ["Name the ticket by its number."]})
        ticket = ticket_selectors.ticket_get_for_user(user=request.user, number=number)
        body = services.canned_response_fill(response=response, ticket=ticket, agent=request.user)
        return Response({"id": response.pk, "title": response.title, "body": body})
