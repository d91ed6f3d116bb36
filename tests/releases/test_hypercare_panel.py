"""The ticket page's "release in hypercare" panel and "this is a known issue of RLS…"."""

from datetime import timedelta

import pytest
from django.utils import timezone

from itsm.audit.models import AuditEvent
from itsm.core.exceptions import PermissionRefused
from releases import services
from releases.models import Release, ReleaseIncidentTag, SupportStaffing
from releases.selectors import release_panel_for_ticket
from releases.services import InvalidReleaseInput
from tests.changes.factories import change_manager, make_change
from tests.factories.cmdb import ServiceFactory
from tests.factories.knowledge import ArticleFactory
from tests.factories.tickets import make_ticket

pytestmark = pytest.mark.django_db

ISSUE = "Payslip PDF shows the old logo"


@pytest.fixture
def payroll(db):
    return ServiceFactory(name="Payroll")


@pytest.fixture
def release(payroll, agent):
    """RLS in hypercare since an hour ago on Payroll (through its change), with a support plan."""
    now = timezone.now()
    rel = Release.objects.create(
        number=Release.next_number(),
        name="Payroll 5",
        status="hypercare",
        deployed_at=now - timedelta(hours=1),
        hypercare_ends_at=now + timedelta(days=7),
        known_issues=f"- {ISSUE}\n- Export to CSV is slow\n",
    )
    rel.changes.add(make_change(actor=change_manager(), services=[payroll]))
    rel.articles.add(ArticleFactory(title="Payroll 5: what changed", audience="internal"))
    SupportStaffing.objects.create(
        release=rel, agent=agent, starts_at=now, ends_at=now + timedelta(days=1), notes="Early"
    )
    return rel


def test_a_ticket_raised_on_the_service_in_the_window_shows_the_release_in_three_queries(
    release, requester, agent, payroll, django_assert_num_queries
):
    ticket = make_ticket(requester=requester, actor=agent, service=payroll)
    with django_assert_num_queries(3):
        panel = release_panel_for_ticket(ticket=ticket, user=agent)
        (entry,) = panel["releases"]
        assert [a.title for a in entry["release"].articles.all()] == ["Payroll 5: what changed"]
        assert [s.notes for s in entry["release"].staffing.all()] == ["Early"]
    assert entry["release"].pk == release.pk
    assert entry["known_issues"] == [ISSUE, "Export to CSV is slow"]
    assert not entry["release"].is_tagged


def test_no_release_is_one_query_and_requesters_see_none(
    release, requester, agent, django_assert_num_queries
):
    elsewhere = make_ticket(requester=requester, actor=agent, service=ServiceFactory(name="Mail"))
    with django_assert_num_queries(1):
        assert release_panel_for_ticket(ticket=elsewhere, user=agent) is None
    assert release_panel_for_ticket(ticket=elsewhere, user=requester) is None


def test_known_issue_tags_the_ticket_and_records_which_audited(release, requester, agent, payroll):
    ticket = make_ticket(requester=requester, actor=agent, service=payroll)
    services.release_tag_known_issue(release=release, ticket=ticket, actor=agent, known_issue=ISSUE)
    tag = ReleaseIncidentTag.objects.get(release=release, incident=ticket)
    assert tag.known_issue == ISSUE
    event = AuditEvent.objects.get(record_id=ticket.pk, action="release_known_issue")
    assert event.changes["known_issue"] == {"from": "", "to": ISSUE}
    (entry,) = release_panel_for_ticket(ticket=ticket, user=agent)["releases"]
    assert entry["release"].is_tagged and entry["release"].known_issue == ISSUE


def test_a_tagged_ticket_shows_its_release_after_the_window_and_off_the_service(
    release, requester, agent
):
    ticket = make_ticket(requester=requester, actor=agent)
    ReleaseIncidentTag.objects.create(release=release, incident=ticket)
    assert release_panel_for_ticket(ticket=ticket, user=agent)["releases"][0]["release"] == release


def test_known_issue_refuses_other_text_and_requesters(release, requester, agent, payroll):
    ticket = make_ticket(requester=requester, actor=agent, service=payroll)
    with pytest.raises(InvalidReleaseInput, match="Choose one of the known issues"):
        services.release_tag_known_issue(
            release=release, ticket=ticket, actor=agent, known_issue="Made up"
        )
    with pytest.raises(PermissionRefused):
        services.release_tag_known_issue(
            release=release, ticket=ticket, actor=requester, known_issue=ISSUE
        )


def test_the_known_issue_button_by_htmx_returns_the_panel_showing_it(
    client_as, release, requester, agent, payroll
):
    ticket = make_ticket(requester=requester, actor=agent, service=payroll)
    client = client_as(agent)
    html = client.get(f"/desk/tickets/{ticket.number}/panels/").content.decode()
    assert 'id="hypercare-panel"' in html and ISSUE in html and 'data-known-issue="1"' in html
    response = client.post(
        f"/desk/releases/{release.number}/known-issue/{ticket.number}/",
        {"known_issue": ISSUE},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f"This ticket is a known issue of {release.number}: {ISSUE}" in response.content.decode()
    bad = client.post(
        f"/desk/releases/{release.number}/known-issue/{ticket.number}/",
        {"known_issue": "nope"},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 400 and "Choose one of the known issues" in bad.content.decode()
