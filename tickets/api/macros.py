"""/api/v1/macros/: keep macros (team leads for their team's, managers for all) and apply
one to tickets, answered ticket by ticket like the bulk endpoint."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action

from itsm.accounts.models import Team, User
from itsm.core.permissions import IsDeskUser
from itsm.idempotency.api import idempotent_create
from knowledge.models import Article
from tickets import services
from tickets.api.bulk import BulkResultSerializer, BulkTicketSerializer, bulk_result_response
from tickets.choices import BulkAction
from tickets.models import Category, Macro


class MacroSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(
        slug_field="name",
        queryset=Team.objects.all(),
        allow_null=True,
        required=False,
        help_text="The owner team (by name); null for a global macro.",
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), allow_null=True, required=False
    )
    assignment_team = serializers.SlugRelatedField(
        slug_field="name", queryset=Team.objects.all(), allow_null=True, required=False
    )
    assignee = serializers.SlugRelatedField(
        slug_field="email",
        queryset=User.objects.filter(is_active=True),
        allow_null=True,
        required=False,
    )
    article = serializers.SlugRelatedField(
        slug_field="number", queryset=Article.objects.all(), allow_null=True, required=False
    )
    version = serializers.IntegerField(
        required=False, help_text="On update: the version you read (a stale one is a 409)."
    )

    class Meta:
        model = Macro
        fields = ["id", *services.MACRO_FIELDS, "version", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def get_validators(self):
        # The name's uniqueness is the service's to say, in its own words.
        return []

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        for name in ("description", "reply_body", "note_body", "to_status"):
            if name in values and values[name] is None:
                values[name] = ""
        return values


class MacroApplySerializer(serializers.Serializer):
    tickets = BulkTicketSerializer(  # type: ignore[call-arg]  # many=True takes max_length
        many=True, allow_empty=False, max_length=services.BULK_MAX_TICKETS
    )


class MacroViewSet(viewsets.ModelViewSet):
    """Macros. Every desk agent reads and applies them; creating, changing and deleting is for
    the owner team's lead, or a service desk manager / administrator (403 otherwise, with the
    reason). Applying goes through the same services as the ticket page, as the caller."""

    serializer_class = MacroSerializer
    permission_classes = [IsDeskUser]
    queryset = Macro.objects.select_related("team", "assignment_team", "assignee", "article")
    http_method_names = ["get", "post", "put", "patch", "delete"]

    create = idempotent_create(viewsets.ModelViewSet.create)

    def perform_create(self, serializer):
        values = dict(serializer.validated_data)
        values.pop("version", None)
        serializer.instance = services.macro_create(actor=self.request.user, **values)

    def perform_update(self, serializer):
        values = dict(serializer.validated_data)
        version = values.pop("version", None)
        if version is None:
            raise serializers.ValidationError({"version": ["Send the version you read."]})
        serializer.instance = services.macro_update(
            macro=serializer.instance, actor=self.request.user, expected_version=version, **values
        )

    def perform_destroy(self, instance):
        services.macro_delete(macro=instance, actor=self.request.user)

    @extend_schema(
        operation_id="macros_apply",
        request=MacroApplySerializer,
        responses={200: BulkResultSerializer},
        description=(
            "Apply the macro to each ticket (with the `version` you read), all of its steps "
            "or none per ticket; a refused step is reported on that ticket's line, naming the "
            "step, and the other tickets go through. Desk staff who may change tickets."
        ),
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        macro = self.get_object()
        data = MacroApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lines = services.tickets_bulk_apply(
            actor=request.user,
            action=BulkAction.MACRO,
            selection=[
                services.BulkTarget(item["number"], item["version"])
                for item in data.validated_data["tickets"]
            ],
            params=services.BulkParams(macro=macro),
        )
        return bulk_result_response(BulkAction.MACRO, lines)
