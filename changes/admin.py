from django.contrib import admin

from changes.models import ChangeRequest


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "status", "service", "owner", "created_at"]
    list_filter = ["status"]
    search_fields = ["number", "title"]
    readonly_fields = ["number", "version"]
