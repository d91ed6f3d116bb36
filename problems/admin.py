from django.contrib import admin

from problems.models import Problem


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "status", "service", "owner", "created_at"]
    list_filter = ["status"]
    search_fields = ["number", "title"]
    readonly_fields = ["number", "version"]
