"""/api/v1/major-incidents/ and POST /api/v1/incidents/{number}/declare-major/."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from itsm.core.permissions import IsDeskUser
from itsm.idempotency.api import idempotent_create
from tickets import selectors as ticket_selectors
from tickets.exceptions import MajorIncidentAlreadyOpen
from tickets.major import selectors, services
from tickets.major.api.serializers import (
    AlreadyOpenSerializer,
    DeclareMajorInputSerializer,
    DeskInstructionsInputSerializer,
    LinkAffectedInputSerializer,
    MajorIncidentSerializer,
    MajorIncidentUpdateSerializer,
    ResolveInputSerializer,
    UpdateInputSerializer,
)
from tickets.major.models import MajorIncident


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
        return selectors.major_list_for_api(status=self.request.query_params.get("status"))

    def get_object(self) -> MajorIncident:
        return selectors.major_get_by_number(number=self.kwargs["number"])

    @extend_schema(
        methods=["GET"], request=None, responses={200: MajorIncidentUpdateSerializer(many=True)}
    )
    @idempotent_create
    @extend_schema(
        methods=["POST"],
        request=UpdateInputSerializer,
        responses={201: MajorIncidentUpdateSerializer},
    )
    # The whole list, neither paged nor filtered: the schema must not promise the list's
    # pagination and filters here.
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def updates(self, request, number=None):
        major = self.get_object()
        if request.method == "GET":
            updates = selectors.major_update_list(major=major)
            return Response(MajorIncidentUpdateSerializer(updates, many=True).data)
        data = UpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        update = services.major_incident_post_update(
            major=major, actor=request.user, **data.validated_data
        )
        return Response(MajorIncidentUpdateSerializer(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=LinkAffectedInputSerializer,
        responses={200: OpenApiResponse(description="The linked ticket's number and priority.")},
    )
    @action(detail=True, methods=["post"])
    def link(self, request, number=None):
        """Link an open ticket as affected by this major incident: it becomes a child and
        takes the major incident's priority (audited). Linking it again changes nothing."""
        major = self.get_object()
        data = LinkAffectedInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = ticket_selectors.ticket_get_for_user(
            user=request.user, number=data.validated_data["incident"]
        )
        ticket = services.major_incident_link_affected(
            major=major, ticket=ticket, actor=request.user
        )
        return Response(
            {"incident": ticket.number, "parent": major.ticket.number, "priority": ticket.priority}
        )

    @extend_schema(
        request=DeskInstructionsInputSerializer, responses={200: MajorIncidentSerializer}
    )
    @action(detail=True, methods=["post"], url_path="desk-instructions")
    def desk_instructions(self, request, number=None):
        """The manager's instructions to the service desk (what to tell callers, the public
        wording, when the next update is due), shown on affected tickets."""
        major = self.get_object()
        data = DeskInstructionsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.major_incident_set_desk_instructions(
            major=major, actor=request.user, **data.validated_data
        )
        return Response(MajorIncidentSerializer(selectors.major_get(pk=major.pk)).data)

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
    (stakeholders are notified at once). 409 on a stale `version`, and 409
    (code major_incident_already_open) when one is already open on its service or CI and
    `force` is not set. Someone else's ticket is a
    404 to a requester, as everywhere; the service refuses (403) whoever may not declare."""

    serializer_class = DeclareMajorInputSerializer

    @idempotent_create
    @extend_schema(
        operation_id="incidents_declare_major",
        request=DeclareMajorInputSerializer,
        responses={201: MajorIncidentSerializer, 409: AlreadyOpenSerializer},
    )
    def post(self, request, number: str):
        ticket = ticket_selectors.ticket_get_for_user(user=request.user, number=number)
        data = DeclareMajorInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            major = services.major_incident_declare(
                ticket=ticket,
                actor=request.user,
                expected_version=values.pop("version"),
                **values,
            )
        except MajorIncidentAlreadyOpen as error:
            body = {
                "detail": error.message,
                "code": error.code,
                "field": error.field,
                "existing": error.existing.ticket.number,
            }
            return Response(body, status=error.status_code)
        return Response(
            MajorIncidentSerializer(selectors.major_get(pk=major.pk)).data,
            status=status.HTTP_201_CREATED,
        )
