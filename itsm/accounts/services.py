"""Writes to people and teams."""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction

from itsm.accounts.models import Team, User


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
