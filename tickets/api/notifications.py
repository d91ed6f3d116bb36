"""/api/v1/notifications/: the caller's desk notification centre (the bell): the list, the
unread count and marking read. Under the tickets resource for API tokens: the lines are
about the desk's work (itsm.notifications writes them; this module only reads and marks)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from itsm.core.permissions import IsDeskUser
from itsm.notifications.choices import DeskEvent
from itsm.notifications.models import InAppNotification
from itsm.notifications.selectors import UNREAD_CAP, inapp_list_for_user, inapp_unread_count
from itsm.notifications.services import inapp_mark_all_read, inapp_mark_read


class InAppNotificationSerializer(serializers.ModelSerializer):
    event = serializers.ChoiceField(choices=DeskEvent.choices)
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = InAppNotification
        fields = [
            "id",
            "event",
            "title",
            "message",
            "url",
            "record_label",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields

    def get_is_read(self, obj: InAppNotification) -> bool:
        return obj.read_at is not None


class NewestFirst(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50


class InAppNotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in agent's own lines only; another's id answers 404."""

    serializer_class = InAppNotificationSerializer
    permission_classes = [IsDeskUser]
    pagination_class = NewestFirst
    queryset = InAppNotification.objects.none()

    def get_queryset(self):
        if self.action == "read":
            return inapp_list_for_user(user=self.request.user)
        unread = self.request.query_params.get("unread") in ("1", "true")
        return inapp_list_for_user(user=self.request.user, unread_only=unread)

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="Only unread lines.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        operation_id="notifications_unread_count",
        responses=inline_serializer(
            "UnreadCount",
            {
                "unread": serializers.IntegerField(
                    help_text=f"Unread lines, counted up to {UNREAD_CAP + 1}."
                ),
                "capped": serializers.BooleanField(),
            },
        ),
    )
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        count = inapp_unread_count(user=request.user)
        return Response({"unread": count, "capped": count > UNREAD_CAP})

    @extend_schema(request=None, responses=InAppNotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        # Only the caller's own lines are in the queryset: another's id is a 404.
        line = self.get_object()
        inapp_mark_read(user=request.user, notification_id=line.pk)
        line.refresh_from_db()
        return Response(InAppNotificationSerializer(line).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": inapp_mark_all_read(user=request.user)})
