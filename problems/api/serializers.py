"""Output serializer for problems and one small input serializer per action."""

from rest_framework import serializers

from itsm.accounts.models import User
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.fieldlists import takes_fields
from problems.choices import ProblemStatus, RcaMethod
from problems.fields import PROBLEM_EDITABLE_FIELDS
from problems.models import Problem
from tickets.choices import Priority
from tickets.models import Category


class ProblemSerializer(serializers.ModelSerializer):
    service = serializers.SlugRelatedField(allow_null=True, slug_field="name", read_only=True)
    ci = serializers.SlugRelatedField(allow_null=True, slug_field="name", read_only=True)
    category = serializers.StringRelatedField(allow_null=True)
    assignee = serializers.SlugRelatedField(allow_null=True, slug_field="email", read_only=True)
    incident_count = serializers.IntegerField(read_only=True)
    # Annotated by problems.selectors.problem_list: the number without the article row.
    knowledge_article = serializers.CharField(
        source="knowledge_article_number", allow_null=True, read_only=True
    )

    class Meta:
        model = Problem
        fields = [
            "number",
            "statement",
            "description",
            "status",
            "priority",
            "service",
            "ci",
            "category",
            "assignee",
            "symptoms",
            "root_cause",
            "rca_method",
            "rca_analysis",
            "workaround",
            "is_known_error",
            "known_error_published_at",
            "knowledge_article",
            "resolution_notes",
            "resolved_at",
            "closed_at",
            "incident_count",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


@takes_fields("version", PROBLEM_EDITABLE_FIELDS)
class ProblemWriteSerializer(serializers.Serializer):
    """Create (POST) and edit (PATCH, with `version`)."""

    statement = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    service = serializers.SlugRelatedField(
        slug_field="name", queryset=Service.objects.all(), required=False, allow_null=True
    )
    ci = serializers.SlugRelatedField(
        slug_field="name",
        queryset=ConfigurationItem.objects.all(),
        required=False,
        allow_null=True,
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    assignee = serializers.SlugRelatedField(
        slug_field="email", queryset=User.objects.all(), required=False, allow_null=True
    )
    symptoms = serializers.CharField(required=False, allow_blank=True)
    root_cause = serializers.CharField(required=False, allow_blank=True)
    rca_method = serializers.ChoiceField(
        choices=RcaMethod.choices, required=False, allow_blank=True
    )
    rca_analysis = serializers.JSONField(required=False)
    version = serializers.IntegerField(required=False)

    def validate_rca_analysis(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError('A JSON object, e.g. {"whys": ["…"]}.')
        return value


class ProblemTransitionInputSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=ProblemStatus.choices)
    version = serializers.IntegerField(required=False, allow_null=True, default=None)
    root_cause = serializers.CharField(required=False, allow_blank=True)
    resolution_notes = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True)


class LinkIncidentsInputSerializer(serializers.Serializer):
    incidents = serializers.ListField(
        child=serializers.RegexField(r"^INC\d{7}$"), min_length=1, max_length=500
    )


class LinkIncidentsOutputSerializer(serializers.Serializer):
    linked = serializers.ListField(child=serializers.CharField())
    problem = ProblemSerializer()


class PublishKnownErrorInputSerializer(serializers.Serializer):
    workaround = serializers.CharField(max_length=10000)
    create_article = serializers.BooleanField(default=False)
    version = serializers.IntegerField(required=False, allow_null=True, default=None)
