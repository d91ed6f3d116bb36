from django.apps import AppConfig
from django.db.models.signals import post_migrate


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
