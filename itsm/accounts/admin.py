from functools import partial

from allauth.account.decorators import secure_admin_login
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from itsm.accounts import services
from itsm.accounts.models import Team, User

# The admin's own password-only sign-in would skip the second factor and the lockout's one
# answer: it sends people to the product's sign-in instead (allauth).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["display_name"]
    list_display = ["email", "display_name", "organisation_unit", "is_vip", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups"]
    search_fields = ["email", "display_name"]
    autocomplete_fields = ["manager"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            "Profile",
            {
                "fields": [
                    "display_name",
                    "phone",
                    "manager",
                    "organisation_unit",
                    "is_vip",
                    "timezone",
                    "language",
                ]
            },
        ),
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
    # Privileges change only by signing in again: the person's other sessions end when these
    # change (roles too: itsm.accounts.receivers.on_roles_changed).
    SESSION_ENDING_FIELDS = frozenset({"is_active", "is_staff", "is_superuser", "password"})
    actions = ["reset_second_factors", "clear_signin_lockout"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and self.SESSION_ENDING_FIELDS & set(form.changed_data):
            keep = request.session.session_key if obj.pk == request.user.pk else None
            transaction.on_commit(
                partial(services.user_sessions_end, user=obj, keep_session_key=keep)
            )

    def user_change_password(self, request, id, form_url=""):
        # A password an administrator sets ends every session the person had, as a reset
        # does (the administrator's own stays, if it is their own password), and is audited.
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            person = User.objects.get(pk=id)
            keep = request.session.session_key if person.pk == request.user.pk else None
            services.signin_event_record(
                user=person, action="password_reset", request=request, actor=request.user
            )
            transaction.on_commit(
                partial(services.user_sessions_end, user=person, keep_session_key=keep)
            )
        return response

    @admin.action(
        description="Reset two-factor authentication (they enrol again)",
        permissions=["change"],
    )
    def reset_second_factors(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.user_mfa_reset(user=user, actor=request.user, request=request)  # type: ignore[arg-type]
        self.message_user(
            request,
            f"Two-factor authentication reset for {len(queryset)} person(s); "
            "their sessions were ended.",
            messages.SUCCESS,
        )

    @admin.action(description="Clear sign-in lockout", permissions=["change"])
    def clear_signin_lockout(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.user_lockout_clear(user=user, actor=request.user, request=request)  # type: ignore[arg-type]
        self.message_user(
            request, f"Sign-in lockout cleared for {len(queryset)} person(s).", messages.SUCCESS
        )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "lead"]
    search_fields = ["name"]
    autocomplete_fields = ["lead"]
    filter_horizontal = ["members"]
