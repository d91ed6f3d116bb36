"""Output serializers and one small input serializer per action of /api/v1/changes/."""

from rest_framework import serializers

from changes.choices import ChangeRequestStatus, ChangeType, ReviewOutcome, RiskLevel
from changes.fields import CHANGE_API_FIELDS, CHANGE_CREATE_ONLY_FIELDS
from changes.models import CabApproval, ChangeRequest, ChangeTemplate
from changes.risk import IMPACT_CHOICES
from itsm.accounts.models import Team, User
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.fieldlists import takes_fields
from problems.models import Problem


class CabApprovalSerializer(serializers.ModelSerializer):
    approver = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = CabApproval
        fields = ["approver", "decision", "comment", "decided_at"]


class ChangeRequestSerializer(serializers.ModelSerializer):
    template = serializers.SlugRelatedField(allow_null=True, slug_field="name", read_only=True)
    services = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    cis = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    assignment_team = serializers.SlugRelatedField(
        allow_null=True, slug_field="name", read_only=True
    )
    implementer = serializers.SlugRelatedField(allow_null=True, slug_field="email", read_only=True)
    requested_by = serializers.SlugRelatedField(allow_null=True, slug_field="email", read_only=True)
    problem = serializers.SlugRelatedField(allow_null=True, slug_field="number", read_only=True)
    risk_level = serializers.CharField(read_only=True)
    approvals = CabApprovalSerializer(many=True, read_only=True)
    caused_incidents = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)

    class Meta:
        model = ChangeRequest
        fields = [
            "number",
            "change_type",
            "template",
            "title",
            "description",
            "justification",
            "status",
            "services",
            "cis",
            "planned_start",
            "planned_end",
            "implementation_plan",
            "backout_plan",
            "test_plan",
            "assignment_team",
            "implementer",
            "requested_by",
            "problem",
            "risk_level",
            "risk_assessed_level",
            "risk_reasons",
            "risk_answers",
            "risk_override_level",
            "risk_override_reason",
            "quorum_rule",
            "quorum_count",
            "cab_decision",
            "cab_decided_at",
            "approvals",
            "blackout_override_reason",
            "window_override_reason",
            "actual_start",
            "actual_end",
            "review_outcome",
            "review_notes",
            "closed_at",
            "caused_incidents",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class _ChangeFields(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    justification = serializers.CharField(required=False, allow_blank=True)
    services = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), many=True, required=False
    )
    cis = serializers.PrimaryKeyRelatedField(
        queryset=ConfigurationItem.objects.all(), many=True, required=False
    )
    planned_start = serializers.DateTimeField(required=False, allow_null=True)
    planned_end = serializers.DateTimeField(required=False, allow_null=True)
    implementation_plan = serializers.CharField(required=False, allow_blank=True)
    backout_plan = serializers.CharField(required=False, allow_blank=True)
    test_plan = serializers.CharField(required=False, allow_blank=True)
    assignment_team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )
    implementer = serializers.SlugRelatedField(
        slug_field="email",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    problem = serializers.SlugRelatedField(
        slug_field="number", queryset=Problem.objects.all(), required=False, allow_null=True
    )

    def validate(self, attrs):
        start, end = attrs.get("planned_start"), attrs.get("planned_end")
        if start and end and end <= start:
            raise serializers.ValidationError({"planned_end": "Must be after planned_start."})
        return attrs


@takes_fields(CHANGE_CREATE_ONLY_FIELDS, CHANGE_API_FIELDS)
class ChangeCreateSerializer(_ChangeFields):
    change_type = serializers.ChoiceField(choices=ChangeType.choices, default=ChangeType.NORMAL)
    template = serializers.SlugRelatedField(
        slug_field="name",
        queryset=ChangeTemplate.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )


@takes_fields("version", CHANGE_API_FIELDS)
class ChangeUpdateSerializer(_ChangeFields):
    title = serializers.CharField(max_length=200, required=False)
    version = serializers.IntegerField()


class ChangeTransitionInputSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=ChangeRequestStatus.choices)
    version = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    blackout_override_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300
    )
    window_override_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300
    )
    review_outcome = serializers.ChoiceField(
        choices=ReviewOutcome.choices, required=False, allow_blank=True, default=""
    )
    review_notes = serializers.CharField(required=False, allow_blank=True, default="")


class ChangeDecisionInputSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ChangeRiskInputSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    impact = serializers.ChoiceField(choices=IMPACT_CHOICES)
    likelihood = serializers.ChoiceField(choices=["low", "medium", "high"])
    backout = serializers.ChoiceField(choices=["easy", "moderate", "hard", "impossible"])
    criticality = serializers.ChoiceField(
        choices=["low", "medium", "high", "critical"], required=False
    )


class ChangeRiskOverrideInputSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    level = serializers.ChoiceField(choices=RiskLevel.choices, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ChangeLinkIncidentInputSerializer(serializers.Serializer):
    incident = serializers.CharField(max_length=20, help_text="Incident number, e.g. INC0001001.")
