from django.contrib import admin

from releases.models import Release


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    """Read-only: releases are written through the desk and the API (services)."""

    list_display = ["number", "name", "version_label", "release_type", "status", "created_at"]
    list_filter = ["status", "release_type"]
    search_fields = ["number", "name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
