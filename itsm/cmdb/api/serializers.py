from rest_framework import serializers

from itsm.accounts.models import Team, User
from itsm.cmdb.choices import RelationKind
from itsm.cmdb.models import CiRelation, ConfigurationItem, Service


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
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "created_at", "updated_at"]


class ConfigurationItemWriteSerializer(ConfigurationItemSerializer):
    """What a PATCH sends: the fields to change and the `version` the client read."""

    version = serializers.IntegerField(required=False, min_value=1)

    class Meta(ConfigurationItemSerializer.Meta):
        read_only_fields = ["id", "created_at", "updated_at"]


class CiRelationSerializer(serializers.ModelSerializer):
    """ "source <kind> target", e.g. crm-app depends on DB-CLUSTER-2."""

    source = serializers.PrimaryKeyRelatedField(queryset=ConfigurationItem.objects.all())
    target = serializers.PrimaryKeyRelatedField(queryset=ConfigurationItem.objects.all())
    kind = serializers.ChoiceField(choices=RelationKind.choices)
    source_name = serializers.CharField(source="source.name", read_only=True)
    target_name = serializers.CharField(source="target.name", read_only=True)

    class Meta:
        model = CiRelation
        fields = ["id", "source", "source_name", "kind", "target", "target_name", "created_at"]
        read_only_fields = ["id", "created_at"]
        # The service says what is wrong with a duplicate, next to `target`.
        validators: list = []


class ReachedCiSerializer(serializers.Serializer):
    ci_id = serializers.IntegerField()
    name = serializers.CharField()
    ci_type = serializers.CharField()
    status = serializers.CharField()
    depth = serializers.IntegerField()
    service_id = serializers.IntegerField(allow_null=True)
    service_name = serializers.CharField(allow_null=True)


class ReachedServiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CiGraphSerializer(serializers.Serializer):
    """A walk from a CI: the CIs reached (nearest first) and their services."""

    direction = serializers.CharField()
    max_depth = serializers.IntegerField()
    cis = ReachedCiSerializer(many=True)
    services = ReachedServiceSerializer(many=True)
