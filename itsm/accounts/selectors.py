"""Reads of people and teams for the API's look-ups (the admin manages both)."""

from django.db.models import QuerySet

from itsm.accounts.models import Team, User


def user_list_for_api() -> QuerySet[User]:
    """/api/v1/users/: every user with their manager (requester look-up, assignment)."""
    return User.objects.select_related("manager")


def team_list_for_api() -> QuerySet[Team]:
    """/api/v1/teams/: every team with its lead and members."""
    return Team.objects.select_related("lead").prefetch_related("members")
