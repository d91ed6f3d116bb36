"""The desk home (/desk/, GET /api/v1/desk-home/): each panel from its app's selector, the
manager's team counts, the "seen" marker the ticket page moves, access and query counts."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from changes.choices import ChangeRequestStatus
from changes.models import ChangeRequest
from changes.selectors import change_list_in_progress_today
from itsm.accounts.roles import user_is_staff_member
from itsm.dashboards.selectors.home import desk_day_for
from releases.choices import ReleaseStatus
from releases.models import Release
from releases.selectors import release_list_in_hypercare
from releases.services import release_create
from tests.changes.factories import make_change
from tests.dashboards.conftest import add_clock
from tests.factories.tickets import make_ticket
from tickets import selectors, services
from tickets.catalog.selectors import approval_list_pending_for_home, task_list_for_home
from tickets.choices import ApprovalState, TaskStatus, TicketKind, TicketStatus
from tickets.models import Approval, FulfilmentTask, SlaClock, Ticket, TicketSeen
from tickets.selectors.home import _team_ticket_counts as team_counts_compute
from tickets.sla.rules import SlaMetric, SlaState
from tickets.sla.services import sla_due_refresh

pytestmark = pytest.mark.django_db


def assigned(requester, agent, team, title="Cannot connect to the VPN"):
    return make_ticket(
        requester=requester,
        actor=agent,
        assignment_team=team,
        assignee=agent,
        short_description=title,
    )


def clock(ticket, policy, *, due, state=SlaState.RUNNING, metric=SlaMetric.RESOLUTION):
    """The ticket's clock of `metric` (ticket_create started it when a policy matched) set
    to be due at `due`; the other metric's clock is stopped out of the way."""
    SlaClock.objects.filter(ticket=ticket).exclude(metric=metric).update(
        state=SlaState.MET, stopped_at=timezone.now()
    )
    if SlaClock.objects.filter(ticket=ticket, metric=metric).update(
        state=state, due_at=due, stopped_at=None
    ):
        sla_due_refresh(ticket_ids=[ticket.pk])  # written here, not by the SLA services
        return SlaClock.objects.get(ticket=ticket, metric=metric)
    return add_clock(ticket, policy, metric, state=state, due=due)


def task(ticket, title, team, assignee=None, status=TaskStatus.OPEN):
    return FulfilmentTask.objects.create(
        ticket=ticket,
        number=FulfilmentTask.next_number(),
        title=title,
        team=team,
        assignee=assignee,
        status=status,
    )


def reply_as_requester(ticket, requester, body="Still broken, see attached"):
    ticket.refresh_from_db()
    return services.comment_add(ticket=ticket, author=requester, body=body, is_public=True)


# --- Panels, one selector each ------------------------------------------------------------


def test_my_tickets_come_soonest_sla_due_first_and_breached_before_that(
    requester, agent, agent_other_team, service_desk_team, other_team, sla_policy
):
    now = timezone.now()
    later = assigned(requester, agent, service_desk_team, "Later")
    soon = assigned(requester, agent, service_desk_team, "Soon")
    breached = assigned(requester, agent, service_desk_team, "Breached")
    no_clock = assigned(requester, agent, service_desk_team, "No clock")
    theirs = assigned(requester, agent_other_team, other_team)
    clock(later, sla_policy, due=now + timedelta(hours=8))
    clock(soon, sla_policy, due=now + timedelta(hours=1))
    clock(breached, sla_policy, due=now - timedelta(hours=1), state=SlaState.BREACHED)
    clock(theirs, sla_policy, due=now)
    SlaClock.objects.filter(ticket=no_clock).update(state=SlaState.MET, stopped_at=now)
    sla_due_refresh(ticket_ids=[no_clock.pk])  # written here, not by the SLA services

    rows = selectors.ticket_list_mine_by_sla_due(user=agent, limit=8)

    assert [t.number for t in rows] == [
        breached.number,
        soon.number,
        later.number,
        no_clock.number,
    ]
    assert rows[0].sla_due < now < rows[1].sla_due


def test_my_tickets_panel_is_bounded(requester, agent, service_desk_team):
    for i in range(4):
        assigned(requester, agent, service_desk_team, f"Ticket {i}")
    assert len(selectors.ticket_list_mine_by_sla_due(user=agent, limit=3)) == 3


def test_breaching_soon_lists_mine_and_my_teams_tickets_once_each(
    requester, agent, agent_other_team, service_desk_team, other_team, sla_policy
):
    now = timezone.now()
    mine = assigned(requester, agent, service_desk_team, "Mine")
    team = make_ticket(requester=requester, actor=agent, assignment_team=service_desk_team)
    far = assigned(requester, agent, service_desk_team, "Far away")
    other = make_ticket(requester=requester, actor=agent, assignment_team=other_team)
    clock(mine, sla_policy, due=now + timedelta(minutes=30))
    # Two clocks of one ticket in the window: the ticket is listed once.
    clock(team, sla_policy, due=now - timedelta(minutes=5), state=SlaState.BREACHED)
    clock(team, sla_policy, due=now + timedelta(minutes=10), metric=SlaMetric.FIRST_RESPONSE)
    clock(far, sla_policy, due=now + timedelta(hours=5))
    clock(other, sla_policy, due=now + timedelta(minutes=1))

    rows = selectors.ticket_list_breaching_soon(user=agent, limit=8)

    assert [t.number for t in rows] == [team.number, mine.number]
    # The queue behind "see all" holds the same tickets.
    queue = selectors.ticket_list_for_desk_queue(user=agent, queue="team-breaching")
    assert set(queue.values_list("number", flat=True)) == {team.number, mine.number}


def test_a_requester_reply_shows_until_the_agent_opens_the_ticket(
    requester, agent, service_desk_team, client_as
):
    replied = assigned(requester, agent, service_desk_team, "Replied")
    quiet = assigned(requester, agent, service_desk_team, "Quiet")
    # An agent's own public reply is not a requester reply.
    quiet.refresh_from_db()
    services.comment_add(ticket=quiet, author=agent, body="On it", is_public=True)
    reply_as_requester(replied, requester)

    assert [t.number for t in selectors.ticket_list_requester_replied(user=agent, limit=8)] == [
        replied.number
    ]
    queue = selectors.ticket_list_for_desk_queue(user=agent, queue="replied")
    assert list(queue.values_list("number", flat=True)) == [replied.number]

    client_as(agent).get(reverse("tickets:desk-ticket-detail", args=[replied.number]))

    assert TicketSeen.objects.filter(user=agent, ticket=replied).exists()
    assert selectors.ticket_list_requester_replied(user=agent, limit=8) == []
    assert not selectors.ticket_list_for_desk_queue(user=agent, queue="replied").exists()

    # A new reply after the visit brings it back.
    TicketSeen.objects.filter(user=agent).update(seen_at=timezone.now() - timedelta(minutes=1))
    reply_as_requester(replied, requester, "And now the printer too")
    assert [t.number for t in selectors.ticket_list_requester_replied(user=agent, limit=8)] == [
        replied.number
    ]


def test_marking_seen_is_one_upsert_that_moves_only_past_new_activity(
    requester, agent, django_assert_num_queries
):
    ticket = make_ticket(requester=requester)
    user_is_staff_member(agent)  # as the desk view leaves it: the roles already read
    with django_assert_num_queries(0):
        services.ticket_mark_seen(ticket=ticket, user=agent)
    assert not TicketSeen.objects.exists()  # no public activity: nothing to have seen

    reply_as_requester(ticket, requester, "Still broken")
    ticket.refresh_from_db()
    with django_assert_num_queries(1):
        services.ticket_mark_seen(ticket=ticket, user=agent)
    first = TicketSeen.objects.get(user=agent, ticket=ticket).seen_at
    assert first >= ticket.last_public_activity_at
    with django_assert_num_queries(1):
        services.ticket_mark_seen(ticket=ticket, user=agent)
    # Nothing new since the first visit: the marker stays as it was.
    assert TicketSeen.objects.get(user=agent, ticket=ticket).seen_at == first

    reply_as_requester(ticket, requester, "And again")
    ticket.refresh_from_db()
    services.ticket_mark_seen(ticket=ticket, user=agent)
    assert TicketSeen.objects.get(user=agent, ticket=ticket).seen_at > first
    assert TicketSeen.objects.count() == 1


def test_a_requester_leaves_no_seen_marker(requester):
    ticket = make_ticket(requester=requester)
    services.ticket_mark_seen(ticket=ticket, user=requester)
    assert not TicketSeen.objects.exists()


def test_approvals_panel_lists_pending_approvals_asked_of_me(requester, agent, manager):
    wanted = make_ticket(requester=requester, kind=TicketKind.REQUEST, short_description="Laptop")
    decided = make_ticket(requester=requester, kind=TicketKind.REQUEST, short_description="Phone")
    someone_elses = make_ticket(requester=requester, kind=TicketKind.REQUEST)
    mine = Approval.objects.create(ticket=wanted, approver=agent)
    Approval.objects.create(ticket=decided, approver=agent, state=ApprovalState.APPROVED)
    Approval.objects.create(ticket=someone_elses, approver=manager)

    assert approval_list_pending_for_home(user=agent, limit=8) == [mine]


def test_tasks_panel_lists_mine_and_my_teams_untaken_open_tasks(
    requester, agent, agent_other_team, service_desk_team, other_team
):
    req = make_ticket(requester=requester, kind=TicketKind.REQUEST)
    mine = task(req, "Image the laptop", other_team, assignee=agent)
    team = task(req, "Order the laptop", service_desk_team)
    task(req, "Taken by a colleague", service_desk_team, assignee=agent_other_team)
    task(req, "Waiting", service_desk_team, status=TaskStatus.WAITING)
    task(req, "Other team", other_team)

    assert task_list_for_home(user=agent, limit=8) == [mine, team]


def test_changes_today_are_the_implementing_and_today_scheduled_ones(agent):
    now = timezone.now()
    implementing = make_change(actor=agent, title="Implementing", start=now - timedelta(days=3))
    today = make_change(actor=agent, title="Today", start=now)
    tomorrow = make_change(actor=agent, title="Tomorrow", start=now + timedelta(days=2))
    draft_today = make_change(actor=agent, title="Draft today", start=now)
    ChangeRequest.objects.filter(pk=implementing.pk).update(status=ChangeRequestStatus.IMPLEMENTING)
    ChangeRequest.objects.filter(pk__in=[today.pk, tomorrow.pk]).update(
        status=ChangeRequestStatus.SCHEDULED
    )

    rows = change_list_in_progress_today(user=agent, limit=8)

    assert [c.number for c in rows] == [implementing.number, today.number]
    assert draft_today.number not in {c.number for c in rows}


def test_a_requester_sees_no_changes_or_releases(requester, agent):
    make_change(actor=agent, title="Implementing")
    ChangeRequest.objects.update(status=ChangeRequestStatus.IMPLEMENTING)
    assert change_list_in_progress_today(user=requester, limit=8) == []
    assert release_list_in_hypercare(user=requester, limit=8) == []


def test_releases_in_hypercare_end_soonest_first(agent, admin_user):
    now = timezone.now()
    late = release_create(actor=admin_user, name="Payroll 2.0")
    soon = release_create(actor=admin_user, name="Portal 3.1")
    release_create(actor=admin_user, name="Still planning")
    Release.objects.filter(pk=late.pk).update(
        status=ReleaseStatus.HYPERCARE, hypercare_ends_at=now + timedelta(days=5)
    )
    Release.objects.filter(pk=soon.pk).update(
        status=ReleaseStatus.HYPERCARE, hypercare_ends_at=now + timedelta(days=1)
    )

    assert [r.number for r in release_list_in_hypercare(user=agent, limit=8)] == [
        soon.number,
        late.number,
    ]


def test_team_counts_are_capped_and_per_team(
    requester, agent, agent_other_team, service_desk_team, other_team, sla_policy, settings
):
    settings.ITSM_QUEUE_COUNT_CAP = 2
    now = timezone.now()
    for _ in range(3):
        make_ticket(requester=requester, actor=agent, assignment_team=service_desk_team)
    breached = make_ticket(requester=requester, actor=agent, assignment_team=other_team)
    clock(breached, sla_policy, due=now - timedelta(hours=1), state=SlaState.BREACHED)
    resolved_breach = assigned(requester, agent_other_team, other_team)
    clock(resolved_breach, sla_policy, due=now - timedelta(hours=1), state=SlaState.BREACHED)
    Ticket.objects.filter(pk=resolved_breach.pk).update(
        status=TicketStatus.RESOLVED, resolution_code="solved"
    )

    counts = {c.team: c for c in team_counts_compute()}

    assert (counts["Service Desk"].unassigned, counts["Service Desk"].breached) == ("2+", "0")
    assert (counts["Network"].unassigned, counts["Network"].breached) == ("1", "1")


# --- The page and the API -----------------------------------------------------------------


def test_requester_is_refused_the_desk_home(client_as, requester):
    response = client_as(requester).get(reverse("desk-home"))
    assert response.status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("desk-home"))
    assert response.status_code == 302


def test_agent_sees_every_panel_with_empty_states_and_no_team_counts(client_as, agent):
    response = client_as(agent).get(reverse("desk-home"))
    html = response.content.decode()
    assert response.status_code == 200
    for title in (
        "My tickets by SLA due",
        "Breaching soon",
        "Requester replied",
        "Awaiting my approval",
        "My tasks",
        "Ongoing major incidents",
        "Changes in progress today",
        "Releases in hypercare",
    ):
        assert title in html
    assert "No open tickets are assigned to you." in html
    assert "No release is in hypercare." in html
    assert "Teams right now" not in html


def test_manager_sees_team_counts_linking_into_the_queue(
    client_as, manager, requester, service_desk_team
):
    make_ticket(requester=requester, actor=manager, assignment_team=service_desk_team)
    html = client_as(manager).get(reverse("desk-home")).content.decode()
    assert "Teams right now" in html
    assert f"queue=open&amp;team={service_desk_team.pk}&amp;unassigned=true" in html
    assert f"queue=breached&amp;team={service_desk_team.pk}" in html


def test_agent_rows_link_to_the_ticket_and_panels_to_the_filtered_queue(
    client_as, agent, requester, service_desk_team
):
    ticket = assigned(requester, agent, service_desk_team, "Printer on fire")
    html = client_as(agent).get(reverse("desk-home")).content.decode()
    assert ticket.get_absolute_url() in html
    assert "Printer on fire" in html
    assert "/desk/tickets/?queue=mine&amp;sort=sla_due" in html


def test_hidden_queues_open_in_the_queue_page(client_as, manager, service_desk_team):
    client = client_as(manager)
    for query in (
        "queue=replied",
        "queue=team-breaching&sort=sla_due",
        f"queue=breached&team={service_desk_team.pk}&sort=sla_due",
        f"queue=open&team={service_desk_team.pk}&unassigned=true",
    ):
        assert client.get(f"{reverse('tickets:desk-ticket-queue')}?{query}").status_code == 200


def _populate(n, *, requester, agent, team, policy, release_manager):
    now = timezone.now()
    for i in range(n):
        ticket = assigned(requester, agent, team, f"Ticket {i}")
        clock(ticket, policy, due=now + timedelta(minutes=10 + i))
        reply_as_requester(ticket, requester)
        Approval.objects.create(
            ticket=make_ticket(requester=requester, kind=TicketKind.REQUEST), approver=agent
        )
        task(ticket, f"Task {i}", team)
        make_change(actor=agent, title=f"Change {i}", start=now)
        release = release_create(actor=release_manager, name=f"Release {n}.{i}")
        Release.objects.filter(pk=release.pk).update(
            status=ReleaseStatus.HYPERCARE, hypercare_ends_at=now + timedelta(days=1)
        )
    ChangeRequest.objects.update(status=ChangeRequestStatus.IMPLEMENTING)


# The page's queries with a cold cache: session and user (2), staff and role look-ups (2),
# the panels (mine 1, or 2 when its SLA clocks do not fill it, breaching 2, replied 1, approvals 1, tasks 2, major incidents 1 — the
# desk banner's cached list, shared with the layout — changes 1, releases 1), and for a
# manager the team counts (2, cached for everyone). No more at 30 of everything than at 3.
PAGE_QUERIES = {"agent": 15, "manager": 17}


@pytest.mark.parametrize("persona", ["agent", "manager"])
def test_desk_home_query_count_does_not_grow_with_data(
    persona,
    request,
    client_as,
    requester,
    service_desk_team,
    sla_policy,
    admin_user,
    django_assert_max_num_queries,
):
    user = request.getfixturevalue(persona)
    client = client_as(user)
    counts = []
    for n in (3, 30):
        _populate(
            n,
            requester=requester,
            agent=user,
            team=service_desk_team,
            policy=sla_policy,
            release_manager=admin_user,
        )
        # Cold: the desk banner's and the team counts' cached lists computed again.
        cache.delete_many(["major:desk-banner", "tickets:team-counts"])
        with django_assert_max_num_queries(PAGE_QUERIES[persona]) as captured:
            response = client.get(reverse("desk-home"))
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[1] <= counts[0]
    day = desk_day_for(user=user)
    assert all(len(panel.rows) == 8 for panel in day.panels if panel.key != "major")


def test_api_returns_the_same_panels(api_as, agent, requester, service_desk_team):
    ticket = assigned(requester, agent, service_desk_team, "Printer on fire")
    response = api_as(agent).get("/api/v1/desk-home/")
    assert response.status_code == 200
    body = response.json()
    assert [p["key"] for p in body["panels"]] == [
        "mine",
        "breaching",
        "replied",
        "approvals",
        "tasks",
        "major",
        "changes",
        "releases",
    ]
    mine = body["panels"][0]
    assert mine["rows"][0]["reference"] == ticket.number
    assert mine["see_all_url"] == "/desk/tickets/?queue=mine&sort=sla_due"
    assert body["team_counts"] is None


def test_api_gives_a_manager_the_team_counts(api_as, manager, service_desk_team):
    body = api_as(manager).get("/api/v1/desk-home/").json()
    assert {"team": "Service Desk", "unassigned": "0", "breached": "0"}.items() <= (
        body["team_counts"][0].items()
    )


def test_api_refuses_a_requester(api_as, requester):
    assert api_as(requester).get("/api/v1/desk-home/").status_code == 403


def test_api_is_in_the_openapi_schema(client_as, agent):
    schema = client_as(agent).get("/api/v1/schema/?format=json").json()
    assert "get" in schema["paths"]["/api/v1/desk-home/"]
    assert "DeskDay" in schema["components"]["schemas"]
