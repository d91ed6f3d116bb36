"""The ticket page's related records: children, duplicates and the requester's other open
tickets, read together (tickets.selectors.related_for)."""

import pytest

from tests.factories.accounts import UserFactory
from tests.factories.tickets import make_ticket
from tickets import selectors
from tickets.services import ticket_link_parent, ticket_mark_duplicate, ticket_transition

pytestmark = pytest.mark.django_db


def _numbers(tickets) -> list[str]:
    return [t.number for t in tickets]


def test_children_duplicates_and_the_requesters_open_tickets_each_in_their_list(
    agent, requester, django_assert_num_queries
):
    parent = make_ticket(requester=requester, actor=agent)
    first_child = make_ticket(requester=UserFactory(), actor=agent)
    second_child = make_ticket(requester=requester, actor=agent)  # also the requester's
    for child in (first_child, second_child):
        ticket_link_parent(ticket=child, parent=parent, actor=agent)
    duplicate = make_ticket(requester=UserFactory(), actor=agent)
    ticket_mark_duplicate(ticket=duplicate, duplicate_of=parent, actor=agent)
    closed = make_ticket(requester=requester, actor=agent)
    ticket_transition(
        ticket=closed, to_status="cancelled", actor=agent, expected_version=1, reason="Raised twice"
    )
    others = [make_ticket(requester=requester, actor=agent) for _ in range(5)]

    with django_assert_num_queries(2):  # the tickets in one read, the linked articles
        related = selectors.related_for(ticket=parent, user=agent)

    assert _numbers(related["children"]) == [second_child.number, first_child.number]
    assert _numbers(related["duplicates"]) == [duplicate.number]
    # The newest five of the requester's open tickets, not this one, not the cancelled one.
    assert _numbers(related["requester_open"]) == _numbers(reversed(others))
    assert related["articles"] == []
