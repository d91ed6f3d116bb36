from rest_framework import serializers

from itsm.accounts.models import Team, User


class UserSerializer(serializers.ModelSerializer):
    manager = serializers.SlugRelatedField(allow_null=True, slug_field="email", read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "display_name",
            "phone",
            "manager",
            "timezone",
            "language",
            "is_active",
        ]


class TeamSerializer(serializers.ModelSerializer):
    lead = serializers.SlugRelatedField(allow_null=True, slug_field="email", read_only=True)
    members = serializers.SlugRelatedField(slug_field="email", many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "email", "lead", "members", "description"]
