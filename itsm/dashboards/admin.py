from django.contrib import admin

from itsm.dashboards.models import DashboardTarget, WeeklySummarySent


@admin.register(DashboardTarget)
class DashboardTargetAdmin(admin.ModelAdmin):
    """Reference data: the target lines the dashboards draw (defaults apply without a row)."""

    list_display = ["key", "value"]


@admin.register(WeeklySummarySent)
class WeeklySummarySentAdmin(admin.ModelAdmin):
    """Read-only record of the weekly summaries sent."""

    list_display = ["week_start", "sent_at", "recipients"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
