from rest_framework import serializers

from itsm.accounts.models import Team, User
from itsm.cmdb.models import ConfigurationItem, Service


class ServiceSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(
        slug_field="email", queryset=User.objects.all(), required=False, allow_null=True
    )
    support_team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )
    ci_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "kind",
            "description",
            "owner",
            "support_team",
            "criticality",
            "is_active",
            "ci_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class ConfigurationItemSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(
        slug_field="email", queryset=User.objects.all(), required=False, allow_null=True
    )
    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = ConfigurationItem
        fields = [
            "id",
            "name",
            "ci_type",
            "service",
            "status",
            "owner",
            "description",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
