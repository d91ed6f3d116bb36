from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Incidents and requests"

    def ready(self) -> None:
        from anymail.signals import inbound

        from itsm.notifications.services import reply_to_register
        from knowledge.panels import ArticleFact, article_fact_register
        from tickets import signals
        from tickets.mail.selectors import mailbox_reply_to
        from tickets.mail.webhooks import inbound_mail_received
        from tickets.major.selectors import major_panel_for_ticket
        from tickets.panels import TicketPanel, ticket_panel_register
        from tickets.selectors import article_linked_ticket_count
        from tickets.selectors.requester import requester_history_for_ticket

        signals.connect()
        # An ongoing major incident on the ticket's service/CI, or the one it is a child of.
        ticket_panel_register(
            TicketPanel(
                name="major-incident",
                template="tickets/major/_ticket_panel.html",
                data=major_panel_for_ticket,
                order=5,
            )
        )
        ticket_panel_register(
            TicketPanel(
                name="requester-history",
                template="tickets/desk/_requester_history.html",
                data=requester_history_for_ticket,
                order=90,
            )
        )
        article_fact_register(
            ArticleFact(
                name="linked-tickets", label="Linked tickets", value=article_linked_ticket_count
            )
        )
        # E-mails about tickets answer to the desk's mailbox, so replies are threaded.
        reply_to_register(mailbox_reply_to)
        # Mail POSTed by a provider goes through the same processing as mail read by IMAP.
        inbound.connect(inbound_mail_received, dispatch_uid="tickets.mail.inbound")
