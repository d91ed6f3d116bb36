import pytest
from django.contrib.auth.models import Group

from itsm.accounts.roles import ROLE_PERMISSIONS, Role, sync_roles, user_is_staff_member


def perms_of(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


@pytest.mark.django_db
def test_every_role_of_the_design_exists_as_a_group():
    assert set(Group.objects.values_list("name", flat=True)) >= {str(r) for r in Role}
    assert len(ROLE_PERMISSIONS) == 9


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "has", "lacks"),
    [
        (
            Role.REQUESTER,
            {"knowledge.view_article"},
            {"tickets.view_incident", "cmdb.view_service", "changes.approve_changerequest"},
        ),
        (
            Role.AGENT,
            {"cmdb.view_service", "knowledge.add_article", "changes.view_changerequest"},
            {"changes.approve_changerequest", "cmdb.change_service"},
        ),
        (
            Role.SERVICE_DESK_MANAGER,
            {"cmdb.change_service", "accounts.change_team"},
            {"changes.approve_changerequest"},
        ),
        (
            Role.CAB_MEMBER,
            {"changes.approve_changerequest", "changes.view_changerequest"},
            {"changes.change_changerequest"},
        ),
        (
            Role.CHANGE_MANAGER,
            {"changes.change_changerequest", "changes.approve_changerequest"},
            {"releases.change_release"},
        ),
        (Role.PROBLEM_MANAGER, {"problems.change_problem"}, {"changes.approve_changerequest"}),
        (Role.RELEASE_MANAGER, {"releases.change_release"}, {"changes.approve_changerequest"}),
        (
            Role.KNOWLEDGE_EDITOR,
            {"knowledge.change_article", "knowledge.delete_article"},
            {"problems.change_problem"},
        ),
        (
            Role.ADMINISTRATOR,
            {"cmdb.delete_service", "changes.approve_changerequest", "auth.change_group"},
            set(),
        ),
    ],
)
def test_role_permissions(role, has, lacks):
    perms = perms_of(role)
    assert has <= perms
    assert not (lacks & perms)


@pytest.mark.django_db
def test_syncing_roles_again_changes_nothing():
    before = {role: perms_of(role) for role in ROLE_PERMISSIONS}
    sync_roles()
    assert {role: perms_of(role) for role in ROLE_PERMISSIONS} == before


@pytest.mark.django_db
def test_only_non_requester_roles_are_desk_staff(requester, agent, cab_member):
    assert not user_is_staff_member(requester)
    assert user_is_staff_member(agent)
    assert user_is_staff_member(cab_member)
