"""An identity provider that cannot be reached (down, hanging past ITSM_OIDC_TIMEOUT, or
answering garbage) becomes a message on the sign-in page instead of a 500."""

import logging
from collections.abc import Callable

import requests
from allauth.socialaccount.adapter import get_adapter
from django.http import HttpRequest, HttpResponse

from itsm.sso.adapter import back_to_sign_in

logger = logging.getLogger(__name__)

PROVIDER_UNREACHABLE = (
    "{provider} cannot be reached just now, so single sign-on is not available. Try again in "
    "a few minutes, or sign in with your email address and password."
)

# allauth's views that talk to the provider before they can answer (its discovery document
# and the token exchange); a failure there would otherwise be a 500.
_PROVIDER_VIEWS = frozenset({"openid_connect_login", "openid_connect_callback"})


class ProviderUnreachableMiddleware:
    """Turns an identity provider that is down or answers garbage into a message on the
    sign-in page (issue #20: "provider down → a plain message, not a 500")."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or match.url_name not in _PROVIDER_VIEWS:
            return None
        if not isinstance(exception, requests.RequestException | ValueError | KeyError):
            return None
        provider_id = match.kwargs.get("provider_id", "")
        try:
            name = get_adapter().get_provider(request, provider_id).name
        except Exception:  # an unknown id: allauth answers 404 before reaching the provider
            name = "The sign-in provider"
        logger.warning("SSO provider %s unreachable: %r", provider_id, exception)
        return back_to_sign_in(request, PROVIDER_UNREACHABLE.format(provider=name))
