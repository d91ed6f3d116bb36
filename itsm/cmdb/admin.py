from django.contrib import admin

from itsm.cmdb.models import CiRelation, ConfigurationItem, Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "criticality", "support_team", "owner", "is_active"]
    list_filter = ["kind", "criticality", "is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["owner", "support_team"]


class CiRelationInline(admin.TabularInline):
    """The CI's relations, read "this CI <kind> target"."""

    model = CiRelation
    fk_name = "source"
    fields = ["kind", "target"]
    autocomplete_fields = ["target"]
    extra = 0
    verbose_name = "relation (this CI … target)"


@admin.register(CiRelation)
class CiRelationAdmin(admin.ModelAdmin):
    list_display = ["source", "kind", "target", "created_at"]
    list_filter = ["kind"]
    search_fields = ["source__name", "target__name"]
    autocomplete_fields = ["source", "target"]


@admin.register(ConfigurationItem)
class ConfigurationItemAdmin(admin.ModelAdmin):
    list_display = ["name", "ci_type", "service", "status", "owner"]
    list_filter = ["ci_type", "status"]
    search_fields = ["name"]
    autocomplete_fields = ["owner", "service"]
    inlines = [CiRelationInline]
