from typing import cast

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from allauth.usersessions.views import ListUserSessionsView
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from itsm.accounts import services
from itsm.accounts.middleware import mfa_required_for
from itsm.accounts.models import User
from itsm.accounts.roles import user_is_staff_member
from itsm.accounts.selectors import security_event_list_for_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where people land after signing in: staff in the desk, everyone else in the portal."""
    if user_is_staff_member(request.user):
        return redirect("desk-home")
    return redirect("portal:home")


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """The person's security page (desk layout for staff, portal for requesters): password,
    second factors, sessions, and their recent sign-in activity from the audit trail."""
    user = cast(User, request.user)  # login_required
    factors = {a.type for a in Authenticator.objects.filter(user=user).only("type")}
    return render(
        request,
        "accounts/security.html",
        {
            "has_totp": Authenticator.Type.TOTP in factors,
            "has_passkey": Authenticator.Type.WEBAUTHN in factors,
            "has_recovery_codes": Authenticator.Type.RECOVERY_CODES in factors,
            "mfa_required": mfa_required_for(user),
            "session_count": UserSession.objects.filter(user=user).count(),
            "events": security_event_list_for_user(user=user),
        },
    )


class SessionListView(ListUserSessionsView):
    """allauth's "your sessions" list; signing the others out is audited."""

    template_name = "accounts/sessions.html"

    def form_valid(self, form):
        others = UserSession.objects.filter(user=self.request.user).exclude(
            session_key=self.request.session.session_key or ""
        )
        count = others.count()
        response = super().form_valid(form)
        services.signin_event_record(
            user=self.request.user,
            action="sessions_ended",
            request=self.request,
            actor=self.request.user,
            message=f"Signed out {count} other session(s).",
        )
        return response


sessions = login_required(SessionListView.as_view())
