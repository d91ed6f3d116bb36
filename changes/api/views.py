"""/api/v1/changes/: a thin viewset over changes selectors and services."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from changes import selectors, services
from changes.api.serializers import (
    ChangeCreateSerializer,
    ChangeDecisionInputSerializer,
    ChangeLinkIncidentInputSerializer,
    ChangeRequestSerializer,
    ChangeRiskInputSerializer,
    ChangeRiskOverrideInputSerializer,
    ChangeTransitionInputSerializer,
    ChangeUpdateSerializer,
)
from changes.filtersets import ChangeRequestFilterSet
from itsm.core.api import expected_version
from itsm.idempotency.api import idempotent_create


class ChangeRequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Requests for change. Desk staff read every change; anyone else sees none (404).
    Writes need the change permissions; votes need a seat on the change's CAB (403)."""

    serializer_class = ChangeRequestSerializer
    lookup_field = "number"
    filterset_class = ChangeRequestFilterSet
    ordering_fields = ["created_at", "planned_start", "number"]
    ordering = ["-created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.change_list_for_api(user=self.request.user)

    def get_object(self):
        return selectors.change_get_for_user(user=self.request.user, number=self.kwargs["number"])

    def _out(self, change, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.change_get_for_user(user=self.request.user, number=change.number)
        return Response(ChangeRequestSerializer(fresh).data, status=code)

    def _require(self, perm: str, message: str) -> None:
        if not self.request.user.has_perm(perm):
            self.permission_denied(self.request, message=message)

    @idempotent_create
    @extend_schema(request=ChangeCreateSerializer, responses={201: ChangeRequestSerializer})
    def create(self, request, *args, **kwargs):
        self._require("changes.add_changerequest", "You cannot raise changes.")
        data = ChangeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.change_create(actor=request.user, **data.validated_data)
        return self._out(change, status.HTTP_201_CREATED)

    @extend_schema(
        request=ChangeUpdateSerializer,
        responses={200: ChangeRequestSerializer},
        description="Edit a draft or assessed change; `version` must be the one you read (409).",
    )
    def partial_update(self, request, *args, **kwargs):
        change = self.get_object()
        self._require("changes.change_changerequest", "Only the change manager edits changes.")
        data = ChangeUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        change = services.change_update(
            change=change,
            actor=request.user,
            expected_version=expected_version(request, values),
            **values,
        )
        return self._out(change)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        request=ChangeTransitionInputSerializer,
        responses={200: ChangeRequestSerializer},
        examples=[
            OpenApiExample(
                "Schedule into a blackout",
                value={
                    "to_status": "scheduled",
                    "version": 7,
                    "blackout_override_reason": "Security fix cannot wait for the freeze.",
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, number=None):
        change = self.get_object()
        data = ChangeTransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        change = services.change_transition(
            change=change,
            actor=request.user,
            to_status=values.pop("to_status"),
            expected_version=values.pop("version"),
            **values,
        )
        return self._out(change)

    @extend_schema(request=ChangeDecisionInputSerializer, responses={200: ChangeRequestSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, number=None):
        """Approve as one of the change's CAB approvers (403 for anyone else)."""
        return self._decide(request, "approved")

    @extend_schema(request=ChangeDecisionInputSerializer, responses={200: ChangeRequestSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, number=None):
        """Reject (a comment is required) as one of the change's CAB approvers."""
        return self._decide(request, "rejected")

    def _decide(self, request, decision: str) -> Response:
        change = self.get_object()
        data = ChangeDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.change_decide(
            change=change,
            actor=request.user,
            decision=decision,
            comment=data.validated_data["comment"],
        )
        return self._out(change)

    @extend_schema(request=ChangeRiskInputSerializer, responses={200: ChangeRequestSerializer})
    @action(detail=True, methods=["post"])
    def risk(self, request, number=None):
        """Answer the risk questionnaire; criticality and failed changes default from data."""
        change = self.get_object()
        data = ChangeRiskInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers = dict(data.validated_data)
        change = services.change_assess_risk(
            change=change,
            actor=request.user,
            expected_version=answers.pop("version"),
            answers=answers,
        )
        return self._out(change)

    @extend_schema(
        request=ChangeRiskOverrideInputSerializer, responses={200: ChangeRequestSerializer}
    )
    @action(detail=True, methods=["post"], url_path="risk-override")
    def risk_override(self, request, number=None):
        change = self.get_object()
        data = ChangeRiskOverrideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.change_override_risk(
            change=change,
            actor=request.user,
            expected_version=data.validated_data["version"],
            level=data.validated_data["level"],
            reason=data.validated_data["reason"],
        )
        return self._out(change)

    @extend_schema(
        request=ChangeLinkIncidentInputSerializer, responses={200: ChangeRequestSerializer}
    )
    @action(detail=True, methods=["post"], url_path="link-incident")
    def link_incident(self, request, number=None):
        """Record that an incident was caused by this change."""
        from tickets.selectors import ticket_get_for_user

        change = self.get_object()
        data = ChangeLinkIncidentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = ticket_get_for_user(user=request.user, number=data.validated_data["incident"])
        services.change_link_incident(change=change, incident=incident, actor=request.user)
        return self._out(change)
