"""The desk queue remembered per agent (issue #16): last view, columns, filters toggle, sort
headers, SLA order, search by requester, and a query count that does not follow page size."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from itsm.accounts.models import Team
from tests.factories.accounts import UserFactory
from tests.factories.cmdb import ServiceFactory
from tests.factories.tickets import make_ticket
from tests.tickets.sla.defaults import sla_defaults  # noqa: F401
from tickets import selectors, services
from tickets.choices import DEFAULT_QUEUE_COLUMNS, QueueColumn
from tickets.exceptions import InvalidTicketInput
from tickets.models import Category, QueuePreference, SlaClock
from tickets.sla.rules import SlaState
from tickets.sla.services import sla_sweep

pytestmark = pytest.mark.django_db

QUEUE = "/desk/tickets/"


def _numbers(html: str) -> list[str]:
    return re.findall(r'<tr data-href="/desk/tickets/((?:INC|REQ)\d+)/"', html)


# --- Services ------------------------------------------------------------------------


def test_columns_are_kept_in_table_order_once_each_with_the_number_always_there(agent):
    preference = services.queue_preference_update(
        user=agent, columns=["channel", "status", "status", "priority"]
    )
    assert preference.columns == ["number", "priority", "status", "channel"]
    assert QueuePreference.objects.get(user=agent).columns == preference.columns


def test_an_unknown_column_is_refused_by_name(agent):
    with pytest.raises(InvalidTicketInput, match="no column called password"):
        services.queue_preference_update(user=agent, columns=["number", "password"])
    assert not QueuePreference.objects.filter(user=agent).exists()


def test_a_requester_has_no_queue_to_arrange(requester):
    from itsm.core.exceptions import PermissionRefused

    with pytest.raises(PermissionRefused):
        services.queue_preference_update(user=requester, filters_open=True)
    with pytest.raises(PermissionRefused):
        services.queue_preference_remember_view(user=requester, query="queue=open")
    assert not QueuePreference.objects.exists()


def test_remembering_a_view_is_one_statement_and_keeps_the_other_settings(
    agent, django_assert_num_queries
):
    services.queue_preference_update(user=agent, columns=["number", "sla"], filters_open=True)
    agent = type(agent).objects.get(pk=agent.pk)
    # The agent's permissions come from the cache (read when they were first asked for):
    # one upsert.
    with django_assert_num_queries(1):
        services.queue_preference_remember_view(user=agent, query="queue=open&priority=1")
    with django_assert_num_queries(1):
        services.queue_preference_remember_view(user=agent, query="queue=breaching")
    preference = QueuePreference.objects.get(user=agent)
    assert (preference.last_query, preference.columns, preference.filters_open) == (
        "queue=breaching",
        ["number", "sla"],
        True,
    )


def test_a_view_too_long_to_keep_leaves_the_previous_one(agent):
    services.queue_preference_remember_view(user=agent, query="queue=open")
    services.queue_preference_remember_view(user=agent, query="q=" + "x" * 1200)
    assert QueuePreference.objects.get(user=agent).last_query == "queue=open"


def test_a_new_agent_gets_the_default_columns_without_a_row_being_written(agent):
    preference = selectors.queue_preference_for(user=agent)
    assert preference.columns == [str(c) for c in DEFAULT_QUEUE_COLUMNS]
    assert preference._state.adding


# --- The default view ------------------------------------------------------------------


def test_first_visit_opens_my_work_then_the_last_view(client_as, agent):
    client = client_as(agent)
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"] == "/desk/tickets/?queue=mine"

    client.get(QUEUE, {"queue": "open", "priority": "1", "page": "3", "sort": "-priority"})
    assert QueuePreference.objects.get(user=agent).last_query == (
        "queue=open&priority=1&sort=-priority"
    )  # the page is not part of the view
    assert client.get(QUEUE)["Location"] == "/desk/tickets/?queue=open&priority=1&sort=-priority"


def test_the_filter_bar_changing_the_table_is_remembered_too(client_as, agent):
    client = client_as(agent)
    client.get(
        QUEUE,
        {"queue": "", "q": "vpn", "status": "open"},
        headers={"HX-Request": "true", "HX-Target": "ticket-table"},
    )
    assert client.get(QUEUE)["Location"] == "/desk/tickets/?queue=&q=vpn&status=open"


def test_a_view_that_cannot_be_applied_is_not_remembered(client_as, agent, service_desk_team):
    client = client_as(agent)
    client.get(QUEUE, {"queue": "open"})
    response = client.get(QUEUE, {"queue": "open", "team": "999999"})
    assert response.status_code == 400
    assert "This filter cannot be applied" in response.content.decode()
    assert client.get(QUEUE)["Location"] == "/desk/tickets/?queue=open"


def test_queue_links_reset_and_saved_filters_still_open_their_view(client_as, agent):
    client = client_as(agent)
    services.saved_filter_save(owner=agent, name="P1s", query="priority=1")
    html = client.get(QUEUE, {"queue": "open", "priority": "2"}).content.decode()
    assert '<a href="?queue=mine&amp;status="' in html
    assert '<a href="?queue=" ' in html  # "Everything": an explicit view, not the default
    assert '<a href="?queue=open" class="small reset-filters">Reset</a>' in html
    assert '<a href="?priority=1">P1s</a>' in html
    assert client.get(QUEUE, {"queue": ""}).status_code == 200


# --- Columns, filters toggle --------------------------------------------------------------


def test_only_the_chosen_columns_are_shown(client_as, agent, requester, service_desk_team):
    make_ticket(requester=requester, short_description="Printer jam", channel="phone")
    client = client_as(agent)
    html = client.get(QUEUE, {"queue": ""}).content.decode()
    assert 'class="col-requester"' in html
    assert 'class="col-channel"' not in html

    response = client.post(
        "/desk/tickets/preferences/",
        {"columns_sent": "1", "columns": ["channel", "short_description"], "next": "queue="},
    )
    assert response["Location"] == "/desk/tickets/?queue="
    html = client.get(QUEUE, {"queue": ""}).content.decode()
    head = html[html.index("<thead>") : html.index("</thead>")]
    assert re.findall(r'<th scope="col" class="col-(\w+)"', head) == [
        "select",
        "number",
        "short_description",
        "channel",
    ]
    row = html[html.index("<tbody>") : html.index("</tbody>")]
    assert re.findall(r'<td class="(?:sla-cell )?col-(\w+)"', row) == [
        "select",
        "number",
        "short_description",
        "channel",
    ]
    assert 'data-label="Channel" title="Phone">Phone</td>' in row
    assert "col-requester" not in html


def test_a_refused_column_choice_is_said_plainly(client_as, agent):
    client = client_as(agent)
    response = client.post(
        "/desk/tickets/preferences/",
        {"columns_sent": "1", "columns": ["number", "salary"], "next": "queue=open"},
        follow=True,
    )
    assert "There is no column called salary." in response.content.decode()
    assert selectors.queue_preference_for(user=agent).columns == list(DEFAULT_QUEUE_COLUMNS)


def test_more_filters_open_or_closed_is_remembered(client_as, agent):
    client = client_as(agent)
    html = client.get(QUEUE, {"queue": "open"}).content.decode()
    assert 'aria-expanded="false"' in html
    assert 'id="more-filters" class="more-filters" hidden' in html

    # The script's background request: no page comes back.
    response = client.post(
        "/desk/tickets/preferences/", {"filters_open": "1"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 204
    html = client.get(QUEUE, {"queue": "open"}).content.decode()
    assert 'aria-expanded="true"' in html
    assert 'id="more-filters" class="more-filters" >' in html

    # Without a script the button posts and the agent is back on the same view.
    response = client.post(
        "/desk/tickets/preferences/", {"filters_open": "0", "next": "queue=open"}
    )
    assert response["Location"] == "/desk/tickets/?queue=open"
    assert QueuePreference.objects.get(user=agent).filters_open is False


def test_a_filter_behind_more_filters_opens_the_panel_and_is_counted(client_as, agent):
    html = client_as(agent).get(QUEUE, {"queue": "open", "channel": "phone"}).content.decode()
    assert "More filters (1)" in html
    assert 'aria-expanded="true"' in html


def test_the_preference_page_sends_nobody_elsewhere(client_as, agent):
    response = client_as(agent).post(
        "/desk/tickets/preferences/", {"filters_open": "1", "next": "//evil.example/"}
    )
    assert response["Location"].startswith("/desk/tickets/?")


# --- Sorting ---------------------------------------------------------------------------------


def test_sortable_headers_say_their_direction_and_toggle(client_as, agent, requester):
    make_ticket(requester=requester)
    client = client_as(agent)
    html = client.get(QUEUE, {"queue": "open", "sort": "priority"}).content.decode()
    head = html[html.index("<thead>") : html.index("</thead>")]
    sorts = dict(re.findall(r'class="col-(\w+)" aria-sort="(\w+)"', head))
    assert sorts == {
        "number": "none",
        "priority": "ascending",
        "short_description": "none",
        "status": "none",
        "sla": "none",
        "updated": "none",
    }
    assert 'href="?queue=open&amp;sort=-priority">Priority</a>' in head
    assert 'href="?queue=open&amp;sort=-updated_at">Updated</a>' in head  # newest first
    html = client.get(QUEUE, {"queue": "open", "sort": "-priority"}).content.decode()
    assert 'aria-sort="descending"><a href="?queue=open&amp;sort=priority">' in html
    # Columns that do not sort carry no aria-sort.
    assert '<th scope="col" class="col-requester">Requester</th>' in html


def test_sorting_by_sla_puts_breached_first_then_time_left_then_no_running_clock(
    client_as, agent, requester
):
    with time_machine.travel(timezone.now() - timedelta(days=3), tick=False):
        breached = make_ticket(requester=requester, impact=1, urgency=1, short_description="A")
    sla_sweep()
    assert SlaClock.objects.filter(ticket=breached, state=SlaState.BREACHED).exists()
    later = make_ticket(requester=requester, short_description="P5, due in days")
    soon = make_ticket(requester=requester, impact=1, urgency=1, short_description="P1 now")
    paused = make_ticket(requester=requester, impact=1, urgency=1, short_description="Held")
    services.ticket_transition(
        ticket=paused,
        to_status="on_hold",
        actor=agent,
        expected_version=paused.version,
        on_hold_reason="awaiting_requester",
    )
    assert not SlaClock.objects.filter(ticket=paused, state=SlaState.RUNNING).exists()
    client = client_as(agent)
    html = client.get(QUEUE, {"queue": "", "sort": "sla_due"}).content.decode()
    assert _numbers(html) == [breached.number, soon.number, later.number, paused.number]
    html = client.get(QUEUE, {"queue": "", "sort": "-sla_due"}).content.decode()
    assert _numbers(html) == [later.number, soon.number, breached.number, paused.number]


# --- Search ------------------------------------------------------------------------------


def test_search_finds_tickets_by_requester_name_and_email(client_as, agent, service_desk_team):
    rita = UserFactory(display_name="Rita Okonkwo", email="r.okonkwo@example.com")
    other = UserFactory(display_name="Sam Lee", email="sam.lee@example.com")
    hers = make_ticket(requester=rita, actor=agent, short_description="Printer jam")
    make_ticket(requester=other, actor=agent, short_description="Printer jam")
    client = client_as(agent)
    for term in ("okonkwo", "Rita Oko", "r.okonkwo@exa"):
        html = client.get(QUEUE, {"queue": "", "q": term}).content.decode()
        assert _numbers(html) == [hers.number], term


def test_a_requester_term_is_answered_from_the_trigram_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM accounts_user WHERE UPPER(display_name::text) LIKE "
            "UPPER('%%zzqx%%') OR UPPER(email::text) LIKE UPPER('%%zzqx%%') LIMIT 50"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "accounts_user_name_trgm" in plan
    assert "accounts_user_email_trgm" in plan


def test_a_term_nobody_has_costs_the_queries_a_match_costs(client_as, agent, requester):
    make_ticket(requester=requester, short_description="Printer jam")
    client = client_as(agent)
    # Warm the caches (counts, choice lists, the remembered view) for both views.
    for term in ("printer", "qqzzxx"):
        client.get(QUEUE, {"queue": "", "q": term, "sort": "-created_at"})
    counts = []
    for term in ("printer", "qqzzxx"):
        client.get(QUEUE, {"queue": "", "q": term, "sort": "-created_at"})
        with CaptureQueriesContext(connection) as captured:
            client.get(QUEUE, {"queue": "", "q": term, "sort": "-created_at"})
        counts.append(len(captured))
    # A miss adds the typo look-up (one query) and no scan: the term found nothing.
    assert counts[1] - counts[0] <= 1, counts


# --- Query count -------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", [25, 100])
def test_queue_page_query_count_does_not_follow_page_size(
    client_as, agent, requester, page_size, django_assert_num_queries
):
    team = Team.objects.first()
    # Every column has something to show: a category, a service, a team and an agent.
    category = Category.objects.create(name="Network")
    service = ServiceFactory()
    for i in range(page_size + 1):
        make_ticket(
            requester=requester,
            actor=agent,
            impact=1 + i % 3,
            urgency=1 + i % 3,
            category=category,
            service=service,
            assignment_team=team,
            assignee=agent if i % 2 else None,
        )
    services.queue_preference_update(user=agent, columns=list(QueueColumn.values))
    client = client_as(agent)
    view = {"queue": "open", "page_size": page_size, "sort": "sla_due"}
    client.get(QUEUE, view)  # caches the counts and choice lists, remembers the view
    # Session, user, preference, rows, SLA clocks, saved filters (the roles: cached).
    with django_assert_num_queries(6):
        response = client.get(QUEUE, view)
    assert len(_numbers(response.content.decode())) == page_size


def test_the_sla_cell_shows_the_most_urgent_clock_and_names_every_open_one(
    client_as, agent, requester
):
    ticket = make_ticket(requester=requester, impact=1, urgency=1)
    clocks = {c.metric: c for c in SlaClock.objects.filter(ticket=ticket)}
    assert clocks["first_response"].due_at < clocks["resolution"].due_at
    html = client_as(agent).get(QUEUE, {"queue": "open"}).content.decode()
    cell = re.search(
        r'<td class="sla-cell col-sla" data-label="SLA" title="([^"]*)">(.*?)</td>', html
    )
    title, content = cell.groups()
    assert title.startswith("Response due ") and " · Resolution due " in title
    assert content.count("sla-badge") == 1
    assert "Response" in content and "Resolution" not in content
