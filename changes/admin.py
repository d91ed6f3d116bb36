from django.contrib import admin

from changes.models import (
    BlackoutWindow,
    CabMember,
    ChangePolicy,
    ChangeRequest,
    ChangeTemplate,
)


@admin.register(ChangePolicy)
class ChangePolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "notice_lead_minutes", "quorum_rule", "emergency_quorum_count"]


@admin.register(CabMember)
class CabMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "is_emergency"]
    filter_horizontal = ["services"]


@admin.register(ChangeTemplate)
class ChangeTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "risk_level", "is_active"]
    list_filter = ["is_active"]
    filter_horizontal = ["services"]


@admin.register(BlackoutWindow)
class BlackoutWindowAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_at", "ends_at"]
    filter_horizontal = ["services"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    """Read-only: changes are written through the desk and the API (services)."""

    list_display = ["number", "title", "change_type", "status", "planned_start", "created_at"]
    list_filter = ["status", "change_type"]
    search_fields = ["number", "title"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
