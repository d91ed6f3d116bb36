"""/api/v1/major-incidents/ and POST /api/v1/incidents/{number}/declare-major/."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from itsm.accounts.models import User
from itsm.core.permissions import IsDeskUser
from tickets import major as services
from tickets import major_selectors as selectors
from tickets import selectors as ticket_selectors
from tickets.models_major import MajorIncident, MajorIncidentStatus, MajorIncidentUpdate


class MajorIncidentUpdateSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = MajorIncidentUpdate
        fields = ["id", "body", "is_public", "author", "created_at"]


class MajorIncidentSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="ticket.number", read_only=True)
    short_description = serializers.CharField(source="ticket.short_description", read_only=True)
    service = serializers.CharField(source="ticket.service", read_only=True, allow_null=True)
    ci = serializers.CharField(source="ticket.ci", read_only=True, allow_null=True)
    declared_by = serializers.SlugRelatedField(slug_field="email", read_only=True)
    manager = serializers.SlugRelatedField(slug_field="email", read_only=True)
    communications_owner = serializers.SlugRelatedField(slug_field="email", read_only=True)
    child_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = MajorIncident
        fields = [
            "id",
            "number",
            "short_description",
            "service",
            "ci",
            "status",
            "reason",
            "declared_by",
            "declared_at",
            "manager",
            "communications_owner",
            "cadence_minutes",
            "last_update_at",
            "resolved_at",
            "resolution_note",
            "child_count",
        ]


class DeclareMajorInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    manager = serializers.SlugRelatedField(slug_field="email", queryset=User.objects.all())
    communications_owner = serializers.SlugRelatedField(
        slug_field="email", queryset=User.objects.all()
    )
    cadence_minutes = serializers.IntegerField(min_value=1, max_value=1440, default=30)
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class UpdateInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000)
    is_public = serializers.BooleanField(default=False)


class ResolveInputSerializer(serializers.Serializer):
    public_note = serializers.CharField(max_length=5000)


class MajorIncidentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Major incidents, addressed by their incident's number. Desk staff only."""

    serializer_class = MajorIncidentSerializer
    permission_classes = [IsDeskUser]
    lookup_field = "number"
    lookup_value_regex = "[A-Z]+[0-9]+"
    ordering_fields = ["declared_at", "resolved_at"]
    ordering = ["-declared_at"]

    def get_queryset(self):
        queryset = selectors.major_list()
        wanted = self.request.query_params.get("status")
        if wanted in MajorIncidentStatus.values:
            queryset = queryset.filter(status=wanted)
        return queryset.order_by("-declared_at")

    def get_object(self) -> MajorIncident:
        return selectors.major_get_by_number(number=self.kwargs["number"])

    @extend_schema(
        methods=["GET"], request=None, responses={200: MajorIncidentUpdateSerializer(many=True)}
    )
    @extend_schema(
        methods=["POST"],
        request=UpdateInputSerializer,
        responses={201: MajorIncidentUpdateSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def updates(self, request, number=None):
        major = self.get_object()
        if request.method == "GET":
            updates = major.updates.select_related("author")
            return Response(MajorIncidentUpdateSerializer(updates, many=True).data)
        data = UpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        update = services.major_incident_post_update(
            major=major, actor=request.user, **data.validated_data
        )
        return Response(MajorIncidentUpdateSerializer(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ResolveInputSerializer, responses={200: MajorIncidentSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, number=None):
        major = self.get_object()
        data = ResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.major_incident_resolve(major=major, actor=request.user, **data.validated_data)
        return Response(MajorIncidentSerializer(selectors.major_get(pk=major.pk)).data)


class DeclareMajorView(GenericAPIView):
    """POST /api/v1/incidents/{number}/declare-major/: declare the incident a major incident
    (stakeholders are notified at once). 409 on a stale `version`."""

    permission_classes = [IsDeskUser]
    serializer_class = DeclareMajorInputSerializer

    @extend_schema(
        operation_id="incidents_declare_major",
        request=DeclareMajorInputSerializer,
        responses={201: MajorIncidentSerializer},
    )
    def post(self, request, number: str):
        ticket = ticket_selectors.ticket_get_for_user(user=request.user, number=number)
        data = DeclareMajorInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        major = services.major_incident_declare(
            ticket=ticket,
            actor=request.user,
            expected_version=values.pop("version"),
            **values,
        )
        return Response(
            MajorIncidentSerializer(selectors.major_get(pk=major.pk)).data,
            status=status.HTTP_201_CREATED,
        )
