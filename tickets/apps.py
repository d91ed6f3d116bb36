from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Incidents and requests"

    def ready(self) -> None:
        from tickets import signals

        signals.connect()
