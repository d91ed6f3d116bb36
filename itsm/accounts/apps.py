from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


class AccountsConfig(AppConfig):
    name = "itsm.accounts"
    label = "accounts"
    verbose_name = "Accounts and teams"

    def ready(self) -> None:
        from itsm.accounts.roles import sync_roles_after_migrate

        # Plumbing, not business: keeps role groups in step with permissions of new models.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="itsm-sync-roles")
        from itsm.accounts import receivers

        receivers.connect()
        _forget_access_when_it_changes()


def _forget_access_when_it_changes() -> None:
    from django.contrib.auth.models import Group, Permission

    from itsm.accounts.access import access_changed, person_saved
    from itsm.accounts.models import User

    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(access_changed, sender=through, dispatch_uid=f"access-{through}")
    for model in (Group, Permission):
        post_save.connect(access_changed, sender=model, dispatch_uid=f"access-s-{model}")
        post_delete.connect(access_changed, sender=model, dispatch_uid=f"access-d-{model}")
    post_save.connect(person_saved, sender=User, dispatch_uid="access-person")
