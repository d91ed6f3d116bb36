"""/api/v1/{incidents,requests}/<number>/time-entries/ and /api/v1/time-entries/: time worked
on tickets, for the service desk only (requesters get 403). Thin views: reads through the
selectors, writes through tickets.services.time_entry_*.

The serializers live here with the views: they serve these endpoints only.
"""

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from itsm.accounts.models import Team, User
from itsm.core.api import require_changes
from itsm.core.parsers import JSONParser
from itsm.core.permissions import IsDeskUser
from itsm.idempotency.api import idempotent_create
from tickets import selectors, services
from tickets.choices import TicketKind
from tickets.filtersets import TimeEntryFilterSet
from tickets.models import TIME_ENTRY_MAX_MINUTES, Ticket, TimeEntry
from tickets.services.time import (
    MINUTES_NOT_A_NUMBER,
    MINUTES_TOO_FEW,
    MINUTES_TOO_MANY,
    NOTE_MAX_CHARS,
)

# Groups one totals answer holds at most (largest first); `truncated` says when there were more.
MAX_TOTAL_GROUPS = 500


# --- Serializers ---


class TimeEntrySerializer(serializers.ModelSerializer):
    ticket: serializers.SlugRelatedField[Ticket] = serializers.SlugRelatedField(
        slug_field="number", read_only=True
    )
    agent: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="email", read_only=True
    )
    agent_name = serializers.CharField(source="agent.display_name", read_only=True)
    team: serializers.SlugRelatedField[Team] = serializers.SlugRelatedField(
        slug_field="name", read_only=True, allow_null=True
    )

    class Meta:
        model = TimeEntry
        fields = [
            "id",
            "ticket",
            "agent",
            "agent_name",
            "team",
            "minutes",
            "worked_on",
            "note",
            "comment",
            "created_at",
        ]
        read_only_fields = fields


def minutes_input_field(
    *, required: bool, help_text: str = "Whole minutes worked, 1 to 1440 (a day) per entry."
) -> serializers.IntegerField:
    """Minutes worked as API input: the bounds in the schema, the service's words in a 400."""
    return serializers.IntegerField(
        required=required,
        min_value=1,
        max_value=TIME_ENTRY_MAX_MINUTES,
        help_text=help_text,
        error_messages={
            "invalid": MINUTES_NOT_A_NUMBER,
            "min_value": MINUTES_TOO_FEW,
            "max_value": MINUTES_TOO_MANY,
            "max_string_length": MINUTES_NOT_A_NUMBER,
        },
    )


class TimeEntryInputSerializer(serializers.Serializer):
    minutes = minutes_input_field(required=True)
    worked_on = serializers.DateField(
        required=False, help_text="The day worked (YYYY-MM-DD); today when left out."
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_MAX_CHARS, default=""
    )


class TimeEntryCorrectSerializer(serializers.Serializer):
    minutes = minutes_input_field(required=False)
    worked_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX_CHARS)


TotalsSerializer = inline_serializer(
    "TimeTotals",
    {
        "group_by": serializers.ChoiceField(choices=selectors.TIME_TOTAL_GROUPS),
        "total_minutes": serializers.IntegerField(),
        "entries": serializers.IntegerField(),
        "truncated": serializers.BooleanField(
            help_text=f"More than {MAX_TOTAL_GROUPS} groups matched; narrow the filters."
        ),
        "groups": inline_serializer(
            "TimeTotalsGroup",
            {
                "key": serializers.IntegerField(
                    allow_null=True, help_text="Ticket, user or team id."
                ),
                "label": serializers.CharField(
                    help_text="Ticket number, agent name or team name ('' for no team)."
                ),
                "minutes": serializers.IntegerField(),
                "entries": serializers.IntegerField(),
            },
            many=True,
        ),
    },
)


# --- Views ---


class TimeEntryPagination(CursorPagination):
    """No COUNT(*): the newest days first, stable under inserts."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-worked_on", "-id")


class TicketTimeEntryView(generics.GenericAPIView):
    """The time logged on one ticket (list, newest first) and logging more (POST)."""

    kind: str = ""
    permission_classes = [IsDeskUser]
    serializer_class = TimeEntrySerializer
    pagination_class = TimeEntryPagination
    parser_classes = [JSONParser]
    filter_backends: list = []

    def _ticket(self):
        ticket = selectors.ticket_get_for_user(user=self.request.user, number=self.kwargs["number"])
        if ticket.kind != self.kind:
            raise Http404
        return ticket

    @extend_schema(responses={200: TimeEntrySerializer(many=True)})
    def get(self, request, number: str):
        ticket = self._ticket()
        entries = selectors.time_entry_list_for_api(user=request.user).filter(ticket=ticket)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(TimeEntrySerializer(page, many=True).data)

    @idempotent_create
    @extend_schema(
        request=TimeEntryInputSerializer,
        responses={201: TimeEntrySerializer},
        description=(
            "Log minutes worked on this ticket (agents only). Minutes out of 1 … 1440, a day "
            "in the future or before the ticket was raised → 400 with the reason."
        ),
    )
    def post(self, request, number: str):
        ticket = self._ticket()
        data = TimeEntryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.time_entry_log(ticket=ticket, agent=request.user, **data.validated_data)
        entry = selectors.time_entry_get_for_user(user=request.user, entry_id=entry.pk)
        return Response(TimeEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class IncidentTimeEntryView(TicketTimeEntryView):
    kind = TicketKind.INCIDENT


class RequestTimeEntryView(TicketTimeEntryView):
    kind = TicketKind.REQUEST


class TimeEntryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Every time entry the desk logged, filtered by agent, team, ticket and day range; the
    totals per ticket, agent or team; corrections and removals of one's own entries."""

    permission_classes = [IsDeskUser]
    serializer_class = TimeEntrySerializer
    filterset_class = TimeEntryFilterSet
    # The cursor orders; an `ordering` parameter would fight it.
    filter_backends = [DjangoFilterBackend]
    pagination_class = TimeEntryPagination
    parser_classes = [JSONParser]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.time_entry_list_for_api(user=self.request.user)

    def get_object(self):
        entry_id = self.kwargs["pk"]
        if not str(entry_id).isdigit():
            raise Http404
        return selectors.time_entry_get_for_user(user=self.request.user, entry_id=int(entry_id))

    @extend_schema(
        request=TimeEntryCorrectSerializer,
        responses={200: TimeEntrySerializer},
        description="Correct your own entry (a service desk manager: anyone's).",
    )
    def partial_update(self, request, *args, **kwargs):
        entry = self.get_object()
        data = TimeEntryCorrectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # An empty PATCH (or one naming only unknown fields) is the client's mistake: 400.
        require_changes(data.validated_data, sent=request.data)
        services.time_entry_correct(entry=entry, actor=request.user, **data.validated_data)
        entry = selectors.time_entry_get_for_user(user=request.user, entry_id=entry.pk)
        return Response(TimeEntrySerializer(entry).data)

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        responses={204: None},
        description="Remove your own entry (a service desk manager: anyone's).",
    )
    def destroy(self, request, *args, **kwargs):
        services.time_entry_delete(entry=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "group_by",
                OpenApiTypes.STR,
                enum=list(selectors.TIME_TOTAL_GROUPS),
                description="Sum per ticket, agent or team (default: agent).",
            )
        ],
        responses={200: TotalsSerializer},
        description=(
            "Minutes per ticket, agent or team over the entries the filters select (e.g. "
            "`?group_by=team&worked_after=2026-11-01&worked_before=2026-11-30`), largest first, "
            f"at most {MAX_TOTAL_GROUPS} groups; `total_minutes` covers every selected entry."
        ),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def totals(self, request):
        group_by = request.query_params.get("group_by", "agent")
        if group_by not in selectors.TIME_TOTAL_GROUPS:
            raise serializers.ValidationError(
                {"group_by": [f"Choose one of: {', '.join(selectors.TIME_TOTAL_GROUPS)}."]}
            )
        totals = selectors.time_totals(
            entries=self.filter_queryset(self.get_queryset()),
            group_by=group_by,
            limit=MAX_TOTAL_GROUPS,
        )
        return Response(
            {
                "group_by": group_by,
                "total_minutes": totals.total_minutes,
                "entries": totals.entries,
                "truncated": totals.truncated,
                "groups": totals.groups,
            }
        )
