from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _forget_webhook_index(sender, **kwargs) -> None:
    from itsm.notifications.services.outbox import webhook_index_forget

    webhook_index_forget()


class NotificationsConfig(AppConfig):
    name = "itsm.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from itsm.notifications.models import WebhookSubscription

        # Which subscriptions want which event is cached; a change to one drops it.
        post_save.connect(_forget_webhook_index, sender=WebhookSubscription, dispatch_uid="wh")
        post_delete.connect(_forget_webhook_index, sender=WebhookSubscription, dispatch_uid="wh-d")
