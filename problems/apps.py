from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "problems"
    verbose_name = "Problem management"

    def ready(self) -> None:
        from problems.selectors import problem_panel_for_ticket
        from tickets.panels import TicketPanel, ticket_panel_register

        ticket_panel_register(
            TicketPanel(
                name="problems",
                template="problems/_known_errors.html",
                data=problem_panel_for_ticket,
                order=10,
            )
        )
