from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "itsm.portal"
    label = "portal"
    verbose_name = "Self-service portal"
