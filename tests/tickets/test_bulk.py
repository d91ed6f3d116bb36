"""Bulk actions on the queue selection (tickets.services.tickets_bulk_apply) and the desk's
bulk bar (tickets.views.bulk.ticket_bulk)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import strip_tags

from itsm.audit.models import AuditEvent
from itsm.core.exceptions import PermissionRefused
from tests.factories.tickets import make_ticket
from tickets import services
from tickets.choices import ResolutionCode, TicketStatus
from tickets.exceptions import InvalidTicketInput
from tickets.models import Comment, Ticket

pytestmark = pytest.mark.django_db


def _sel(*tickets):
    return [services.BulkTarget(t.number, t.version) for t in tickets]


def _apply(actor, action, tickets, **params):
    return services.tickets_bulk_apply(
        actor=actor, action=action, selection=_sel(*tickets), params=services.BulkParams(**params)
    )


def _by_number(lines):
    return {line.number: line for line in lines}


# --- Assign ---


def test_bulk_assign_moves_every_ticket_and_says_so(agent, requester, service_desk_team):
    tickets = [make_ticket(requester=requester) for _ in range(3)]
    lines = _apply(agent, "assign", tickets, team=service_desk_team, assignee=agent)
    assert [line.done for line in lines] == [True, True, True]
    assert lines[0].message == "assigned to Service Desk / Alice Agent."
    for t in tickets:
        t.refresh_from_db()
        assert (t.assignment_team, t.assignee, t.status) == (
            service_desk_team,
            agent,
            TicketStatus.IN_PROGRESS,  # an agent taking a New ticket starts work on it
        )
        assert lines[tickets.index(t)].version == t.version


def test_bulk_assign_refuses_an_agent_outside_the_team_before_touching_anything(
    agent, agent_other_team, requester, service_desk_team
):
    ticket = make_ticket(requester=requester)
    with pytest.raises(InvalidTicketInput, match="is not a member of Service Desk") as exc:
        _apply(agent, "assign", [ticket], team=service_desk_team, assignee=agent_other_team)
    assert exc.value.field == "assignee"
    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version


def test_bulk_assign_of_only_an_agent_keeps_each_tickets_team(
    agent, agent_other_team, requester, service_desk_team, other_team
):
    in_desk = make_ticket(requester=requester, assignment_team=service_desk_team)
    in_network = make_ticket(requester=requester, assignment_team=other_team)
    lines = _by_number(_apply(agent, "assign", [in_desk, in_network], assignee=agent))
    assert lines[in_desk.number].done
    assert not lines[in_network.number].done
    assert lines[in_network.number].message == "Alice Agent is not a member of Network."


def test_a_ticket_changed_since_the_queue_was_drawn_is_refused_and_the_others_go_through(
    agent, agent_other_team, requester, service_desk_team
):
    first, changed, third = (make_ticket(requester=requester) for _ in range(3))
    selection = _sel(first, changed, third)  # the versions the queue showed
    services.ticket_update(
        ticket=changed, actor=agent_other_team, expected_version=changed.version, urgency=1
    )
    lines = services.tickets_bulk_apply(
        actor=agent,
        action="assign",
        selection=selection,
        params=services.BulkParams(team=service_desk_team),
    )
    by = _by_number(lines)
    assert by[first.number].done and by[third.number].done
    refused = by[changed.number]
    assert not refused.done
    assert refused.code == "stale_version"
    assert refused.message == (
        "changed by Nick Network since you loaded the queue; reload it and try again."
    )
    assert str(refused).startswith(f"{changed.number}: refused — changed by Nick Network")
    assert Ticket.objects.get(pk=changed.pk).assignment_team is None


def test_a_selection_without_versions_is_refused_ticket_by_ticket(
    agent, requester, service_desk_team
):
    ticket = make_ticket(requester=requester)
    lines = services.tickets_bulk_apply(
        actor=agent,
        action="assign",
        selection=[services.BulkTarget(ticket.number, None)],
        params=services.BulkParams(team=service_desk_team),
    )
    assert (lines[0].done, lines[0].code) == (False, "version_required")


def test_an_unknown_number_is_refused_like_a_missing_one(agent, service_desk_team):
    lines = services.tickets_bulk_apply(
        actor=agent,
        action="assign",
        selection=[services.BulkTarget("INC9999999", 1)],
        params=services.BulkParams(team=service_desk_team),
    )
    assert str(lines[0]) == "INC9999999: refused — there is no such ticket."


def test_a_requester_cannot_act_in_bulk_even_on_their_own_tickets(requester, service_desk_team):
    ticket = make_ticket(requester=requester)
    with pytest.raises(PermissionRefused, match="Only the service desk"):
        _apply(requester, "assign", [ticket], team=service_desk_team)


def test_bulk_query_count_grows_by_a_fixed_amount_per_ticket(agent, requester):
    tickets = [make_ticket(requester=requester) for _ in range(7)]
    _apply(agent, "note", tickets[:1], body="Warm-up")  # the actor's permissions, cached
    counts = {}
    for size, chunk in ((2, tickets[1:3]), (4, tickets[3:7])):
        with CaptureQueriesContext(connection) as queries:
            _apply(agent, "note", chunk, body="Checked the gateway logs.")
        counts[size] = len(queries)
    per_ticket = (counts[4] - counts[2]) // 2
    # The selection is read once (one query, plus the savepoints around each ticket); what
    # grows is each ticket's own service call, by the same amount for every ticket.
    assert counts[2] - 2 * per_ticket <= 2
    assert per_ticket <= 16


# --- Status ---


def test_bulk_resolve_asks_for_code_and_notes_once(agent, requester):
    ticket = make_ticket(requester=requester)
    with pytest.raises(InvalidTicketInput) as exc:
        _apply(agent, "status", [ticket], to_status="resolved", resolution_code="solved")
    assert exc.value.field == "resolution_notes"
    with pytest.raises(InvalidTicketInput) as exc:
        _apply(agent, "status", [ticket], to_status="resolved", resolution_notes="Restarted.")
    assert exc.value.field == "resolution_code"


def test_bulk_resolve_resolves_the_open_ones_and_refuses_a_cancelled_one(agent, requester):
    first, second = make_ticket(requester=requester), make_ticket(requester=requester)
    cancelled = make_ticket(requester=requester)
    cancelled = services.ticket_transition(
        ticket=cancelled,
        to_status="cancelled",
        actor=agent,
        expected_version=cancelled.version,
        reason="Raised twice",
    )
    lines = _by_number(
        _apply(
            agent,
            "status",
            [first, second, cancelled],
            to_status="resolved",
            resolution_code=ResolutionCode.SOLVED,
            resolution_notes="The VPN gateway was restarted.",
        )
    )
    assert lines[first.number].message == "now resolved."
    assert lines[second.number].done
    assert not lines[cancelled.number].done
    assert lines[cancelled.number].code == "transition_not_allowed"
    first.refresh_from_db()
    assert (first.status, first.resolution_notes) == (
        TicketStatus.RESOLVED,
        "The VPN gateway was restarted.",
    )
    assert AuditEvent.objects.filter(record_id=first.pk, action="status_changed").exists()


# --- Priority ---


def test_bulk_priority_from_impact_and_urgency_recomputes_it(agent, requester):
    ticket = make_ticket(requester=requester, impact=3, urgency=3)
    lines = _apply(agent, "priority", [ticket], impact=1, urgency=1)
    assert lines[0].message == "impact 1 × urgency 1 → P1."
    assert Ticket.objects.get(pk=ticket.pk).priority == 1


def test_bulk_priority_override_needs_a_reason_and_keeps_it(agent, requester):
    first, second = make_ticket(requester=requester), make_ticket(requester=requester)
    with pytest.raises(InvalidTicketInput, match="Say why"):
        _apply(agent, "priority", [first], priority=1)
    lines = _apply(agent, "priority", [first, second], priority=2, reason="Board meeting")
    assert all(line.done for line in lines)
    first.refresh_from_db()
    assert (first.priority, first.priority_override_reason) == (2, "Board meeting")
    # Impact/urgency later: the override and its reason stay, and the line says so.
    line = _apply(agent, "priority", [first], impact=3, urgency=3)[0]
    assert line.message == ("impact 3 × urgency 3; priority stays P2 (overridden: Board meeting).")


def test_bulk_priority_without_impact_urgency_or_priority_is_refused(agent, requester):
    ticket = make_ticket(requester=requester)
    with pytest.raises(InvalidTicketInput, match="Choose impact and urgency"):
        _apply(agent, "priority", [ticket], impact=1)
    with pytest.raises(InvalidTicketInput, match="not both"):
        _apply(agent, "priority", [ticket], impact=1, urgency=1, priority=2, reason="VIP")


# --- Reply and work note ---


def test_bulk_reply_and_work_note(agent, requester):
    tickets = [make_ticket(requester=requester) for _ in range(2)]
    lines = _apply(agent, "reply", tickets, body="We are on it.")
    assert [line.message for line in lines] == ["reply sent to the requester."] * 2
    lines = _apply(
        agent, "note", [Ticket.objects.get(pk=t.pk) for t in tickets], body="Gateway down."
    )
    assert all(line.done for line in lines)
    assert Comment.objects.filter(is_public=True, body="We are on it.").count() == 2
    assert Comment.objects.filter(is_public=False, body="Gateway down.").count() == 2
    with pytest.raises(InvalidTicketInput, match="Write the message"):
        _apply(agent, "reply", tickets, body="  ")


# --- Merge ---


def test_bulk_merge_makes_the_others_duplicates_of_the_target(agent, requester, other_requester):
    target = make_ticket(requester=requester, short_description="VPN down")
    second = make_ticket(requester=other_requester, short_description="VPN down for me too")
    third = make_ticket(requester=requester, short_description="No VPN")
    lines = _apply(agent, "merge", [second, target, third], target=target.number.lower())
    assert str(lines[0]) == f"{target.number}: done — kept open; 2 tickets merged into it."
    assert [line.message for line in lines[1:]] == [f"duplicate of {target.number}, resolved."] * 2
    for t in (second, third):
        t.refresh_from_db()
        assert (t.duplicate_of, t.status, t.resolution_code) == (
            target,
            TicketStatus.RESOLVED,
            ResolutionCode.DUPLICATE,
        )
    target.refresh_from_db()
    assert target.status == TicketStatus.NEW
    assert other_requester in target.watchers.all()  # they now follow the ticket that stays


def test_bulk_merge_into_a_closed_ticket_or_an_unknown_one_is_refused(agent, requester):
    target, other = make_ticket(requester=requester), make_ticket(requester=requester)
    services.ticket_transition(
        ticket=target, to_status="cancelled", actor=agent, expected_version=None, reason="x"
    )
    with pytest.raises(InvalidTicketInput, match="merge into an open ticket"):
        _apply(agent, "merge", [other], target=target.number)
    with pytest.raises(InvalidTicketInput, match="There is no ticket INC9999999"):
        _apply(agent, "merge", [other], target="INC9999999")


def test_bulk_merge_refuses_a_stale_ticket(agent, agent_other_team, requester):
    target, stale = make_ticket(requester=requester), make_ticket(requester=requester)
    selection = _sel(target, stale)
    services.comment_add(ticket=stale, author=agent_other_team, body="Looking", is_public=False)
    lines = services.tickets_bulk_apply(
        actor=agent,
        action="merge",
        selection=selection,
        params=services.BulkParams(target=target.number),
    )
    assert str(lines[0]).endswith("kept open; 0 tickets merged into it.")
    assert lines[1].code == "stale_version"
    assert Ticket.objects.get(pk=stale.pk).duplicate_of is None


# --- The desk's bulk bar ---


def test_the_queue_draws_each_rows_version_for_the_bulk_bar(client_as, agent, requester):
    ticket = make_ticket(requester=requester)
    html = client_as(agent).get("/desk/tickets/", {"queue": "open"}).content.decode()
    assert f'name="version_{ticket.number}" value="{ticket.version}"' in html
    assert 'aria-label="Bulk action on selected tickets"' in html
    assert "format=csv" in html and "format=xlsx" in html


def test_the_bulk_bar_shows_one_line_per_ticket_after_the_action(
    client_as, agent, agent_other_team, requester
):
    done, stale = make_ticket(requester=requester), make_ticket(requester=requester)
    form = {
        "numbers": [done.number, stale.number],
        f"version_{done.number}": done.version,
        f"version_{stale.number}": stale.version,
        "action": "note",
        "body": "Checked the logs",
        "next": "/desk/tickets/?queue=open",
    }
    services.comment_add(ticket=stale, author=agent_other_team, body="Mine", is_public=False)
    response = client_as(agent).post("/desk/tickets/bulk/", form)
    assert response.status_code == 302
    assert response["Location"] == "/desk/tickets/?queue=open"
    text = strip_tags(client_as(agent).get(response["Location"]).content.decode())
    assert "Add a work note: 1 done, 1 refused." in text
    assert f"{done.number}: done — work note added." in text
    assert f"{stale.number}: refused — changed by Nick Network since you loaded the queue" in text


def test_the_bulk_bar_names_the_control_when_the_action_lacks_input(client_as, agent, requester):
    ticket = make_ticket(requester=requester)
    response = client_as(agent).post(
        "/desk/tickets/bulk/",
        {
            "numbers": [ticket.number],
            f"version_{ticket.number}": ticket.version,
            "action": "status",
            "to_status": "resolved",
            "resolution_code": "solved",
            "next": "https://evil.example/",
        },
        follow=True,
    )
    # Never off-site: back to the queue, which opens the agent's last view (My work).
    assert [url for url, _ in response.redirect_chain] == [
        "/desk/tickets/",
        "/desk/tickets/?queue=mine",
    ]
    text = strip_tags(response.content.decode())
    assert "Resolution notes: Write the resolution notes the requesters will read." in text
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.NEW


def test_the_bulk_bar_without_a_selection_says_so(client_as, agent):
    response = client_as(agent).post(
        "/desk/tickets/bulk/", {"action": "assign", "team": ""}, follow=True
    )
    assert "Select at least one ticket" in response.content.decode()


def test_the_bulk_bar_sent_by_htmx_shows_a_refusal_in_the_bar_and_results_after_redirect(
    client_as, agent, requester
):
    ticket = make_ticket(requester=requester)
    client = client_as(agent)
    form = {
        "numbers": [ticket.number],
        f"version_{ticket.number}": ticket.version,
        "action": "reply",
        "body": "",
        "next": "/desk/tickets/?queue=open",
    }
    response = client.post("/desk/tickets/bulk/", form, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#bulk-refusal"
    assert "Message: Write the message to add to each ticket." in response.content.decode()
    response = client.post("/desk/tickets/bulk/", {**form, "body": "On it"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/desk/tickets/?queue=open"
    text = strip_tags(client.get(response["HX-Redirect"]).content.decode())
    assert f"{ticket.number}: done — reply sent to the requester." in text
