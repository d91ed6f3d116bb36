"""API of the service catalog: catalog items (and ordering), fulfilment tasks, approvals.

Thin: reads through `tickets.catalog_selectors`, writes through `tickets.catalog` services.
"""

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from itsm.accounts.models import User
from itsm.core.permissions import IsDeskUser
from tickets import catalog, catalog_selectors
from tickets.choices import ApprovalState, Channel, TaskStatus
from tickets.models import Approval, CatalogField, CatalogItem, FulfilmentTask

# --- Serializers ---


class CatalogFieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = CatalogField
        fields = ["name", "label", "field_type", "required", "help_text", "choices", "order"]


class CatalogItemSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name", default=None, read_only=True)
    fields = CatalogFieldSerializer(many=True, read_only=True)

    class Meta:
        model = CatalogItem
        fields = [
            "slug",
            "name",
            "category",
            "short_description",
            "description",
            "requires_manager_approval",
            "approval_mode",
            "fields",
        ]


class OrderInputSerializer(serializers.Serializer):
    form_data = serializers.DictField(help_text="Answers keyed by the item's field names.")

    def validate_form_data(self, value: dict) -> dict:
        try:
            return catalog.validate_order(item=self.context["item"], form_data=value)
        except catalog.CatalogFormInvalid as invalid:
            raise serializers.ValidationError(invalid.errors) from invalid


class OrderedRequestSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    approval_state = serializers.CharField()
    version = serializers.IntegerField()


class TaskSerializer(serializers.ModelSerializer):
    request = serializers.CharField(source="ticket.number", read_only=True)
    team = serializers.CharField(source="team.name", read_only=True)
    team_id = serializers.IntegerField(read_only=True)
    assignee = serializers.EmailField(source="assignee.email", default=None, read_only=True)

    class Meta:
        model = FulfilmentTask
        fields = [
            "number",
            "request",
            "title",
            "team",
            "team_id",
            "assignee",
            "step",
            "status",
            "notes",
            "completed_at",
            "version",
            "created_at",
            "updated_at",
        ]


class TaskCompleteSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(min_value=1)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class TaskCancelSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=1000)


class TaskAssignSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(min_value=1)
    assignee = serializers.SlugRelatedField(
        slug_field="email",
        queryset=User.objects.filter(is_active=True),
        allow_null=True,
        help_text="Email of a member of the task's team, or null to hand it back to the team.",
    )


class ApprovalSerializer(serializers.ModelSerializer):
    request = serializers.CharField(source="ticket.number", read_only=True)
    request_title = serializers.CharField(source="ticket.short_description", read_only=True)
    requester = serializers.EmailField(source="ticket.requester.email", read_only=True)
    form_data = serializers.JSONField(source="ticket.form_data", read_only=True)

    class Meta:
        model = Approval
        fields = [
            "id",
            "request",
            "request_title",
            "requester",
            "form_data",
            "state",
            "comment",
            "decided_at",
        ]


class ApproveSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class RejectSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=5000, help_text="Why; the requester reads it.")


# --- Filters ---


class TaskFilterSet(django_filters.FilterSet):
    team = django_filters.CharFilter(method="filter_team", label="Team (id or name)")
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices)
    request = django_filters.CharFilter(field_name="ticket__number", label="Request number")

    class Meta:
        model = FulfilmentTask
        fields = ["team", "status", "request"]

    def filter_team(self, queryset, _name, value):
        if value.isdigit():
            return queryset.filter(team_id=int(value))
        return queryset.filter(team__name__iexact=value)


class ApprovalFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ApprovalState.choices)

    class Meta:
        model = Approval
        fields = ["state"]


# --- Viewsets ---


class CatalogItemViewSet(viewsets.ReadOnlyModelViewSet):
    """What can be ordered, with each item's form definition."""

    serializer_class = CatalogItemSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "slug"
    filterset_class = None
    ordering_fields = ["name"]

    def get_queryset(self):
        return catalog_selectors.catalog_item_list_for_api()

    @extend_schema(
        request=OrderInputSerializer,
        responses={201: OrderedRequestSerializer, 400: OpenApiResponse(description="Field errors")},
        summary="Order this item for yourself",
    )
    @action(detail=True, methods=["post"])
    def order(self, request, slug=None):
        item = self.get_object()
        data = OrderInputSerializer(data=request.data, context={"item": item})
        data.is_valid(raise_exception=True)
        ticket = catalog.request_order(
            item=item,
            requester=request.user,
            actor=request.user,
            form_data=data.validated_data["form_data"],
            channel=Channel.API,
        )
        return Response(OrderedRequestSerializer(ticket).data, status=status.HTTP_201_CREATED)


class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    """Fulfilment tasks (desk staff): filter by team and status; complete, assign, cancel."""

    serializer_class = TaskSerializer
    permission_classes = [IsDeskUser]
    lookup_field = "number"
    filterset_class = TaskFilterSet
    ordering_fields = ["created_at", "step", "number"]

    def get_queryset(self):
        return catalog_selectors.task_list_for_api()

    @extend_schema(request=TaskCompleteSerializer, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, number=None):
        data = TaskCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = catalog.task_complete(
            task=self.get_object(), actor=request.user, **data.validated_data
        )
        return Response(TaskSerializer(task).data)

    @extend_schema(request=TaskAssignSerializer, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, number=None):
        data = TaskAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = catalog.task_assign(
            task=self.get_object(), actor=request.user, **data.validated_data
        )
        return Response(TaskSerializer(task).data)

    @extend_schema(request=TaskCancelSerializer, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, number=None):
        data = TaskCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = catalog.task_cancel(
            task=self.get_object(), actor=request.user, **data.validated_data
        )
        return Response(TaskSerializer(task).data)


class ApprovalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The approvals asked of the signed-in user (`?state=pending` for the open ones).

    Someone else's approval answers 404: the queryset holds only one's own.
    """

    serializer_class = ApprovalSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = ApprovalFilterSet
    ordering_fields = ["id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Approval.objects.none()
        return catalog_selectors.approval_list_for_approver(
            user=self.request.user, pending_only=False
        )

    @extend_schema(request=ApproveSerializer, responses={200: ApprovalSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        approval = catalog.approval_approve(
            approval=self.get_object(), actor=request.user, **data.validated_data
        )
        return Response(ApprovalSerializer(approval).data)

    @extend_schema(request=RejectSerializer, responses={200: ApprovalSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        approval = catalog.approval_reject(
            approval=self.get_object(), actor=request.user, **data.validated_data
        )
        return Response(ApprovalSerializer(approval).data)
