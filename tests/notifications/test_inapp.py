"""The desk's notification centre: @mentions, the outbox's in-app lines, per-event choices,
marking read, the bell's cost and the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from itsm.notifications.models import InAppNotification, Notification
from itsm.notifications.services import (
    inapp_mark_all_read,
    inapp_mark_read,
    inapp_prune,
    notification_desk_events_update,
)
from itsm.notifications.views import INBOX_LINES
from tests.factories.tickets import make_ticket
from tickets import services
from tickets.exceptions import InvalidTicketInput
from tickets.mentions import mention_handles
from tickets.models import Comment

pytestmark = pytest.mark.django_db


def _note(ticket, author, body):
    return services.comment_add(ticket=ticket, author=author, body=body, is_public=False)


def test_handles_skip_email_addresses_and_trailing_dots():
    assert mention_handles("ask @Nick. or mail bob@example.com, cc @service-desk") == [
        "nick",
        "service-desk",
    ]


def test_mentioning_an_agent_writes_a_line_and_an_email(agent, agent_other_team, requester):
    ticket = make_ticket(requester=requester)
    comment = _note(ticket, agent, "@nick can you check the switch?")
    line = InAppNotification.objects.get(recipient=agent_other_team, event="ticket_mentioned")
    assert ticket.number in line.title
    assert line.url.endswith(f"#comment-{comment.pk}")
    assert Notification.objects.filter(
        event="ticket_mentioned", recipient=agent_other_team
    ).exists()


def test_mentioning_a_team_reaches_its_members_but_not_the_author(
    agent, agent_other_team, manager, requester
):
    ticket = make_ticket(requester=requester)
    _note(ticket, agent, "FYI @service-desk")
    reached = set(
        InAppNotification.objects.filter(event="ticket_mentioned").values_list(
            "recipient", flat=True
        )
    )
    assert reached == {manager.pk}


def test_mentioning_someone_who_cannot_see_the_note_refuses_it(agent, requester, other_requester):
    ticket = make_ticket(requester=requester)
    with pytest.raises(InvalidTicketInput, match="cannot see this ticket's work notes"):
        _note(ticket, agent, "@omar please look")
    with pytest.raises(InvalidTicketInput, match="Nobody is called @ghost"):
        _note(ticket, agent, "@ghost please look")
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_a_public_reply_mentions_nobody(agent, agent_other_team, requester):
    ticket = make_ticket(requester=requester)
    services.comment_add(ticket=ticket, author=agent, body="Hi @omar", is_public=True)
    assert not InAppNotification.objects.filter(event="ticket_mentioned").exists()


def test_assignment_and_requester_reply_reach_the_bell(agent, requester, service_desk_team):
    ticket = make_ticket(requester=requester)
    services.ticket_assign(
        ticket=ticket, actor=agent, expected_version=None, team=service_desk_team, assignee=agent
    )
    services.comment_add(ticket=ticket, author=requester, body="Still broken", is_public=True)
    events = set(InAppNotification.objects.filter(recipient=agent).values_list("event", flat=True))
    assert {"ticket_assigned", "ticket_replied"} <= events
    # Requesters have no bell: the staff reply to them writes e-mail only.
    assert not InAppNotification.objects.filter(recipient=requester).exists()


def test_turning_in_app_off_stops_the_line_and_email_off_stops_the_mail(
    agent, agent_other_team, requester
):
    notification_desk_events_update(
        user=agent_other_team,
        choices={"ticket_mentioned": {"in_app": False, "email": False}},
    )
    ticket = make_ticket(requester=requester)
    _note(ticket, agent, "@nick look")
    assert not InAppNotification.objects.filter(recipient=agent_other_team).exists()
    assert not Notification.objects.filter(
        event="ticket_mentioned", recipient=agent_other_team
    ).exists()


def test_mark_one_and_all_read_only_touch_ones_own(agent, agent_other_team, requester):
    ticket = make_ticket(requester=requester)
    _note(ticket, agent, "@nick one")
    _note(ticket, agent, "@nick two")
    first, _second = InAppNotification.objects.filter(recipient=agent_other_team)
    assert inapp_mark_read(user=agent, notification_id=first.pk) == 0
    assert inapp_mark_read(user=agent_other_team, notification_id=first.pk) == 1
    assert inapp_mark_all_read(user=agent_other_team) == 1
    assert not InAppNotification.objects.filter(read_at__isnull=True).exists()


@pytest.mark.parametrize("lines", [1, 30])
def test_the_bell_costs_the_same_queries_whatever_the_number_of_lines(
    client_as, agent, lines, django_assert_num_queries
):
    InAppNotification.objects.bulk_create(
        InAppNotification(recipient=agent, event="ticket_assigned", title=f"t{i}")
        for i in range(lines)
    )
    client = client_as(agent)
    client.get("/notifications/bell/")  # warms the cached roles
    # Session, user, the bounded unread count.
    with django_assert_num_queries(3):
        response = client.get("/notifications/bell/")
    assert f">{lines}<" in response.content.decode()


def test_the_bell_caps_its_count(client_as, agent):
    InAppNotification.objects.bulk_create(
        InAppNotification(recipient=agent, event="ticket_assigned", title="t") for _ in range(120)
    )
    assert ">99+<" in client_as(agent).get("/notifications/bell/").content.decode()


def test_notifications_api_lists_counts_and_marks_read(api_as, agent, agent_other_team, requester):
    ticket = make_ticket(requester=requester)
    _note(ticket, agent, "@nick api")
    client = api_as(agent_other_team)
    listed = client.get("/api/v1/notifications/")
    assert listed.status_code == 200
    (line,) = listed.json()["results"]
    assert line["event"] == "ticket_mentioned"
    assert client.get("/api/v1/notifications/unread-count/").json() == {
        "unread": 1,
        "capped": False,
    }
    assert api_as(agent).post(f"/api/v1/notifications/{line['id']}/read/").status_code == 404
    assert client.post(f"/api/v1/notifications/{line['id']}/read/").json()["is_read"] is True
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 0}
    assert api_as(requester).get("/api/v1/notifications/").status_code == 403


def test_preferences_page_saves_per_event_choices(client_as, agent):
    client = client_as(agent)
    page = client.get("/notifications/preferences/")
    assert "Mentioned in a work note" in page.content.decode()
    data = {"receive_non_essential": "on"}
    data |= {
        f"{e}__{c}": "on"
        for e in ("ticket_assigned", "ticket_replied")
        for c in ("in_app", "email")
    }
    client.post("/notifications/preferences/", data)
    agent.notification_preference.refresh_from_db()
    choices = agent.notification_preference.desk_events
    assert choices["ticket_mentioned"] == {"in_app": False, "email": False}
    assert choices["ticket_assigned"] == {"in_app": True, "email": True}


def test_the_notification_centre_pages_through_every_line(client_as, agent):
    InAppNotification.objects.bulk_create(
        InAppNotification(recipient=agent, event="ticket_assigned", title=f"Line {i:03}")
        for i in range(INBOX_LINES + 5)
    )
    client = client_as(agent)
    first = client.get("/notifications/").content.decode()
    assert first.count('class="inbox-line') == INBOX_LINES
    assert 'rel="next"' in first
    second = client.get("/notifications/", {"page": 2}).content.decode()
    assert second.count('class="inbox-line') == 5
    assert 'rel="prev"' in second and 'rel="next"' not in second
    unread = client.get("/notifications/", {"show": "unread"}).content.decode()
    assert "?show=unread&amp;page=2" in unread  # the next page keeps the filter


def test_pruning_forgets_lines_past_the_keeping_period_read_or_not(agent):
    old = timezone.now() - timedelta(days=91)
    InAppNotification.objects.bulk_create(
        [
            InAppNotification(
                recipient=agent, event="ticket_assigned", title="old unread", created_at=old
            ),
            InAppNotification(
                recipient=agent,
                event="ticket_assigned",
                title="old read",
                created_at=old,
                read_at=old,
            ),
            InAppNotification(recipient=agent, event="ticket_assigned", title="recent"),
        ]
    )
    assert inapp_prune(older_than_days=90) == 2
    assert list(InAppNotification.objects.values_list("title", flat=True)) == ["recent"]
    assert inapp_prune(older_than_days=90) == 0
