"""The brute-force lockout (django-axes) as the product answers it.

Whether the account exists, whether the password was wrong and whether the account or the
address is locked out, a sign-in that does not succeed gets the same page, the same message
and the same status, after the same work (one run of the password hasher): nobody learns
from the answer, or from its timing, which e-mail addresses have accounts or are locked.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest, HttpResponse


def client_ip(request: HttpRequest) -> str:
    """The address of the client: the connection's, or, behind ITSM_PROXY_COUNT reverse
    proxies, the X-Forwarded-For entry the outermost of them added (entries left of it are
    whatever the client sent, so they never count)."""
    proxies = settings.ITSM_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "0.0.0.0"


def signin_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The account a sign-in names, as axes counts it: the e-mail address in lower case
    (allauth passes it as `email`; the form field is `login`), so ALICE@ and alice@ share one
    count."""
    credentials = credentials or {}
    value = (
        credentials.get("email")
        or credentials.get("username")
        or request.POST.get("login")
        or request.POST.get("username")
        or ""
    )
    return str(value).strip().lower()


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """Answer a locked-out sign-in exactly as a wrong password is answered.

    The sign-in view already rendered its form with the "do not match" error (axes made
    authentication fail); that page is the answer. The password hasher runs once here because
    axes refused before any backend checked a password, and a faster answer would tell an
    attacker the account is locked.
    """
    make_password((credentials or {}).get("password") or "")
    if original_response is not None:
        return original_response
    from django.shortcuts import redirect

    return redirect(settings.LOGIN_URL)
