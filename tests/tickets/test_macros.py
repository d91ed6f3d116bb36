"""Macros: kept by team leads and managers, applied through the ticket page's own services,
all or nothing per ticket."""

import pytest

from itsm.audit.models import AuditEvent
from itsm.core.exceptions import PermissionRefused, StaleVersion
from tests.factories.knowledge import ArticleFactory
from tests.factories.tickets import make_ticket
from tickets import services
from tickets.choices import BulkAction, ResolutionCode, TicketStatus
from tickets.exceptions import InvalidTicketInput
from tickets.models import Comment, Macro, Ticket, TicketArticleLink

pytestmark = pytest.mark.django_db


def _macro(actor, **values) -> Macro:
    values.setdefault("name", "VPN reset")
    return services.macro_create(actor=actor, **values)


def test_a_manager_creates_a_global_macro_and_it_is_audited(manager):
    macro = _macro(manager, note_body="Reset the VPN token.", impact=2, urgency=2)
    assert macro.team is None
    assert AuditEvent.objects.filter(action="created", record_id=macro.pk).exists()


def test_an_agent_cannot_create_a_global_macro(agent):
    with pytest.raises(PermissionRefused, match="global macros"):
        _macro(agent, note_body="x")


def test_a_team_lead_manages_their_teams_macros_only(agent, agent_other_team, other_team):
    other_team.lead = agent_other_team
    other_team.save()
    macro = _macro(agent_other_team, team=other_team, note_body="Check the switch.")
    with pytest.raises(PermissionRefused):
        services.macro_update(macro=macro, actor=agent, expected_version=1, name="Mine now")
    updated = services.macro_update(
        macro=macro, actor=agent_other_team, expected_version=1, name="Switch check"
    )
    assert updated.version == 2
    with pytest.raises(StaleVersion):
        services.macro_update(macro=macro, actor=agent_other_team, expected_version=1, name="Again")


def test_a_macro_must_do_something_and_resolving_needs_notes(manager):
    with pytest.raises(InvalidTicketInput, match="at least one step"):
        _macro(manager)
    with pytest.raises(InvalidTicketInput, match="resolution notes"):
        _macro(manager, to_status=TicketStatus.RESOLVED, resolution_code=ResolutionCode.SOLVED)
    with pytest.raises(InvalidTicketInput, match="together"):
        _macro(manager, impact=1)


def test_applying_runs_every_step_through_the_services(manager, agent, requester):
    article = ArticleFactory()
    macro = _macro(
        manager,
        impact=1,
        urgency=2,
        assignment_team=agent.teams.first(),
        assignee=agent,
        reply_body="We reset your VPN token; try again.",
        note_body="Token reset in the admin console.",
        article=article,
        to_status=TicketStatus.RESOLVED,
        resolution_code=ResolutionCode.SOLVED,
    )
    ticket = make_ticket(requester=requester)
    done = services.macro_apply(
        macro=macro, ticket=ticket, actor=agent, expected_version=ticket.version
    )
    ticket.refresh_from_db()
    assert "applied" in done
    assert (ticket.impact, ticket.urgency, ticket.assignee) == (1, 2, agent)
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.resolution_notes == "We reset your VPN token; try again."
    assert Comment.objects.filter(ticket=ticket, is_public=True).count() == 1
    assert Comment.objects.filter(ticket=ticket, is_public=False).count() == 1
    assert TicketArticleLink.objects.filter(ticket=ticket, article=article).exists()
    actions = set(AuditEvent.objects.filter(record_id=ticket.pk).values_list("action", flat=True))
    assert {"updated", "assigned", "reply_added", "status_changed", "macro_applied"} <= actions


def test_a_refused_step_leaves_the_ticket_untouched(manager, knowledge_editor, requester):
    """GIVEN a macro that adds a work note and links an article
    WHEN someone who may read tickets but not write work notes applies it
    THEN the step is refused by its own service, named, and nothing of the macro stays."""
    macro = _macro(manager, note_body="Internal.", article=ArticleFactory())
    ticket = make_ticket(requester=requester)
    with pytest.raises(services.MacroStepRefused, match="the work note: Only the service desk"):
        services.macro_apply(
            macro=macro, ticket=ticket, actor=knowledge_editor, expected_version=ticket.version
        )
    assert not Comment.objects.filter(ticket=ticket).exists()
    assert not TicketArticleLink.objects.filter(ticket=ticket).exists()
    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version


def test_a_later_refused_step_rolls_back_the_earlier_ones(manager, agent, requester):
    # Moving a new ticket straight to "on hold" without … is allowed; closing a new one is not.
    macro = _macro(manager, note_body="Closing.", impact=1, urgency=1, to_status="closed")
    ticket = make_ticket(requester=requester)
    with pytest.raises(services.MacroStepRefused, match=r"^the status: "):
        services.macro_apply(macro=macro, ticket=ticket, actor=agent, expected_version=None)
    ticket.refresh_from_db()
    assert (ticket.impact, ticket.urgency) == (3, 3)
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_bulk_macro_answers_ticket_by_ticket(manager, agent, requester):
    macro = _macro(manager, note_body="Known VPN outage.", impact=2, urgency=2)
    first, second, third = (make_ticket(requester=requester) for _ in range(3))
    services.ticket_transition(
        ticket=third,
        to_status=TicketStatus.RESOLVED,
        actor=agent,
        expected_version=None,
        resolution_code=ResolutionCode.SOLVED,
        resolution_notes="Fixed.",
    )
    third.refresh_from_db()
    lines = services.tickets_bulk_apply(
        actor=agent,
        action=BulkAction.MACRO,
        selection=[services.BulkTarget(t.number, t.version) for t in (first, second, third)],
        params=services.BulkParams(macro=macro),
    )
    assert [line.done for line in lines] == [True, True, False]
    assert lines[2].message.startswith("setting fields: ")
    assert not Comment.objects.filter(ticket=third, is_public=False).exists()
    assert Comment.objects.filter(ticket=first, is_public=False).count() == 1


def test_bulk_macro_without_a_macro_is_refused_for_the_whole_selection(agent, requester):
    ticket = make_ticket(requester=requester)
    with pytest.raises(InvalidTicketInput, match="macro"):
        services.tickets_bulk_apply(
            actor=agent,
            action=BulkAction.MACRO,
            selection=[services.BulkTarget(ticket.number, ticket.version)],
            params=services.BulkParams(),
        )


def test_macro_api_crud_and_apply(api_as, manager, agent, requester):
    client = api_as(manager)
    created = client.post(
        "/api/v1/macros/",
        {"name": "Password reset", "note_body": "Reset via SSPR.", "impact": 3, "urgency": 2},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert (
        api_as(agent)
        .patch(f"/api/v1/macros/{pk}/", {"name": "x", "version": 1}, format="json")
        .status_code
        == 403
    )
    stale = client.patch(f"/api/v1/macros/{pk}/", {"name": "y", "version": 9}, format="json")
    assert stale.status_code == 409
    ticket = make_ticket(requester=requester)
    applied = api_as(agent).post(
        f"/api/v1/macros/{pk}/apply/",
        {"tickets": [{"number": ticket.number, "version": ticket.version}]},
        format="json",
    )
    assert applied.status_code == 200
    assert applied.json()["done"] == 1
    assert api_as(requester).get("/api/v1/macros/").status_code == 403
    assert client.delete(f"/api/v1/macros/{pk}/").status_code == 204
    assert not Macro.objects.filter(pk=pk).exists()


def test_the_desk_list_offers_new_macro_to_managers_and_team_leads_only(client_as, manager, agent):
    assert "New macro" in client_as(manager).get("/desk/tickets/macros/").content.decode()
    assert "New macro" not in client_as(agent).get("/desk/tickets/macros/").content.decode()
