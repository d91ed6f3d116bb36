"""The ticket page's requester history: organisation unit and VIP, other open and recently
closed tickets with their satisfaction answers, "see all", in two queries at any size."""

import pytest

from tests.factories.tickets import make_ticket
from tickets.models import SatisfactionSurvey, Ticket
from tickets.selectors.requester import HISTORY_LIMIT, requester_history_for_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def vip(requester):
    requester.organisation_unit = "Finance — Payroll"
    requester.is_vip = True
    requester.save()
    return requester


def _closed(requester, agent, text, rating=None, comment=""):
    ticket = make_ticket(requester=requester, actor=agent, short_description=text)
    Ticket.objects.filter(pk=ticket.pk).update(status="closed", resolution_code="solved")
    if rating is not None:
        SatisfactionSurvey.objects.create(
            ticket=ticket, respondent=requester, rating=rating, comment=comment
        )
    return ticket


def test_history_shows_unit_vip_open_and_closed_with_survey_answers(
    vip, agent, django_assert_num_queries
):
    current = make_ticket(requester=vip, actor=agent, short_description="Printer jams")
    other_open = make_ticket(requester=vip, actor=agent, short_description="VPN drops")
    closed = _closed(vip, agent, "Laptop slow", rating=2, comment="Took a week")
    with django_assert_num_queries(2):
        panel = requester_history_for_ticket(ticket=current, user=agent)
    assert panel["requester"].is_vip and panel["requester"].organisation_unit == "Finance — Payroll"
    assert [row["number"] for row in panel["open"]] == [other_open.number]
    assert [row["number"] for row in panel["closed"]] == [closed.number]
    assert panel["closed"][0]["survey__rating"] == 2
    assert panel["closed"][0]["survey__comment"] == "Took a week"
    assert panel["see_all_url"] == f"/desk/tickets/?requester={vip.email.replace('@', '%40')}"


def test_history_is_bounded_and_its_query_count_does_not_grow(
    vip, agent, django_assert_num_queries
):
    current = make_ticket(requester=vip, actor=agent)
    for n in range(HISTORY_LIMIT + 3):
        make_ticket(requester=vip, actor=agent, short_description=f"open {n}")
        _closed(vip, agent, f"closed {n}", rating=5)
    with django_assert_num_queries(2):
        panel = requester_history_for_ticket(ticket=current, user=agent)
    assert len(panel["open"]) == HISTORY_LIMIT and len(panel["closed"]) == HISTORY_LIMIT
    # Newest first.
    assert panel["open"][0]["short_description"] == f"open {HISTORY_LIMIT + 2}"


def test_requesters_get_no_history_panel(vip, agent):
    ticket = make_ticket(requester=vip, actor=agent)
    assert requester_history_for_ticket(ticket=ticket, user=vip) is None


def test_the_panels_endpoint_draws_the_history_and_see_all_filters_the_queue(
    client_as, vip, agent, other_requester
):
    current = make_ticket(requester=vip, actor=agent, short_description="Printer jams")
    mine = make_ticket(requester=vip, actor=agent, short_description="VPN drops")
    theirs = make_ticket(requester=other_requester, actor=agent, short_description="Not hers")
    client = client_as(agent)
    html = client.get(f"/desk/tickets/{current.number}/panels/").content.decode()
    assert 'id="requester-history"' in html and 'id="requester-vip"' in html
    assert "Finance — Payroll" in html and mine.number in html
    queue = client.get(f"/desk/tickets/?requester={vip.email}").content.decode()
    assert mine.number in queue and theirs.number not in queue
