from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "itsm.sso"
    label = "sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        from itsm.sso import checks, ldap  # noqa: F401  (registers the check and the error hook)
