"""Sign-in events from Django, allauth and axes into the person's audit trail.

Plumbing, not business (STYLE §13): the libraries tell us about sign-ins, failures, lockouts,
second factors and password changes only through signals, and each receiver calls one
service. The receivers are connected in AccountsConfig.ready.
"""

from functools import partial
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from itsm.accounts import services
from itsm.accounts.middleware import MFA_OK, current_request, session_stamp
from itsm.accounts.models import User

MFA_TYPE_LABELS = {
    "totp": "an authenticator app",
    "recovery_codes": "recovery codes",
    "webauthn": "a passkey",
}


# allauth's records of how a session signed in (account_authentication_methods).
METHOD_LABELS = {
    "password": "password",
    "totp": "an authenticator app",
    "recovery_codes": "a recovery code",
    "webauthn": "a passkey",
    "socialaccount": "single sign-on",
    "code": "a sign-in code",
}


def _authenticator_label(authenticator: Any) -> str:
    return MFA_TYPE_LABELS.get(authenticator.type, authenticator.type)


def on_user_logged_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    from allauth.mfa.utils import is_mfa_enabled

    session_stamp(request)
    with_mfa = is_mfa_enabled(user)
    request.session[MFA_OK] = with_mfa
    methods = [
        METHOD_LABELS.get(record.get("type") or record.get("method"), "")
        for record in request.session.get("account_authentication_methods", [])
    ]
    how = " and ".join(method for method in dict.fromkeys(methods) if method)
    services.signin_event_record(
        user=user,
        action="signed_in",
        request=request,
        actor=user,
        message=f"Signed in with {how}." if how else "",
    )


def on_user_logged_out(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is None or not user.pk:
        return
    services.signin_event_record(
        user=user,
        action="signed_out",
        request=request,
        actor=user,
        message=getattr(request, "_itsm_signout_reason", ""),
    )


def on_user_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    from itsm.accounts.lockout import signin_username

    if request is None:
        return
    email = signin_username(request, credentials)
    user = User.objects.filter(email__iexact=email).first() if email else None
    if user is None:
        # No account to show it to; axes keeps the attempt (admin: Access failures).
        return
    if getattr(request, "axes_locked_out", False):
        services.signin_event_record(
            user=user,
            action="signin_locked_out",
            request=request,
            message="Sign-in refused: too many failed attempts locked the account or address.",
        )
    else:
        services.signin_event_record(user=user, action="signin_failed", request=request)


def on_authenticator_added(
    sender: Any, request: HttpRequest, user: User, authenticator: Any, **kwargs: Any
) -> None:
    request.session[MFA_OK] = True
    services.signin_event_record(
        user=user,
        action="mfa_added",
        request=request,
        actor=user,
        message=f"Added {_authenticator_label(authenticator)}.",
    )


def on_authenticator_removed(
    sender: Any, request: HttpRequest, user: User, authenticator: Any, **kwargs: Any
) -> None:
    request.session.pop(MFA_OK, None)
    services.signin_event_record(
        user=user,
        action="mfa_removed",
        request=request,
        actor=user,
        message=f"Removed {_authenticator_label(authenticator)}.",
    )


def on_authenticator_reset(
    sender: Any, request: HttpRequest, user: User, authenticator: Any, **kwargs: Any
) -> None:
    services.signin_event_record(
        user=user,
        action="mfa_recovery_codes_regenerated",
        request=request,
        actor=user,
    )


def on_mfa_authentication_failed(
    sender: Any, request: HttpRequest, user: User, authenticator: Any = None, **kwargs: Any
) -> None:
    services.signin_event_record(
        user=user,
        action="mfa_failed",
        request=request,
        message="A wrong second-factor code was entered.",
    )


def on_password_changed(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """A password change keeps this session and ends every other one."""
    services.signin_event_record(user=user, action="password_changed", request=request, actor=user)
    keep = request.session.session_key
    transaction.on_commit(lambda: services.user_sessions_end(user=user, keep_session_key=keep))


def on_password_reset(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """A password reset (by e-mailed link) ends every session the person had."""
    services.signin_event_record(user=user, action="password_reset", request=request)
    transaction.on_commit(lambda: services.user_sessions_end(user=user))


def on_roles_changed(
    sender: Any,
    *,
    instance: Any,
    action: str,
    pk_set: set[int] | None,
    reverse: bool,
    **kwargs: Any,
) -> None:
    """A role added to or removed from a person ends their other sessions (privileges are
    only ever gained or lost by signing in again); the person making the request, if it is
    them, keeps theirs with a new session key."""
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if reverse:  # group.user_set.add(...): instance is the group
        user_ids = (
            set(pk_set or ())
            if action != "pre_clear"
            else set(instance.user_set.values_list("pk", flat=True))
        )
    else:
        user_ids = {instance.pk}
    if not user_ids:
        return
    request = current_request.get()
    keep = None
    user_now = getattr(request, "user", None)
    if request is not None and user_now is not None and user_now.is_authenticated:
        keep = _rotate(request) if user_now.pk in user_ids else None
    for user in User.objects.filter(pk__in=user_ids):
        transaction.on_commit(partial(services.user_sessions_end, user=user, keep_session_key=keep))


def _rotate(request: HttpRequest) -> str | None:
    """A new session key for the request's session (its "your sessions" row follows)."""
    from allauth.usersessions.models import UserSession

    old = request.session.session_key
    request.session.cycle_key()
    new = request.session.session_key
    if old and new:
        UserSession.objects.filter(session_key=old).update(session_key=new)
    return new


def connect() -> None:
    from allauth.account import signals as account_signals
    from allauth.mfa import signals as mfa_signals
    from django.contrib.auth import signals as auth_signals
    from django.db.models.signals import m2m_changed

    auth_signals.user_logged_in.connect(on_user_logged_in, dispatch_uid="itsm-signed-in")
    auth_signals.user_logged_out.connect(on_user_logged_out, dispatch_uid="itsm-signed-out")
    auth_signals.user_login_failed.connect(on_user_login_failed, dispatch_uid="itsm-failed")
    mfa_signals.authenticator_added.connect(on_authenticator_added, dispatch_uid="itsm-mfa+")
    mfa_signals.authenticator_removed.connect(on_authenticator_removed, dispatch_uid="itsm-mfa-")
    mfa_signals.authenticator_reset.connect(on_authenticator_reset, dispatch_uid="itsm-mfa~")
    mfa_signals.authentication_failed.connect(
        on_mfa_authentication_failed, dispatch_uid="itsm-mfa!"
    )
    account_signals.password_changed.connect(on_password_changed, dispatch_uid="itsm-pw")
    account_signals.password_reset.connect(on_password_reset, dispatch_uid="itsm-pw-reset")
    m2m_changed.connect(
        on_roles_changed, sender=User.groups.through, dispatch_uid="itsm-roles-changed"
    )
    m2m_changed.connect(
        on_roles_changed, sender=User.user_permissions.through, dispatch_uid="itsm-perms-changed"
    )
