"""/api/v1/problems/: a thin viewset over problems selectors and services."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from itsm.core.api import expected_version
from itsm.core.permissions import IsDeskUser
from itsm.idempotency.api import idempotent_create
from problems import selectors, services
from problems.api.serializers import (
    LinkIncidentsInputSerializer,
    LinkIncidentsOutputSerializer,
    ProblemSerializer,
    ProblemTransitionInputSerializer,
    ProblemWriteSerializer,
    PublishKnownErrorInputSerializer,
)
from problems.fields import PROBLEM_ANALYSIS_FIELDS
from problems.filtersets import ProblemFilterSet
from tickets import selectors as ticket_selectors


class ProblemPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ProblemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Problems, addressed by number (PRB0001001). Desk staff read; services check who may
    write (agents raise problems, problem managers work them)."""

    serializer_class = ProblemSerializer
    permission_classes = [IsDeskUser]
    lookup_field = "number"
    filterset_class = ProblemFilterSet
    ordering_fields = ["created_at", "updated_at", "priority", "number"]
    ordering = ["-created_at"]
    pagination_class = ProblemPagination
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.problem_list(user=self.request.user).order_by("-created_at", "-id")

    def get_object(self):
        return selectors.problem_get(user=self.request.user, number=self.kwargs["number"])

    def _serialized(self, problem) -> dict:
        fresh = selectors.problem_get(user=self.request.user, number=problem.number)
        return ProblemSerializer(fresh).data

    def _out(self, problem, code=status.HTTP_200_OK) -> Response:
        return Response(
            self._serialized(problem),
            status=code,
        )

    @idempotent_create
    @extend_schema(request=ProblemWriteSerializer, responses={201: ProblemSerializer})
    def create(self, request, *args, **kwargs):
        data = ProblemWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("version", None)
        analysis = {k: values.pop(k) for k in PROBLEM_ANALYSIS_FIELDS if k in values}
        problem = services.problem_create(actor=request.user, **values)
        if analysis:
            problem = services.problem_update(
                problem=problem, actor=request.user, expected_version=None, **analysis
            )
        return self._out(problem, status.HTTP_201_CREATED)

    @extend_schema(request=ProblemWriteSerializer, responses={200: ProblemSerializer})
    def partial_update(self, request, *args, **kwargs):
        problem = self.get_object()
        data = ProblemWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = expected_version(request, values)
        problem = services.problem_update(
            problem=problem, actor=request.user, expected_version=version, **values
        )
        return self._out(problem)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=ProblemTransitionInputSerializer, responses={200: ProblemSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, number=None):
        problem = self.get_object()
        data = ProblemTransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        problem = services.problem_transition(
            problem=problem,
            actor=request.user,
            to_status=values.pop("to_status"),
            expected_version=values.pop("version"),
            **values,
        )
        return self._out(problem)

    @extend_schema(
        request=LinkIncidentsInputSerializer, responses={200: LinkIncidentsOutputSerializer}
    )
    @action(detail=True, methods=["post"], url_path="link-incidents")
    def link_incidents(self, request, number=None):
        problem = self.get_object()
        data = LinkIncidentsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        numbers = list(dict.fromkeys(data.validated_data["incidents"]))
        found = ticket_selectors.incident_list_by_number(user=request.user, numbers=numbers)
        missing = [n for n in numbers if n not in found]
        if missing:
            raise ValidationError({"incidents": [f"No such incident: {', '.join(missing)}."]})
        linked = services.problem_link_incidents(
            problem=problem, actor=request.user, incidents=[found[n] for n in numbers]
        )
        return Response(
            {
                "linked": [t.number for t in linked],
                "problem": ProblemSerializer(
                    selectors.problem_get(user=self.request.user, number=problem.number)
                ).data,
            }
        )

    @extend_schema(request=PublishKnownErrorInputSerializer, responses={200: ProblemSerializer})
    @action(detail=True, methods=["post"], url_path="publish-known-error")
    def publish_known_error(self, request, number=None):
        problem = self.get_object()
        data = PublishKnownErrorInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        problem = services.problem_publish_known_error(
            problem=problem,
            actor=request.user,
            expected_version=values.pop("version"),
            **values,
        )
        return self._out(problem)
