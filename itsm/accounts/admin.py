from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from itsm.accounts.models import Team, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["display_name"]
    list_display = ["email", "display_name", "manager", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups"]
    search_fields = ["email", "display_name"]
    autocomplete_fields = ["manager"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "phone", "manager", "timezone", "language"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]},
        ),
    ]
    filter_horizontal = ["groups"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "lead"]
    search_fields = ["name"]
    autocomplete_fields = ["lead"]
    filter_horizontal = ["members"]
