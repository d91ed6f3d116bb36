from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "itsm.core"
    label = "core"
    verbose_name = "Platform core"
