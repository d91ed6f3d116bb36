from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "releases"
    verbose_name = "Release management"

    def ready(self) -> None:
        from releases.selectors import release_panel_for_ticket
        from tickets.panels import TicketPanel, ticket_panel_register

        ticket_panel_register(
            TicketPanel(
                name="release-hypercare",
                template="releases/_hypercare_panel.html",
                data=release_panel_for_ticket,
                order=30,
            )
        )
