from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = "Change management"

    def ready(self) -> None:
        from changes.impact import downstream_panel_for_ticket, upstream_panel_for_ticket
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
        ticket_panel_register(
            TicketPanel(
                name="cmdb-upstream",
                template="changes/_impact_upstream.html",
                data=upstream_panel_for_ticket,
                order=25,
            )
        )
        ticket_panel_register(
            TicketPanel(
                name="cmdb-downstream",
                template="changes/_impact_downstream.html",
                data=downstream_panel_for_ticket,
                order=26,
            )
        )
