from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "itsm.idempotency"
    label = "idempotency"
    verbose_name = "API idempotency keys"
