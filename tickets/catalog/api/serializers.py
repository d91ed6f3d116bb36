"""Input and output serializers of the service catalog API."""

from rest_framework import serializers

from itsm.accounts.models import User
from tickets.catalog import services as catalog
from tickets.models import Approval, CatalogField, CatalogItem, FulfilmentTask


class CatalogFieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = CatalogField
        fields = ["name", "label", "field_type", "required", "help_text", "choices", "order"]


class CatalogItemSerializer(serializers.ModelSerializer):
    category = serializers.CharField(
        allow_null=True, source="category.name", default=None, read_only=True
    )
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
    assignee = serializers.EmailField(
        allow_null=True, source="assignee.email", default=None, read_only=True
    )

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
