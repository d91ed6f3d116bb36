"""/api/v1/queue-preference/: the signed-in agent's desk queue settings (GET and PUT)."""

from typing import cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from itsm.accounts.models import User
from itsm.core.parsers import JSONParser
from itsm.core.permissions import IsDeskUser
from tickets import selectors, services
from tickets.choices import QueueColumn
from tickets.services.preferences import LAST_QUERY_MAX_LENGTH


class QueuePreferenceSerializer(serializers.Serializer):
    columns = serializers.ListField(
        child=serializers.ChoiceField(choices=QueueColumn.choices),
        max_length=len(QueueColumn.choices),
        help_text="The queue's columns, in table order; `number` is always among them.",
    )
    filters_open = serializers.BooleanField(
        help_text="Whether the filters beyond the filter bar's first line are shown."
    )
    last_query = serializers.CharField(
        max_length=LAST_QUERY_MAX_LENGTH,
        allow_blank=True,
        help_text="The query string of the agent's last queue view; the queue opens there.",
    )


class QueuePreferenceViewSet(viewsets.ViewSet):
    """One record per agent, always there (the defaults until they change something)."""

    permission_classes = [IsDeskUser]
    parser_classes = [JSONParser]
    serializer_class = QueuePreferenceSerializer

    @extend_schema(responses=QueuePreferenceSerializer, operation_id="queue_preference_retrieve")
    def retrieve(self, request: Request) -> Response:
        preference = selectors.queue_preference_for(user=request.user)
        return Response(QueuePreferenceSerializer(preference).data)

    @extend_schema(
        request=QueuePreferenceSerializer,
        responses=QueuePreferenceSerializer,
        operation_id="queue_preference_update",
    )
    def update(self, request: Request) -> Response:
        incoming = QueuePreferenceSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        # IsDeskUser let only a signed-in member of the desk this far.
        user = cast(User, request.user)
        preference = services.queue_preference_update(user=user, **incoming.validated_data)
        return Response(QueuePreferenceSerializer(preference).data)
