"""Roles of DESIGN §5 as Django groups, and the permissions each one holds.

Permissions are written as `app_label.codename` patterns (fnmatch). `sync_roles()` is
idempotent: the data migration runs it once and post_migrate runs it again so that permissions
of models added by later migrations reach the groups without another data migration.
"""

from fnmatch import fnmatchcase

from django.apps import apps as global_apps
from django.db.models import TextChoices

from itsm.accounts.access import user_access


class Role(TextChoices):
    REQUESTER = "Requester"
    AGENT = "Agent"
    SERVICE_DESK_MANAGER = "Service desk manager"
    CHANGE_MANAGER = "Change manager"
    CAB_MEMBER = "CAB member"
    PROBLEM_MANAGER = "Problem manager"
    RELEASE_MANAGER = "Release manager"
    KNOWLEDGE_EDITOR = "Knowledge editor"
    ADMINISTRATOR = "Administrator"


# Everyone who works tickets can read every process record (the desk never works in isolation).
# Reading is all the read-only roles (CAB member, knowledge editor) may do with tickets, apart
# from raising and following their own and deciding the approvals asked of them: every member
# of staff is also an employee (and may be someone's line manager).
_DESK_READ = [
    "tickets.raise_ticket",
    "tickets.decide_approval",
    "cmdb.view_*",
    "tickets.view_*",
    "problems.view_*",
    "changes.view_*",
    "releases.view_*",
    "knowledge.view_*",
    "accounts.view_team",
    "accounts.view_user",
    "audit.view_auditevent",
]
_AGENT = [
    *_DESK_READ,
    "tickets.add_*",
    "tickets.change_*",
    "tickets.work_ticket",
    "knowledge.add_article",
    "knowledge.change_article",
    "problems.add_problem",
    "changes.add_changerequest",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.REQUESTER: ["tickets.raise_ticket", "tickets.decide_approval", "knowledge.view_article"],
    Role.AGENT: _AGENT,
    Role.SERVICE_DESK_MANAGER: [
        *_AGENT,
        "tickets.*",
        "dashboards.*",
        "accounts.change_team",
        "cmdb.*",
    ],
    Role.CHANGE_MANAGER: [*_AGENT, "changes.*", "dashboards.view_*", "problems.change_problem"],
    Role.CAB_MEMBER: [*_DESK_READ, "changes.approve_changerequest"],
    Role.PROBLEM_MANAGER: [*_AGENT, "problems.*"],
    Role.RELEASE_MANAGER: [*_AGENT, "releases.*"],
    Role.KNOWLEDGE_EDITOR: [*_DESK_READ, "knowledge.*"],
    Role.ADMINISTRATOR: ["*"],
}

STAFF_ROLES = frozenset(ROLE_PERMISSIONS) - {Role.REQUESTER}


def permissions_for(role: str, available: list[tuple[str, str, int]]) -> list[int]:
    """Ids of the permissions (app_label, codename, id) a role's patterns match."""
    patterns = ROLE_PERMISSIONS[role]
    return [
        perm_id
        for app_label, codename, perm_id in available
        if any(fnmatchcase(f"{app_label}.{codename}", pattern) for pattern in patterns)
    ]


def sync_roles(apps=global_apps) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    available = list(Permission.objects.values_list("content_type__app_label", "codename", "id"))
    for role in ROLE_PERMISSIONS:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(permissions_for(role, available))


def sync_roles_after_migrate(sender, apps=global_apps, **_kwargs) -> None:
    # post_migrate fires once per app that has models, and permissions of an app are created
    # in its own round: sync after the last such app's round, when every permission exists.
    with_models = [config for config in global_apps.get_app_configs() if config.models_module]
    if sender.label == with_models[-1].label:
        sync_roles(apps)


def user_is_staff_member(user) -> bool:
    """True for anyone who works in the desk (any role but requester, or a superuser).

    Templates and views ask many times per request: the roles are read once
    (itsm.accounts.access).
    """
    if not user.is_authenticated:
        return False
    return user.is_superuser or not user_access(user).roles.isdisjoint(STAFF_ROLES)


def user_has_role(user, role: str) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or role in user_access(user).roles
