from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Incidents and requests"

    def ready(self) -> None:
        from knowledge.panels import ArticleFact, article_fact_register
        from tickets import signals
        from tickets.selectors import article_linked_ticket_count

        signals.connect()
        article_fact_register(
            ArticleFact(
                name="linked-tickets", label="Linked tickets", value=article_linked_ticket_count
            )
        )
