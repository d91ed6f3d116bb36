"""Django's Content-Security-Policy middleware, with the single sign-on providers' origins
allowed as form targets.

Signing in with OpenID Connect posts the sign-in page's provider button to us, and we answer
with a redirect to the provider. Chromium checks `form-action` on the redirects that follow a
form submission too, so with `form-action 'self'` alone the browser stops at our redirect.
The origins of the configured providers (allauth's openid_connect apps, each `server_url`,
read at response time so a changed configuration applies at once) join `form-action`;
nothing else of the policy changes. ITSM_CSP_FORM_ACTION adds origins by hand (a provider
whose authorisation endpoint lives on another host than its issuer).
"""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.middleware.csp import ContentSecurityPolicyMiddleware as DjangoCspMiddleware
from django.utils.csp import CSP


def sso_origins() -> list[str]:
    """scheme://host[:port] of every configured OpenID Connect provider, in order."""
    providers = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}) or {}
    apps = (providers.get("openid_connect") or {}).get("APPS") or []
    origins: list[str] = []
    for app in apps:
        server_url = (app.get("settings") or {}).get("server_url") or app.get("server_url") or ""
        parts = urlsplit(str(server_url))
        origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
        if origin and origin not in origins:
            origins.append(origin)
    return origins


def policy_with_sso(config: dict[str, Any]) -> dict[str, Any]:
    origins = sso_origins()
    if not config or not origins:
        return config
    form_action = list(config.get("form-action", [CSP.SELF]))
    return {**config, "form-action": form_action + [o for o in origins if o not in form_action]}


class ContentSecurityPolicyMiddleware(DjangoCspMiddleware):
    def process_response(self, request, response):
        # A view's own override (`csp_override`) stays as the view set it.
        if not hasattr(response, "_csp_config"):
            response._csp_config = policy_with_sso(settings.SECURE_CSP)
        return super().process_response(request, response)
