"""/api/v1/releases/: a thin viewset over releases selectors and services."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.core.api import expected_version
from itsm.idempotency.api import idempotent_create
from releases import selectors, services
from releases.api.serializers import (
    DeploymentStepSerializer,
    ReleaseCreateSerializer,
    ReleaseHypercareSerializer,
    ReleaseSerializer,
    ReleaseStaffingInputSerializer,
    ReleaseStepInputSerializer,
    ReleaseStepStatusSerializer,
    ReleaseTransitionSerializer,
    ReleaseUpdateSerializer,
    SupportStaffingSerializer,
)
from releases.filtersets import ReleaseFilterSet


class ReleaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Releases with their deployment and support plans. Desk staff read; the release
    manager writes (403 for other staff, 404 for people outside the desk)."""

    serializer_class = ReleaseSerializer
    lookup_field = "number"
    filterset_class = ReleaseFilterSet
    ordering_fields = ["created_at", "planned_deploy_at", "number"]
    ordering = ["-created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.release_list_for_api(user=self.request.user)

    def get_object(self):
        return selectors.release_get_for_user(user=self.request.user, number=self.kwargs["number"])

    def _out(self, release, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.release_get_for_user(user=self.request.user, number=release.number)
        return Response(ReleaseSerializer(fresh).data, status=code)

    @idempotent_create
    @extend_schema(request=ReleaseCreateSerializer, responses={201: ReleaseSerializer})
    def create(self, request, *args, **kwargs):
        data = ReleaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        release = services.release_create(actor=request.user, **data.validated_data)
        return self._out(release, status.HTTP_201_CREATED)

    @extend_schema(request=ReleaseUpdateSerializer, responses={200: ReleaseSerializer})
    def partial_update(self, request, *args, **kwargs):
        release = self.get_object()
        data = ReleaseUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        release = services.release_update(
            release=release,
            actor=request.user,
            expected_version=expected_version(request, values),
            **values,
        )
        return self._out(release)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=ReleaseTransitionSerializer, responses={200: ReleaseSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, number=None):
        release = self.get_object()
        data = ReleaseTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        release = services.release_transition(
            release=release,
            actor=request.user,
            to_status=data.validated_data["to_status"],
            expected_version=data.validated_data["version"],
        )
        return self._out(release)

    @idempotent_create
    @extend_schema(request=ReleaseStepInputSerializer, responses={201: DeploymentStepSerializer})
    @action(detail=True, methods=["post"])
    def steps(self, request, number=None):
        """Append a step to the deployment plan."""
        release = self.get_object()
        data = ReleaseStepInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        step = services.release_step_add(release=release, actor=request.user, **data.validated_data)
        return Response(DeploymentStepSerializer(step).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReleaseStepStatusSerializer, responses={200: DeploymentStepSerializer})
    @action(detail=True, methods=["post"], url_path="step-status")
    def step_status(self, request, number=None):
        """Record progress on a deployment step (its owner or the release manager)."""
        release = self.get_object()
        data = ReleaseStepStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        step = selectors.release_step_get_by_order(
            release=release, order=data.validated_data["step"]
        )
        if step is None:
            raise Http404("No such step.")
        step = services.release_step_set_status(
            step=step,
            actor=request.user,
            status=data.validated_data["status"],
            notes=data.validated_data.get("notes"),
        )
        return Response(DeploymentStepSerializer(step).data)

    @idempotent_create
    @extend_schema(
        request=ReleaseStaffingInputSerializer, responses={201: SupportStaffingSerializer}
    )
    @action(detail=True, methods=["post"])
    def staffing(self, request, number=None):
        """Add a service-desk staffing entry to the support plan."""
        release = self.get_object()
        data = ReleaseStaffingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.release_staffing_add(
            release=release, actor=request.user, **data.validated_data
        )
        return Response(SupportStaffingSerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: ReleaseHypercareSerializer})
    @action(detail=True, methods=["get"])
    def hypercare(self, request, number=None):
        """Incidents tagged during hypercare, with counts by priority."""
        release = self.get_object()
        data = selectors.release_hypercare_incidents(release=release)
        return Response(
            {
                "total": data["total"],
                "by_priority": {f"P{p}": n for p, n in data["by_priority"].items()},
                "incidents": [i.number for i in data["incidents"]],
            }
        )
