"""POST /api/v1/tickets/bulk/: one action on several tickets, answered ticket by ticket."""

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from itsm.accounts.models import Team, User
from tickets import services
from tickets.choices import (
    BulkAction,
    Impact,
    OnHoldReason,
    Priority,
    ResolutionCode,
    TicketStatus,
    Urgency,
)


class BulkTicketSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=20)
    version = serializers.IntegerField(
        min_value=0, help_text="The version you read; a ticket changed since is refused."
    )


class BulkInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=BulkAction.choices)
    tickets = BulkTicketSerializer(  # type: ignore[call-arg]  # many=True takes max_length
        many=True, allow_empty=False, max_length=services.BULK_MAX_TICKETS
    )
    team = serializers.SlugRelatedField(
        slug_field="name",
        queryset=Team.objects.all(),
        required=False,
        allow_null=True,
        help_text="assign: the team (by name); without it the tickets keep their team.",
    )
    assignee = serializers.SlugRelatedField(
        slug_field="email",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="assign: the agent (by e-mail), a member of the team.",
    )
    to_status = serializers.ChoiceField(choices=TicketStatus.choices, required=False)
    on_hold_reason = serializers.ChoiceField(choices=OnHoldReason.choices, required=False)
    resolution_code = serializers.ChoiceField(choices=ResolutionCode.choices, required=False)
    resolution_notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="With `priority`: why it differs from the matrix; cancelling: why.",
    )
    impact = serializers.ChoiceField(choices=Impact.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, help_text="An override, with `reason`."
    )
    body = serializers.CharField(
        required=False, allow_blank=True, max_length=settings.ITSM_COMMENT_MAX_CHARS
    )
    target = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="merge: the ticket that stays open; the others become its duplicates.",
    )

    def params(self) -> services.BulkParams:
        data = self.validated_data
        return services.BulkParams(
            team=data.get("team"),
            assignee=data.get("assignee"),
            to_status=data.get("to_status", ""),
            on_hold_reason=data.get("on_hold_reason", ""),
            resolution_code=data.get("resolution_code", ""),
            resolution_notes=data.get("resolution_notes", ""),
            reason=data.get("reason", ""),
            impact=data.get("impact"),
            urgency=data.get("urgency"),
            priority=data.get("priority"),
            body=data.get("body", ""),
            target=data.get("target", ""),
        )


class BulkLineSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=[("done", "done"), ("refused", "refused")])
    message = serializers.CharField(help_text="What happened, or why it was refused.")
    code = serializers.CharField(
        help_text="Why it was refused, as a stable name (`stale_version`, `not_found`, …); "
        "empty when done."
    )
    version = serializers.IntegerField(
        allow_null=True, help_text="The ticket's version now (when done or stale)."
    )


class BulkResultSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=BulkAction.choices)
    done = serializers.IntegerField()
    refused = serializers.IntegerField()
    results = BulkLineSerializer(many=True)


def bulk_result_response(action: str, lines) -> Response:
    """The answer to a bulk action (or a macro applied to several tickets): one line per
    ticket, done or refused with its message."""
    done = sum(1 for line in lines if line.done)
    return Response(
        BulkResultSerializer(
            {
                "action": action,
                "done": done,
                "refused": len(lines) - done,
                "results": [
                    {
                        "number": line.number,
                        "status": "done" if line.done else "refused",
                        "message": line.message,
                        "code": line.code,
                        "version": line.version,
                    }
                    for line in lines
                ],
            }
        ).data
    )


class TicketBulkView(GenericAPIView):
    """The queue's bulk actions for integrators. Input that is wrong for every ticket (no
    team, resolve without code or notes, an empty message, an unknown merge target) is a 400
    and nothing is done; otherwise each ticket is done or refused on its own, with its reason,
    in a 200 answer."""

    serializer_class = BulkInputSerializer

    @extend_schema(
        operation_id="tickets_bulk",
        request=BulkInputSerializer,
        responses={200: BulkResultSerializer},
        description=(
            "Actions: `assign` (`team` and/or `assignee`), `status` (`to_status`; "
            "`on_hold_reason` for on hold; `resolution_code` and `resolution_notes` for "
            "resolved, asked once for all; `reason` for cancelled), `priority` (`impact` and "
            "`urgency`, or `priority` with `reason`), `reply` and `note` (`body`), `merge` "
            "(`target`). Each ticket carries the `version` you read; one changed since is "
            "refused with code `stale_version` and the others go through. Desk staff who may "
            "change tickets only (403 otherwise)."
        ),
        examples=[
            OpenApiExample(
                "Resolve two tickets",
                request_only=True,
                value={
                    "action": "status",
                    "tickets": [
                        {"number": "INC0001001", "version": 3},
                        {"number": "INC0001002", "version": 1},
                    ],
                    "to_status": "resolved",
                    "resolution_code": "solved",
                    "resolution_notes": "The VPN gateway was restarted.",
                },
            )
        ],
    )
    def post(self, request):
        data = BulkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action = data.validated_data["action"]
        lines = services.tickets_bulk_apply(
            actor=request.user,
            action=action,
            selection=[
                services.BulkTarget(item["number"], item["version"])
                for item in data.validated_data["tickets"]
            ],
            params=data.params(),
        )
        return bulk_result_response(action, lines)
