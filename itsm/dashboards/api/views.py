"""GET /api/v1/desk-home/: the desk home's panels as JSON (the same `desk_day_for`)."""

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from itsm.core.permissions import IsDeskUser
from itsm.dashboards.selectors.home import desk_day_for


class HomeRowSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="The record's number (INC…, REQ…, TASK…, CHG…).")
    title = serializers.CharField()
    url = serializers.CharField(help_text="The record's desk page (a path).")
    badge = serializers.CharField(help_text="Priority, state or kind, as the page shows it.")
    badge_class = serializers.CharField()
    detail = serializers.CharField(help_text="Status, requester, team or implementer.")
    at = serializers.DateTimeField(allow_null=True)
    at_label = serializers.CharField(help_text='What `at` is: "due", "breached", "replied", …')


class HomePanelSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text="mine, breaching, replied, approvals, tasks, major, changes or releases."
    )
    title = serializers.CharField()
    see_all_url = serializers.CharField(help_text="The filtered queue or list behind the panel.")
    see_all_label = serializers.CharField()
    empty_text = serializers.CharField()
    rows = HomeRowSerializer(many=True)


class TeamCountsSerializer(serializers.Serializer):
    team = serializers.CharField()
    unassigned = serializers.CharField(help_text='Open and unassigned, capped ("999+").')
    unassigned_url = serializers.CharField()
    breached = serializers.CharField(help_text='Open with a breached SLA, capped ("999+").')
    breached_url = serializers.CharField()


class DeskDaySerializer(serializers.Serializer):
    panels = HomePanelSerializer(many=True)
    team_counts = TeamCountsSerializer(
        many=True, allow_null=True, help_text="Service desk managers only; null otherwise."
    )


class DeskHomeView(APIView):
    """The signed-in agent's day: each panel's first rows and its "see all" link."""

    permission_classes = [IsDeskUser]

    @extend_schema(responses={200: DeskDaySerializer}, operation_id="desk_home_retrieve")
    def get(self, request: Request) -> Response:
        day = desk_day_for(user=request.user)
        return Response(DeskDaySerializer(asdict(day)).data)
