from django.contrib import admin, messages

from itsm.apitokens.models import PersonalAccessToken
from itsm.apitokens.services import token_revoke


@admin.register(PersonalAccessToken)
class PersonalAccessTokenAdmin(admin.ModelAdmin):
    """Everyone's tokens, for administrators: see them and revoke them (audited). Tokens are
    made by their owners only; the secret is nowhere to be seen."""

    list_display = [
        "name",
        "owner",
        "prefix",
        "scope",
        "expires_at",
        "last_used_at",
        "last_used_from",
        "revoked_at",
    ]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "owner__email", "owner__display_name"]
    list_select_related = ["owner"]
    readonly_fields = [
        "owner",
        "name",
        "prefix",
        "scope",
        "resources",
        "expires_at",
        "created_at",
        "last_used_at",
        "last_used_from",
        "revoked_at",
        "revoked_by",
    ]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked tokens stay, as a record of who held which key when

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request, queryset) -> None:
        revoked = 0
        for token in queryset.filter(revoked_at=None):
            token_revoke(token=token, actor=request.user)
            revoked += 1
        self.message_user(request, f"{revoked} token(s) revoked.", messages.SUCCESS)
