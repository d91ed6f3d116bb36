"""The ticket page's panels from other apps come from one registry, computed by the view."""

import pytest

from tests.factories.tickets import make_ticket
from tickets import panels


def test_problems_and_changes_register_their_ticket_panels_in_order():
    names = [p.name for p in sorted(panels._PANELS.values(), key=lambda p: p.order)]
    # An ongoing major incident comes first: it is what the agent must tell the caller.
    assert names[:3] == ["major-incident", "problems", "changes-near"]


@pytest.fixture
def probe_panel():
    calls = []

    def data(*, ticket, user):
        calls.append((ticket.number, user.email))
        return {"word": "probe-panel-text"} if ticket.short_description == "show me" else None

    panels.ticket_panel_register(
        panels.TicketPanel(name="probe", template="tests/_probe_panel.html", data=data, order=99)
    )
    yield calls
    panels._PANELS.pop("probe")


def test_a_panel_whose_data_is_none_is_not_shown(probe_panel, agent):
    shown = make_ticket(requester=agent, short_description="show me")
    hidden = make_ticket(requester=agent, short_description="keep quiet")
    assert "probe" in [p.name for p in panels.ticket_panels_for(ticket=shown, user=agent)]
    assert "probe" not in [p.name for p in panels.ticket_panels_for(ticket=hidden, user=agent)]
    assert probe_panel == [(shown.number, agent.email), (hidden.number, agent.email)]


def test_requesters_get_no_change_panel(requester, agent):
    ticket = make_ticket(requester=requester)
    assert "changes-near" not in [
        p.name for p in panels.ticket_panels_for(ticket=ticket, user=requester)
    ]
    assert "changes-near" in [p.name for p in panels.ticket_panels_for(ticket=ticket, user=agent)]
