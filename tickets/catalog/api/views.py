"""API of the service catalog: catalog items (and ordering), fulfilment tasks, approvals.

Thin: reads through `tickets.catalog.selectors`, writes through `tickets.catalog.services`.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from itsm.core.permissions import IsDeskUser
from itsm.idempotency.api import idempotent_create
from tickets.catalog import selectors as catalog_selectors
from tickets.catalog import services as catalog
from tickets.catalog.api.serializers import (
    ApprovalSerializer,
    ApproveSerializer,
    CatalogItemSerializer,
    OrderedRequestSerializer,
    OrderInputSerializer,
    RejectSerializer,
    TaskAssignSerializer,
    TaskCancelSerializer,
    TaskCompleteSerializer,
    TaskSerializer,
)
from tickets.catalog.filtersets import ApprovalFilterSet, TaskFilterSet
from tickets.choices import Channel
from tickets.models import Approval

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

    @idempotent_create
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
