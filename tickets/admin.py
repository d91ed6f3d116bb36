from django.contrib import admin

from tickets.models import (
    CatalogCategory,
    CatalogField,
    CatalogItem,
    Category,
    DeskPolicy,
    FulfilmentTaskTemplate,
    PriorityRule,
    SlaClock,
    SlaPolicy,
    Ticket,
    TimeEntry,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "parent", "is_active"]
    list_filter = ["is_active", "parent"]
    search_fields = ["name"]


@admin.register(PriorityRule)
class PriorityRuleAdmin(admin.ModelAdmin):
    list_display = ["impact", "urgency", "priority"]
    list_editable = ["priority"]


@admin.register(DeskPolicy)
class DeskPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reopen_window_days"]

    def has_add_permission(self, request):
        return not DeskPolicy.objects.exists()


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: tickets change through the desk and the API, which audit every change."""

    list_display = [
        "number",
        "short_description",
        "status",
        "priority",
        "assignment_team",
        "assignee",
        "created_at",
    ]
    list_filter = ["kind", "status", "priority", "channel"]
    search_fields = ["number", "short_description"]
    list_select_related = ["assignment_team", "assignee"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


class CatalogFieldInline(admin.TabularInline):
    model = CatalogField
    extra = 1


class TaskTemplateInline(admin.TabularInline):
    model = FulfilmentTaskTemplate
    extra = 1


@admin.register(CatalogItem)
class CatalogItemAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "requires_manager_approval", "approval_team", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CatalogFieldInline, TaskTemplateInline]


admin.site.register(CatalogCategory)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    """Service levels: the first active policy by order that matches a ticket applies."""

    list_display = [
        "name",
        "order",
        "is_active",
        "kind",
        "priority",
        "service",
        "category",
        "first_response_minutes",
        "resolution_minutes",
        "calendar",
    ]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active", "kind", "priority", "calendar"]
    search_fields = ["name"]


@admin.register(SlaClock)
class SlaClockAdmin(admin.ModelAdmin):
    """Read-only: clocks move only through the ticket life cycle and the sweep."""

    list_display = ["ticket", "metric", "state", "policy", "due_at", "next_threshold"]
    list_filter = ["state", "metric", "policy"]
    search_fields = ["ticket__number"]
    list_select_related = ["ticket", "policy"]
    raw_id_fields = ["ticket"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The e-mail channel keeps its admin in its own package.
from tickets.mail import admin as mail_admin  # noqa: E402, F401


@admin.register(TimeEntry)
class TimeEntryAdmin(admin.ModelAdmin):
    """Read-only: time is logged, corrected and removed on the ticket page and in the API,
    which audit each change on the ticket."""

    list_display = ["ticket", "agent", "team", "minutes", "worked_on", "created_at"]
    list_filter = ["team", "worked_on"]
    search_fields = ["ticket__number", "agent__email"]
    list_select_related = ["ticket", "agent", "team"]
    raw_id_fields = ["ticket", "agent", "comment"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
