from django.contrib import admin

from itsm.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "record_label", "action", "actor"]
    list_filter = ["action", "record_type"]
    search_fields = ["record_label", "message"]
    date_hierarchy = "occurred_at"

    # Append-only: the admin can read the trail, never edit or delete it.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
