"""Input and output serializers of the major-incident API."""

from rest_framework import serializers

from itsm.accounts.models import User
from tickets.major.models import MajorIncident, MajorIncidentUpdate


class MajorIncidentUpdateSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(allow_null=True, slug_field="email", read_only=True)

    class Meta:
        model = MajorIncidentUpdate
        fields = ["id", "body", "is_public", "author", "created_at"]


class MajorIncidentSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="ticket.number", read_only=True)
    short_description = serializers.CharField(source="ticket.short_description", read_only=True)
    service = serializers.CharField(source="ticket.service", read_only=True, allow_null=True)
    ci = serializers.CharField(source="ticket.ci", read_only=True, allow_null=True)
    declared_by = serializers.SlugRelatedField(allow_null=True, slug_field="email", read_only=True)
    manager = serializers.SlugRelatedField(slug_field="email", read_only=True)
    communications_owner = serializers.SlugRelatedField(slug_field="email", read_only=True)
    child_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = MajorIncident
        fields = [
            "id",
            "number",
            "short_description",
            "service",
            "ci",
            "status",
            "reason",
            "declared_by",
            "declared_at",
            "manager",
            "communications_owner",
            "cadence_minutes",
            "last_update_at",
            "resolved_at",
            "resolution_note",
            "caller_script",
            "public_wording",
            "next_update_due_at",
            "child_count",
        ]


class DeclareMajorInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    manager = serializers.SlugRelatedField(slug_field="email", queryset=User.objects.all())
    communications_owner = serializers.SlugRelatedField(
        slug_field="email", queryset=User.objects.all()
    )
    cadence_minutes = serializers.IntegerField(min_value=1, max_value=1440, default=30)
    version = serializers.IntegerField(required=False, allow_null=True, default=None)
    force = serializers.BooleanField(
        default=False,
        help_text="Declare even though a major incident is already open on the incident's "
        "service or CI. Without it that case is refused with 409 "
        "(code major_incident_already_open, `existing` naming the open one): link the "
        "incident to it instead (POST /api/v1/major-incidents/{number}/link/).",
    )


class AlreadyOpenSerializer(serializers.Serializer):
    """409 from declare-major: a major incident is already open on the service or CI."""

    detail = serializers.CharField()
    code = serializers.CharField()
    field = serializers.CharField()
    existing = serializers.CharField(help_text="The open major incident's number.")


class LinkAffectedInputSerializer(serializers.Serializer):
    incident = serializers.CharField(
        max_length=20, help_text="Number of the open ticket affected by this major incident."
    )


class DeskInstructionsInputSerializer(serializers.Serializer):
    caller_script = serializers.CharField(max_length=4000, allow_blank=True, default="")
    public_wording = serializers.CharField(max_length=4000, allow_blank=True, default="")
    next_update_due_at = serializers.DateTimeField(allow_null=True, default=None)


class UpdateInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000)
    is_public = serializers.BooleanField(default=False)


class ResolveInputSerializer(serializers.Serializer):
    public_note = serializers.CharField(max_length=5000)
