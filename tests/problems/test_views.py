"""Desk problem pages, the ticket page's known-error panel and the candidates queue."""

import pytest

from itsm.accounts.roles import Role
from problems import services
from problems.models import ProblemCandidate, ProblemDetectionRule
from tests.factories.accounts import UserFactory
from tests.factories.cmdb import ServiceFactory
from tests.factories.tickets import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def problem_manager(service_desk_team):
    user = UserFactory(email="paula@example.com", roles=[Role.PROBLEM_MANAGER])
    service_desk_team.members.add(user)
    return user


def test_list_renders_full_and_as_an_htmx_partial(client_as, problem_manager):
    services.problem_create(actor=problem_manager, statement="VPN drops")
    client = client_as(problem_manager)
    full = client.get("/desk/problems/?status=open")
    assert full.status_code == 200 and b"VPN drops" in full.content and b"<nav" in full.content
    partial = client.get(
        "/desk/problems/?status=open", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="problem-table"
    )
    assert b"VPN drops" in partial.content and b'<nav class="desk-nav"' not in partial.content


def test_list_query_count_does_not_grow_with_rows(
    client_as, problem_manager, django_assert_max_num_queries
):
    client = client_as(problem_manager)
    services.problem_create(actor=problem_manager, statement="one")
    client.get("/desk/problems/")
    with django_assert_max_num_queries(12) as few:
        client.get("/desk/problems/")
    for i in range(10):
        services.problem_create(actor=problem_manager, statement=f"p{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/desk/problems/")


def test_detail_create_and_requester_gets_403(client_as, problem_manager, requester):
    client = client_as(problem_manager)
    response = client.post("/desk/problems/new/", {"statement": "Printers jam", "priority": 3})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b"Printers jam" in page.content and b"Root-cause analysis" in page.content
    assert client_as(requester).get("/desk/problems/").status_code == 403


def test_an_agent_sees_the_known_error_on_a_matching_incident_and_links_it(
    client_as, problem_manager, agent, requester
):
    vpn = ServiceFactory(name="VPN")
    problem = services.problem_create(actor=problem_manager, statement="VPN drops", service=vpn)
    services.problem_publish_known_error(
        problem=problem, actor=problem_manager, expected_version=None, workaround="Use gw-2"
    )
    incident = make_ticket(requester=requester, actor=agent, service=vpn)
    client = client_as(agent)
    page = client.get(f"/desk/tickets/{incident.number}/panels/")
    assert b"Known error" in page.content and b"Use gw-2" in page.content
    client.post(f"/desk/problems/from-incident/{incident.number}/", {"problem": problem.number})
    assert list(problem.incidents.all()) == [incident]


def test_the_candidates_queue_accepts_and_dismisses(client_as, problem_manager, agent, requester):
    ProblemDetectionRule.objects.create(name="r", group_by="service", min_incidents=2)
    for name in ("VPN", "Mail"):
        service = ServiceFactory(name=name)
        for _ in range(2):
            make_ticket(requester=requester, actor=agent, service=service)
    services.problem_candidates_detect()
    client = client_as(problem_manager)
    page = client.get("/desk/problems/candidates/")
    assert b"Service: VPN" in page.content and b"Service: Mail" in page.content
    vpn, mail = (ProblemCandidate.objects.get(group_label=f"Service: {n}") for n in ("VPN", "Mail"))
    accepted = client.post(f"/desk/problems/candidates/{vpn.pk}/accept/", {"statement": "VPN"})
    assert accepted.status_code == 302 and "/desk/problems/PRB" in accepted["Location"]
    client.post(f"/desk/problems/candidates/{mail.pk}/dismiss/", {"note": "noise"})
    page = client.get("/desk/problems/candidates/")
    assert b"Service: VPN" not in page.content and b"Service: Mail" not in page.content


def test_a_stale_analysis_re_renders_the_page_with_the_typed_text_and_the_new_version(
    client_as, problem_manager
):
    problem = services.problem_create(actor=problem_manager, statement="VPN drops")
    services.problem_update(
        problem=problem, actor=problem_manager, expected_version=1, symptoms="Drops hourly"
    )
    response = client_as(problem_manager).post(
        f"/desk/problems/{problem.number}/rca/",
        {"version": 1, "root_cause": "My careful root cause", "rca_method": ""},
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "changed by someone else" in html
    assert "My careful root cause" in html
    assert 'name="version" value="2"' in html
    problem.refresh_from_db()
    assert problem.root_cause == ""
