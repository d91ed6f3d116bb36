"""A person's roles and permissions are kept in the cache between requests, and every change
to them is seen by the next request (itsm/accounts/access.py)."""

import pytest
from django.contrib.auth.models import Group, Permission
from redis.exceptions import ConnectionError as RedisConnectionError

from itsm.accounts.access import user_access
from itsm.accounts.models import User
from itsm.accounts.roles import Role, user_has_role, user_is_staff_member


def fresh(user: User) -> User:
    """The person as the next request loads them: nothing kept on the object."""
    return User.objects.get(pk=user.pk)


@pytest.mark.django_db
def test_a_second_request_reads_access_from_the_cache(agent, django_assert_num_queries):
    user_access(fresh(agent))
    again = fresh(agent)
    with django_assert_num_queries(0):
        assert user_is_staff_member(again)
        assert again.has_perm("tickets.work_ticket")
        assert not again.has_perm("changes.approve_changerequest")


@pytest.mark.django_db
def test_a_role_taken_away_is_gone_on_the_next_request(agent):
    assert user_is_staff_member(fresh(agent))
    agent.groups.remove(Group.objects.get(name=Role.AGENT))
    agent.groups.add(Group.objects.get(name=Role.REQUESTER))
    after = fresh(agent)
    assert not user_is_staff_member(after)
    assert not after.has_perm("tickets.work_ticket")
    assert user_has_role(after, Role.REQUESTER)


@pytest.mark.django_db
def test_a_role_given_from_the_group_side_is_seen(requester):
    assert not user_is_staff_member(fresh(requester))
    Group.objects.get(name=Role.AGENT).user_set.add(requester)
    assert user_is_staff_member(fresh(requester))


@pytest.mark.django_db
def test_a_permission_taken_from_a_role_reaches_everyone_who_has_it(agent, agent_other_team):
    assert fresh(agent).has_perm("tickets.work_ticket")
    assert fresh(agent_other_team).has_perm("tickets.work_ticket")
    change = Permission.objects.get(content_type__app_label="tickets", codename="work_ticket")
    Group.objects.get(name=Role.AGENT).permissions.remove(change)
    assert not fresh(agent).has_perm("tickets.work_ticket")
    assert not fresh(agent_other_team).has_perm("tickets.work_ticket")


@pytest.mark.django_db
def test_a_person_made_superuser_or_deactivated_is_seen(requester):
    assert not fresh(requester).has_perm("changes.approve_changerequest")
    requester.is_superuser = True
    requester.save()
    assert fresh(requester).has_perm("changes.approve_changerequest")
    requester.is_active = False
    requester.save()
    assert not fresh(requester).has_perm("changes.approve_changerequest")


@pytest.mark.django_db
def test_access_is_read_from_the_database_when_the_cache_is_down(agent, monkeypatch):
    from django.core.cache.backends.redis import RedisCache

    import itsm.core.cache

    def down(*args, **kwargs):
        raise RedisConnectionError("Redis is down")

    for method in ("get_many", "set", "add"):
        monkeypatch.setattr(RedisCache, method, down)
    monkeypatch.setattr(itsm.core.cache, "_skip_until", 0.0)  # the rest it takes ends here
    assert user_is_staff_member(fresh(agent))
    assert fresh(agent).has_perm("tickets.work_ticket")
    agent.groups.clear()  # the new generation cannot be stored: no error either
    assert not user_is_staff_member(fresh(agent))
