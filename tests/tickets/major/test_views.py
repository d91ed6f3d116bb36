"""Major-incident desk pages and the portal banner with "I'm affected too"."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories.tickets import make_ticket
from tickets.major import services as major
from tickets.models import MajorIncident

pytestmark = pytest.mark.django_db


@pytest.fixture
def p1(requester, agent):
    return make_ticket(
        requester=requester, actor=agent, short_description="Payroll is down", impact=1, urgency=1
    )


def test_declaring_from_the_ticket_page_opens_the_major_incident_page(client_as, manager, p1):
    client = client_as(manager)
    page = client.get(f"/desk/tickets/{p1.number}/")
    assert b"Declare major incident" in page.content
    response = client.post(
        f"/desk/major-incidents/declare/{p1.number}/",
        {
            "version": p1.version,
            "reason": "All staff",
            "manager": manager.pk,
            "communications_owner": manager.pk,
        },
    )
    mi = MajorIncident.objects.get(ticket=p1)
    assert response.status_code == 302 and response["Location"] == mi.get_absolute_url()
    detail = client.get(mi.get_absolute_url())
    assert b"All staff" in detail.content and b"Post an update" in detail.content
    assert b"Payroll is down" in client.get("/desk/major-incidents/").content


def test_banner_shows_public_updates_only_and_join_creates_a_child(
    client_as, manager, p1, other_requester
):
    mi = major.major_incident_declare(
        ticket=p1, actor=manager, reason="r", manager=manager, communications_owner=manager
    )
    major.major_incident_post_update(major=mi, actor=manager, body="INTERNAL", is_public=False)
    major.major_incident_post_update(major=mi, actor=manager, body="Working on it", is_public=True)
    client = client_as(other_requester)
    home = client.get("/portal/")
    assert b"Payroll is down" in home.content and b"Working on it" in home.content
    assert b"INTERNAL" not in home.content
    assert b"I&#x27;m affected too" in home.content or b"I'm affected too" in home.content
    response = client.post(f"/portal/major-incidents/{mi.pk}/join/", {"description": "me"})
    child = p1.children.get()
    assert response.status_code == 302 and child.number in response["Location"]
    assert child.requester == other_requester
    assert b"You are on the list" in client.get("/portal/").content


def test_resolve_and_review_through_the_page(client_as, manager, p1):
    mi = major.major_incident_declare(
        ticket=p1, actor=manager, reason="r", manager=manager, communications_owner=manager
    )
    client = client_as(manager)
    client.post(f"/desk/major-incidents/{mi.pk}/resolve/", {"public_note": "Back up"})
    mi.refresh_from_db()
    assert mi.status == "resolved"
    page = client.get(mi.get_absolute_url())
    assert b"Post-incident review" in page.content
    client.post(
        f"/desk/major-incidents/{mi.pk}/review/",
        {"timeline": "09:00 down", "root_cause": "Disk", "actions": "Alerting"},
    )
    assert mi.__class__.objects.get(pk=mi.pk).review.root_cause == "Disk"
    opened = client.post(f"/desk/problems/from-major-incident/{mi.pk}/")
    assert opened.status_code == 302 and "/desk/problems/PRB" in opened["Location"]


def test_requesters_cannot_reach_the_desk_pages(client_as, requester):
    assert client_as(requester).get("/desk/major-incidents/").status_code == 403


def test_the_list_shows_rule_proposals(client_as, manager, requester, agent):
    from tests.factories.cmdb import ServiceFactory
    from tickets.models import MajorIncidentRule

    MajorIncidentRule.objects.create(name="P1 critical", kind="p1_critical_service")
    critical = ServiceFactory(name="Payroll", criticality="critical")
    ticket = make_ticket(requester=requester, actor=agent, service=critical, impact=1, urgency=1)
    page = client_as(manager).get("/desk/major-incidents/")
    assert b"Proposed by the rules" in page.content and ticket.number.encode() in page.content


def test_every_desk_page_carries_the_banner_from_one_cached_query(
    client_as, manager, agent, p1, django_capture_on_commit_callbacks
):
    """GIVEN an open major incident WHEN agents open desk pages THEN each shows the banner
    (number, title, latest update, link); the banner's query runs once until an update
    drops the cached copy, and then the new update shows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mi = major.major_incident_declare(
        ticket=p1, actor=manager, reason="r", manager=manager, communications_owner=manager
    )

    def banner_queries(client, path):
        with CaptureQueriesContext(connection) as captured:
            html = client.get(path).content.decode()
        return html, [q for q in captured if "tickets_majorincidentupdate" in q["sql"]]

    client = client_as(agent)
    html, queries = banner_queries(client, "/desk/")
    assert 'class="banner banner-danger desk-major-banner"' in html
    assert p1.number in html and mi.get_absolute_url() in html
    assert len(queries) == 1
    html, queries = banner_queries(client_as(manager), "/desk/tickets/?queue=open")
    assert p1.number in html and queries == []
    with django_capture_on_commit_callbacks(execute=True):
        major.major_incident_post_update(
            major=mi, actor=manager, body="Failover under way", is_public=False
        )
    html, _ = banner_queries(client, "/desk/changes/")
    assert "Latest update: Failover under way" in html


def test_the_declarer_is_not_offered_to_join_his_own_major_incident(
    client_as, manager, p1, other_requester
):
    mi = major.major_incident_declare(
        ticket=p1, actor=manager, reason="r", manager=manager, communications_owner=manager
    )
    own = client_as(manager).get("/portal/").content.decode()
    assert "You declared this major incident" in own and "I'm affected too" not in own
    other = client_as(other_requester).get("/portal/").content.decode()
    assert "I'm affected too" in other
    from itsm.core.exceptions import TransitionNotAllowed

    with pytest.raises(TransitionNotAllowed):
        major.major_incident_join(major=mi, requester=manager, description="")


def test_the_page_shows_the_elapsed_time_as_a_duration_that_the_page_keeps_counting(
    client_as, manager, p1
):
    mi = major.major_incident_declare(
        ticket=p1, actor=manager, reason="r", manager=manager, communications_owner=manager
    )
    MajorIncident.objects.filter(pk=mi.pk).update(
        declared_at=timezone.now() - timedelta(hours=2, minutes=5, seconds=3)
    )
    html = client_as(manager).get(mi.get_absolute_url()).content.decode()
    elapsed = re.search(r'<span id="elapsed" data-elapsed-since="([^"]+)">([^<]*)</span>', html)
    assert elapsed, html
    assert elapsed[2] == "2 h 5 min"
    assert "js/elapsed.js" in html  # keeps it ticking (no inline script)
