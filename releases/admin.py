from django.contrib import admin

from releases.models import Release


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "status", "service", "owner", "created_at"]
    list_filter = ["status"]
    search_fields = ["number", "title"]
    readonly_fields = ["number", "version"]
