from django.contrib import admin

from itsm.cmdb.models import ConfigurationItem, Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "criticality", "support_team", "owner", "is_active"]
    list_filter = ["kind", "criticality", "is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["owner", "support_team"]


@admin.register(ConfigurationItem)
class ConfigurationItemAdmin(admin.ModelAdmin):
    list_display = ["name", "ci_type", "service", "status", "owner"]
    list_filter = ["ci_type", "status"]
    search_fields = ["name"]
    autocomplete_fields = ["owner", "service"]
    filter_horizontal = ["depends_on"]
