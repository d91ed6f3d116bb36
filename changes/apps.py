from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = "Change management"

    def ready(self) -> None:
        from changes.selectors import change_panel_for_ticket
        from tickets.panels import TicketPanel, ticket_panel_register

        ticket_panel_register(
            TicketPanel(
                name="changes-near",
                template="changes/_changes_near_ticket.html",
                data=change_panel_for_ticket,
                order=20,
            )
        )
