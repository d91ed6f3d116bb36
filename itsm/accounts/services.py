"""Writes to people and teams."""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest

from itsm.accounts.models import Team, User
from itsm.audit.services import audit_record


@transaction.atomic
def user_ensure(
    *,
    email: str,
    display_name: str,
    password: str,
    roles: Iterable[str] = (),
    manager: User | None = None,
    phone: str = "",
    timezone: str = "UTC",
    is_superuser: bool = False,
) -> User:
    """Create the user if the email is new; (re)apply roles either way. Used by demo seeding."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=password,
            display_name=display_name,
            manager=manager,
            phone=phone,
            timezone=timezone,
            is_superuser=is_superuser,
            is_staff=is_superuser,
        )
    user.groups.add(*Group.objects.filter(name__in=list(roles)))
    return user


@transaction.atomic
def team_ensure(
    *,
    name: str,
    email: str = "",
    lead: User | None = None,
    members: Iterable[User] = (),
    description: str = "",
) -> Team:
    """Create the team if the name is new and make sure the given people are members."""
    team, _ = Team.objects.get_or_create(
        name=name, defaults={"email": email, "lead": lead, "description": description}
    )
    team.members.add(*members)
    if lead is not None:
        team.members.add(lead)
    return team


@transaction.atomic
def requester_ensure(*, email: str, display_name: str) -> User:
    """The requester account of someone who wrote to the desk: created with no usable
    password (they set one through the password reset) and the Requester role."""
    from itsm.accounts.roles import Role

    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user
    user = User.objects.create_user(email=email, password=None, display_name=display_name[:150])
    user.groups.add(*Group.objects.filter(name=Role.REQUESTER))
    return user


# --- Sign-in security (allauth, axes) ---------------------------------------------------------


def _where(request: HttpRequest | None) -> str:
    """ "From 10.0.0.7 · Firefox on Linux…": where a sign-in event came from, for the person's
    own security page (the address axes counts, the browser as it says itself)."""
    if request is None:
        return ""
    from itsm.accounts.lockout import client_ip

    agent = request.META.get("HTTP_USER_AGENT", "")[:200]
    return f"From {client_ip(request)}" + (f" · {agent}" if agent else "")


def signin_event_record(
    *,
    user: User,
    action: str,
    request: HttpRequest | None = None,
    actor: User | None = None,
    message: str = "",
) -> None:
    """Append a sign-in, failure, lockout, MFA or session event to the person's audit trail,
    which their security page lists (itsm.accounts.selectors.security_event_list_for_user).

    `actor` is who did it (the person, an administrator) or None for an unknown someone (a
    wrong password)."""
    where = _where(request)
    audit_record(
        record=user,
        actor=actor,
        action=action,
        message="\n".join(part for part in (message, where) if part),
    )


def user_sessions_end(*, user: User, keep_session_key: str | None = None) -> int:
    """Sign the person out of every session (but `keep_session_key`, the one making the
    request): after a password change or reset, a role added or removed, an MFA reset.
    Returns how many sessions ended."""
    from allauth.usersessions.models import UserSession

    ended = 0
    for session in UserSession.objects.filter(user=user).exclude(
        session_key=keep_session_key or ""
    ):
        session.end()
        ended += 1
    return ended


@transaction.atomic
def user_mfa_reset(*, user: User, actor: User, request: HttpRequest | None = None) -> int:
    """An administrator removes every second factor of a person who lost theirs (TOTP app,
    recovery codes, passkeys); where MFA is required they enrol again at their next sign-in.
    Their sessions end. Audited on the person's trail. Returns how many factors went."""
    from allauth.mfa.models import Authenticator

    removed: int = Authenticator.objects.filter(user=user).delete()[0]
    signin_event_record(
        user=user,
        action="mfa_reset",
        request=request,
        actor=actor,
        message=f"{removed} second factor(s) removed by an administrator.",
    )
    transaction.on_commit(lambda: user_sessions_end(user=user))
    return removed


@transaction.atomic
def user_lockout_clear(*, user: User, actor: User, request: HttpRequest | None = None) -> int:
    """An administrator lifts a sign-in lockout of the person's account before its cool-off
    ends (axes' failure counts for their e-mail address). Audited. Returns the attempts
    cleared."""
    from axes.utils import reset

    cleared: int = reset(username=user.email.lower())
    signin_event_record(
        user=user,
        action="lockout_cleared",
        request=request,
        actor=actor,
        message=f"Sign-in lockout cleared by an administrator ({cleared} record(s)).",
    )
    return cleared
