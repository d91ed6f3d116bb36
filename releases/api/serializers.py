"""Output serializers and per-action input serializers of /api/v1/releases/."""

from rest_framework import serializers

from changes.models import ChangeRequest
from itsm.accounts.models import Team, User
from itsm.core.fieldlists import takes_fields
from knowledge.models import Article
from releases.choices import ReleaseStatus, ReleaseType, StepStatus
from releases.fields import RELEASE_INPUT_FIELDS
from releases.models import DeploymentStep, Release, SupportStaffing


class DeploymentStepSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(allow_null=True, slug_field="email", read_only=True)

    class Meta:
        model = DeploymentStep
        fields = ["id", "order", "title", "owner", "status", "notes"]
        read_only_fields = fields


class SupportStaffingSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(allow_null=True, slug_field="name", read_only=True)
    agent = serializers.SlugRelatedField(allow_null=True, slug_field="email", read_only=True)

    class Meta:
        model = SupportStaffing
        fields = ["id", "team", "agent", "starts_at", "ends_at", "notes"]
        read_only_fields = fields


class ReleaseSerializer(serializers.ModelSerializer):
    release_version = serializers.CharField(source="version_label", read_only=True)
    owner = serializers.SlugRelatedField(allow_null=True, slug_field="email", read_only=True)
    changes = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    articles = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    steps = DeploymentStepSerializer(many=True, read_only=True)
    staffing = SupportStaffingSerializer(many=True, read_only=True)

    class Meta:
        model = Release
        fields = [
            "number",
            "name",
            "release_version",
            "release_type",
            "description",
            "status",
            "owner",
            "changes",
            "planned_build_at",
            "planned_test_at",
            "planned_deploy_at",
            "hypercare_days",
            "deployed_at",
            "hypercare_ends_at",
            "closed_at",
            "known_issues",
            "communication",
            "articles",
            "steps",
            "staffing",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class _ReleaseFields(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    release_version = serializers.CharField(
        source="version_label", max_length=50, required=False, allow_blank=True
    )
    release_type = serializers.ChoiceField(choices=ReleaseType.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    changes = serializers.SlugRelatedField(
        slug_field="number", queryset=ChangeRequest.objects.all(), many=True, required=False
    )
    articles = serializers.SlugRelatedField(
        slug_field="number", queryset=Article.objects.all(), many=True, required=False
    )
    planned_build_at = serializers.DateTimeField(required=False, allow_null=True)
    planned_test_at = serializers.DateTimeField(required=False, allow_null=True)
    planned_deploy_at = serializers.DateTimeField(required=False, allow_null=True)
    hypercare_days = serializers.IntegerField(required=False, min_value=0, max_value=90)
    known_issues = serializers.CharField(required=False, allow_blank=True)
    communication = serializers.CharField(required=False, allow_blank=True)


@takes_fields(RELEASE_INPUT_FIELDS)
class ReleaseCreateSerializer(_ReleaseFields):
    pass


@takes_fields("version", RELEASE_INPUT_FIELDS)
class ReleaseUpdateSerializer(_ReleaseFields):
    name = serializers.CharField(max_length=200, required=False)
    version = serializers.IntegerField()


class ReleaseTransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=ReleaseStatus.choices)
    version = serializers.IntegerField()


class ReleaseStepInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    owner = serializers.SlugRelatedField(
        slug_field="email",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ReleaseStepStatusSerializer(serializers.Serializer):
    step = serializers.IntegerField(help_text="The step's order number.")
    status = serializers.ChoiceField(choices=StepStatus.choices)
    notes = serializers.CharField(required=False, allow_blank=True)


class ReleaseStaffingInputSerializer(serializers.Serializer):
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )
    agent = serializers.SlugRelatedField(
        slug_field="email",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ReleaseHypercareSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_priority = serializers.DictField(child=serializers.IntegerField())
    incidents = serializers.ListField(child=serializers.CharField())
