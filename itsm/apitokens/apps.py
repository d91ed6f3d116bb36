from django.apps import AppConfig


class ApiTokensConfig(AppConfig):
    name = "itsm.apitokens"
    label = "apitokens"
    verbose_name = "API tokens"

    def ready(self) -> None:
        # drf-spectacular learns the Bearer scheme from the extension when it is imported.
        from itsm.apitokens import schema  # noqa: F401
