from django.contrib import admin

from itsm.portal.models import Deflection


@admin.register(Deflection)
class DeflectionAdmin(admin.ModelAdmin):
    """Read-only: deflections are facts recorded by the portal, not reference data."""

    list_display = ["created_at", "article", "user", "query"]
    list_select_related = ["article", "user"]
    search_fields = ["query", "article__number", "article__title"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
