"""Per-request rules of the signed-in person: their timezone, how long their session lives,
and the second factor staff must have."""

import contextvars
import time
import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

# Session keys this module keeps: when the session signed in, when it last made a request.
AUTH_AT = "_itsm_auth_at"
SEEN_AT = "_itsm_seen_at"
# True once the session's person has a second factor (checked once, not on every request).
MFA_OK = "_itsm_mfa_ok"
# How stale "last seen" may get before it is written again: one write a minute at most, so
# a busy page does not write its session on every request.
SEEN_RESOLUTION_SECONDS = 60

# The request being served, for the session rules that react to a change made during it
# (a role removed from the person making the request keeps their session, rotated).
current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "itsm_current_request", default=None
)


class UserTimezoneMiddleware:
    """Shows dates in the signed-in person's own timezone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.timezone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


def session_stamp(request: HttpRequest) -> None:
    """Start the lifetime clocks of a session that just signed in."""
    now = time.time()
    request.session[AUTH_AT] = now
    request.session[SEEN_AT] = now


class SessionLifetimeMiddleware:
    """Ends a signed-in session at its absolute lifetime (SESSION_COOKIE_AGE from sign-in,
    however busy) and after ITSM_SESSION_IDLE_SECONDS without a request (OWASP ASVS 3.3).

    The person is signed out and sent to sign in again, back to the page they asked for.
    "Last seen" is written at most once a minute (also onto allauth's "your sessions" row).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            ended = self._expired(request)
            if ended:
                request._itsm_signout_reason = ended  # type: ignore[attr-defined]
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": ended}, status=401)
                messages.info(request, ended)
                return redirect_to_login(request.get_full_path())
            return self.get_response(request)
        finally:
            current_request.reset(token)

    def _expired(self, request: HttpRequest) -> str:
        session = request.session
        if SESSION_KEY not in session:
            return ""
        now = time.time()
        auth_at = session.get(AUTH_AT)
        seen_at = session.get(SEEN_AT)
        if auth_at is None or seen_at is None:
            # A session from before these rules: its clocks start now.
            session_stamp(request)
            return ""
        if now - auth_at > settings.SESSION_COOKIE_AGE:
            return "Your session reached its maximum length. Please sign in again."
        if now - seen_at > settings.ITSM_SESSION_IDLE_SECONDS:
            return "You were signed out after a period without activity. Please sign in again."
        if now - seen_at > SEEN_RESOLUTION_SECONDS:
            session[SEEN_AT] = now
            from allauth.usersessions.models import UserSession

            UserSession.objects.filter(session_key=session.session_key).update(
                last_seen_at=timezone.now()
            )
        return ""


def mfa_required_for(user) -> bool:
    """Whether ITSM_MFA_REQUIRED_FOR asks this person for a second factor."""
    from itsm.accounts.roles import user_is_staff_member

    required = settings.ITSM_MFA_REQUIRED_FOR
    if required == "everyone":
        return True
    if required == "staff":
        return user_is_staff_member(user)
    return False


# Pages a person without a required second factor may still open: signing in and out, the
# MFA enrolment itself and the security page (all under /accounts/), and static files.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/favicon.ico")


class MfaRequiredMiddleware:
    """Sends a person whom ITSM_MFA_REQUIRED_FOR covers (staff by default in production) to
    set up a second factor before they reach anything else; the API answers 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.ITSM_MFA_REQUIRED_FOR != "none"
            and SESSION_KEY in request.session
            and not request.session.get(MFA_OK)
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and request.user.is_authenticated
            and mfa_required_for(request.user)
        ):
            from allauth.mfa.utils import is_mfa_enabled

            if is_mfa_enabled(request.user):
                request.session[MFA_OK] = True
            else:
                message = (
                    "Your account needs two-factor authentication before you can continue. "
                    "Set up an authenticator app or a passkey below."
                )
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=403)
                if request.headers.get("HX-Request"):
                    return self._refuse_htmx(request)
                messages.warning(request, message)
                return redirect("mfa_index")
        return self.get_response(request)

    @staticmethod
    def _refuse_htmx(request: HttpRequest) -> HttpResponse:
        """An htmx request (the bell, a partial) must not get the enrolment page swapped into
        a corner of the page: nothing to swap when the page shown is already exempt (the
        enrolment page's own bell), otherwise a whole-page visit to the enrolment."""
        shown = urlsplit(request.headers.get("HX-Current-URL", "")).path
        response = HttpResponse(status=204)
        if not shown.startswith(MFA_EXEMPT_PREFIXES):
            response["HX-Redirect"] = reverse("mfa_index")
        return response
