from rest_framework import mixins, viewsets

from itsm.cmdb import selectors, services
from itsm.cmdb.api.serializers import ConfigurationItemSerializer, ServiceSerializer
from itsm.cmdb.filtersets import ConfigurationItemFilterSet, ServiceFilterSet
from itsm.core.api import require_changes
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

    def perform_update(self, serializer):
        require_changes(serializer.validated_data, sent=self.request.data)
        serializer.instance = services.ci_update(
            ci=serializer.instance, actor=self.request.user, **serializer.validated_data
        )
