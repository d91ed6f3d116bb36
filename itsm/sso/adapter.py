"""allauth's hooks for OpenID Connect sign-ins: new people get an account from the provider's
claims, everyone gets the roles their group claim maps to, and a failed or unreachable
provider sends the person back to the sign-in page with a plain message."""

import logging
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from itsm.accounts.models import User
from itsm.sso.services import sso_sign_in_apply

logger = logging.getLogger(__name__)

PROVIDER_FAILED = (
    "Signing in with {provider} did not work. Try again, or sign in with your email address "
    "and password."
)
PROVIDER_CANCELLED = "Signing in with {provider} was cancelled."
PROVIDER_NO_EMAIL = (
    "{provider} did not tell us your email address, so we cannot find your account. "
    "Ask your administrator to release the email claim to the service desk."
)


def claims_of(sociallogin: SocialLogin) -> dict[str, Any]:
    """The provider's claims: userinfo where fetched (it usually has more), else the ID token."""
    data = sociallogin.account.extra_data or {}
    return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}


def groups_of(claims: dict[str, Any], claim: str) -> list[str]:
    value = claims.get(claim) or []
    if isinstance(value, str):
        return [value]
    return [str(group) for group in value if isinstance(group, str | int)]


def back_to_sign_in(request: HttpRequest, message: str) -> HttpResponseRedirect:
    messages.error(request, message)
    return HttpResponseRedirect(reverse("accounts:login"))


class SsoAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        # Accounts are created on first sign-in through a configured provider (issue #20),
        # whatever the local sign-up policy says.
        return True

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict) -> User:
        user = super().populate_user(request, sociallogin, data)
        user.email = (user.email or "").lower()
        user.display_name = (
            data.get("name")
            or " ".join(part for part in (data.get("first_name"), data.get("last_name")) if part)
            or user.email.split("@")[0]
        )[:150]
        return user

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        # Called for every sign-in after allauth looked the person up. A new person has no
        # account yet: save_user() applies their roles once it exists.
        provider = sociallogin.provider
        if not (sociallogin.user and sociallogin.user.email):
            raise ImmediateHttpResponse(
                back_to_sign_in(request, PROVIDER_NO_EMAIL.format(provider=provider.name))
            )
        if sociallogin.is_existing and sociallogin.user.is_active:
            claims = claims_of(sociallogin)
            self._apply(sociallogin, email=claims.get("email") or "", name=claims.get("name"))

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> User:
        user = super().save_user(request, sociallogin, form)
        self._apply(sociallogin, email="", name=None)
        return user

    def _apply(self, sociallogin: SocialLogin, *, email: str, name: str | None) -> None:
        settings = sociallogin.provider.app.settings
        sso_sign_in_apply(
            user=sociallogin.user,
            provider=sociallogin.provider.name,
            groups=groups_of(claims_of(sociallogin), settings.get("groups_claim", "groups")),
            role_map=settings.get("role_map", {}),
            email=email,
            display_name=name or "",
        )

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        # allauth would show its own error page; ours is the sign-in page with a message.
        logger.warning("SSO sign-in with %s failed: %s %r", provider.name, error, exception)
        template = PROVIDER_CANCELLED if error == "cancelled" else PROVIDER_FAILED
        raise ImmediateHttpResponse(
            back_to_sign_in(request, template.format(provider=provider.name))
        )
