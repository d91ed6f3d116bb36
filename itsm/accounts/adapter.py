"""How allauth fits the product: no public sign-up, the product's client address, and the
places people land."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from itsm.sso.ldap import DIRECTORY_UNREACHABLE, directory_unreachable


class AccountAdapter(DefaultAccountAdapter):
    """Accounts come from administrators, the desk's mail channel and single sign-on."""

    # One answer for a wrong password, an unknown address and a locked-out account.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "That email address and password do not match an account. "
        "Passwords are case-sensitive.",
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def validation_error(self, code: str, *args: Any) -> ValidationError:
        # Local accounts still sign in while the directory is down; for everyone else the
        # form says why rather than blaming the password (itsm/sso/ldap.py).
        if code == "email_password_mismatch" and directory_unreachable(context.request):
            return ValidationError(DIRECTORY_UNREACHABLE, code="directory_unreachable")
        return super().validation_error(code, *args)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # Failed passwords are counted by axes alone, so a lockout reads like any failure
        # (itsm.accounts.lockout); allauth's counter stays for second-factor codes.
        return None

    def get_client_ip(self, request: HttpRequest) -> str:
        # The address axes counts failures against, so the security page and the lockout
        # agree on who tried (settings: ITSM_PROXY_COUNT).
        from itsm.accounts.lockout import client_ip

        return client_ip(request)


class MfaAdapter(DefaultMFAAdapter):
    def get_totp_label(self, user) -> str:
        return user.email

    def get_totp_issuer(self) -> str:
        return settings.MFA_TOTP_ISSUER
