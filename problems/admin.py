from django.contrib import admin

from problems.models import Problem, ProblemCandidate, ProblemDetectionRule, ProblemIncidentLink


class ProblemIncidentLinkInline(admin.TabularInline):
    model = ProblemIncidentLink
    extra = 0
    raw_id_fields = ["incident"]
    readonly_fields = ["linked_by", "linked_at"]


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    """Read-mostly: problems are worked in the desk, where services audit every change."""

    list_display = ["number", "statement", "status", "service", "assignee", "is_known_error"]
    list_filter = ["status", "is_known_error"]
    search_fields = ["number", "statement"]
    readonly_fields = ["number", "version", "status", "is_known_error", "known_error_published_at"]
    raw_id_fields = ["source_major_incident", "knowledge_article"]
    inlines = [ProblemIncidentLinkInline]


@admin.register(ProblemDetectionRule)
class ProblemDetectionRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "group_by", "min_incidents", "window_days", "is_active"]
    list_filter = ["is_active", "group_by"]


@admin.register(ProblemCandidate)
class ProblemCandidateAdmin(admin.ModelAdmin):
    list_display = ["group_label", "status", "detected_at", "decided_by", "problem"]
    list_filter = ["status"]
    readonly_fields = ["incident_ids", "detected_at", "decided_at", "decided_by", "problem"]
