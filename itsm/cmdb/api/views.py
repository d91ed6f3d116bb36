from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.cmdb import graph, selectors, services
from itsm.cmdb.api.serializers import (
    CiGraphSerializer,
    CiRelationSerializer,
    ConfigurationItemSerializer,
    ConfigurationItemWriteSerializer,
    ServiceSerializer,
)
from itsm.cmdb.filtersets import CiRelationFilterSet, ConfigurationItemFilterSet, ServiceFilterSet
from itsm.core.api import expected_version, require_changes
from itsm.core.permissions import DeskReadModelWrite
from itsm.idempotency.api import idempotent_create


class ServiceViewSet(viewsets.ModelViewSet):
    """Business and technical services."""

    serializer_class = ServiceSerializer
    permission_classes = [DeskReadModelWrite]
    filterset_class = ServiceFilterSet
    ordering_fields = ["name", "criticality", "created_at"]
    ordering = ["name"]

    def get_queryset(self):
        return selectors.service_list_for_browse()

    create = idempotent_create(mixins.CreateModelMixin.create)

    def perform_create(self, serializer):
        serializer.instance = services.service_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        require_changes(serializer.validated_data, sent=self.request.data)
        serializer.instance = services.service_update(
            service=serializer.instance, actor=self.request.user, **serializer.validated_data
        )


class ConfigurationItemViewSet(viewsets.ModelViewSet):
    """Configuration items: the servers, applications and devices behind services."""

    serializer_class = ConfigurationItemSerializer
    permission_classes = [DeskReadModelWrite]
    filterset_class = ConfigurationItemFilterSet
    ordering_fields = ["name", "ci_type", "status", "created_at"]
    ordering = ["name"]

    def get_queryset(self):
        return selectors.ci_list_for_browse()

    create = idempotent_create(mixins.CreateModelMixin.create)

    def perform_create(self, serializer):
        serializer.instance = services.ci_create(
            actor=self.request.user, **serializer.validated_data
        )

    @extend_schema(
        request=ConfigurationItemWriteSerializer, responses={200: ConfigurationItemSerializer}
    )
    def partial_update(self, request, *args, **kwargs):
        ci = self.get_object()
        data = ConfigurationItemWriteSerializer(ci, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = expected_version(request, values)
        ci = services.ci_update(ci=ci, actor=request.user, expected_version=version, **values)
        return Response(ConfigurationItemSerializer(selectors.ci_get_for_browse(pk=ci.pk)).data)

    @extend_schema(
        request=ConfigurationItemWriteSerializer, responses={200: ConfigurationItemSerializer}
    )
    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "direction",
                OpenApiTypes.STR,
                enum=["downstream", "upstream"],
                required=False,
                description="downstream: what an outage of this CI reaches (default); "
                "upstream: what this CI needs.",
            ),
            OpenApiParameter("max_depth", OpenApiTypes.INT, required=False),
        ],
        responses={200: CiGraphSerializer},
    )
    @action(detail=True, methods=["get"])
    def graph(self, request, pk=None):
        """The CIs and services reached from this CI over the impact-carrying relations."""
        ci = self.get_object()
        direction = request.query_params.get("direction", "downstream")
        if direction not in ("downstream", "upstream"):
            raise serializers.ValidationError({"direction": ["downstream or upstream."]})
        depth = request.query_params.get("max_depth", str(graph.MAX_DEPTH))
        if not depth.isdigit() or not 1 <= int(depth) <= graph.MAX_DEPTH:
            raise serializers.ValidationError(
                {"max_depth": [f"A whole number from 1 to {graph.MAX_DEPTH}."]}
            )
        walk = graph.walk(start=[ci.pk], direction=direction, max_depth=int(depth))
        body = {
            "direction": direction,
            "max_depth": int(depth),
            "cis": [vars(reached) for reached in walk.cis],
            "services": [{"id": pk_, "name": name} for pk_, name in walk.services],
        }
        return Response(CiGraphSerializer(body).data)


class CiRelationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Typed relations between CIs ("source <kind> target"); create and delete, never edit."""

    serializer_class = CiRelationSerializer
    permission_classes = [DeskReadModelWrite]
    filterset_class = CiRelationFilterSet
    ordering = ["id"]

    create = idempotent_create(mixins.CreateModelMixin.create)

    def get_queryset(self):
        return selectors.ci_relation_list()

    def perform_create(self, serializer):
        serializer.instance = services.ci_relation_add(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.ci_relation_remove(actor=self.request.user, relation=instance)
