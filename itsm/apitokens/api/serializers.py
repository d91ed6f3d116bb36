from rest_framework import serializers

from itsm.accounts.models import User
from itsm.apitokens.choices import TokenResource, TokenScope, TokenState
from itsm.apitokens.models import PersonalAccessToken


class TokenSerializer(serializers.ModelSerializer):
    owner: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="email", read_only=True
    )
    resources = serializers.ListField(child=serializers.ChoiceField(TokenResource.choices))
    state = serializers.ChoiceField(
        TokenState.choices,
        read_only=True,
        help_text="Whether the token still opens the API.",
    )

    class Meta:
        model = PersonalAccessToken
        fields = [
            "id",
            "name",
            "prefix",
            "owner",
            "scope",
            "resources",
            "expires_at",
            "state",
            "created_at",
            "last_used_at",
            "last_used_from",
            "revoked_at",
        ]
        read_only_fields = fields


class TokenCreatedSerializer(TokenSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The token itself. Shown in this answer only: it is not stored, only its hash.",
    )

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scope = serializers.ChoiceField(TokenScope.choices, default=TokenScope.READ)
    resources = serializers.MultipleChoiceField(choices=TokenResource.choices, allow_empty=False)
    expires_at = serializers.DateTimeField(
        help_text="Required; at most ITSM_API_TOKEN_MAX_DAYS (365 by default) from now."
    )
