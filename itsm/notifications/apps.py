from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "itsm.notifications"
    label = "notifications"
    verbose_name = "Notifications"
