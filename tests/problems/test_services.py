"""Problem services: trend detection, candidates, linking, known errors, resolution."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from itsm.accounts.roles import Role
from itsm.audit.models import AuditEvent
from itsm.core.exceptions import PermissionRefused, StaleVersion, TransitionNotAllowed
from itsm.notifications.models import Notification
from problems import selectors, services
from problems.models import Problem, ProblemCandidate, ProblemDetectionRule
from tests.factories.accounts import UserFactory
from tests.factories.cmdb import ConfigurationItemFactory, ServiceFactory
from tests.factories.tickets import make_ticket
from tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def problem_manager(service_desk_team):
    user = UserFactory(
        email="paula@example.com", display_name="Paula Problem", roles=[Role.PROBLEM_MANAGER]
    )
    service_desk_team.members.add(user)
    return user


@pytest.fixture
def vpn():
    return ServiceFactory(name="VPN")


def _incidents(n, *, requester, agent, **fields):
    return [make_ticket(requester=requester, actor=agent, **fields) for _ in range(n)]


def test_trend_detection_finds_the_seeded_pattern_and_not_the_noise(requester, agent, vpn):
    ProblemDetectionRule.objects.create(
        name="Service repeats", group_by="service", min_incidents=4, window_days=7
    )
    pattern = _incidents(4, requester=requester, agent=agent, service=vpn)
    for i in range(3):  # noise: three services, one or two incidents each
        _incidents(1 + i % 2, requester=requester, agent=agent, service=ServiceFactory())
    old = _incidents(3, requester=requester, agent=agent, service=ServiceFactory(name="Old"))
    Ticket.objects.filter(pk__in=[t.pk for t in old]).update(
        created_at=timezone.now() - dt.timedelta(days=30)
    )
    _incidents(1, requester=requester, agent=agent, service=old[0].service)

    assert services.problem_candidates_detect() == 1
    (candidate,) = ProblemCandidate.objects.all()
    assert candidate.group_label == "Service: VPN"
    assert candidate.incident_ids == [t.pk for t in pattern]
    assert services.problem_candidates_detect() == 0  # still open: not proposed twice


def test_a_dismissed_group_is_not_proposed_again(requester, agent, vpn, problem_manager):
    ProblemDetectionRule.objects.create(name="r", group_by="service", min_incidents=3)
    _incidents(3, requester=requester, agent=agent, service=vpn)
    services.problem_candidates_detect()
    candidate = ProblemCandidate.objects.get()
    services.problem_candidate_dismiss(candidate=candidate, actor=problem_manager, note="Noise")
    _incidents(3, requester=requester, agent=agent, service=vpn)
    assert services.problem_candidates_detect() == 0
    assert list(ProblemCandidate.objects.values_list("status", flat=True)) == ["dismissed"]


def test_accepting_creates_a_problem_with_the_incidents_linked(requester, agent, problem_manager):
    category = Category.objects.create(name="Printing")
    ProblemDetectionRule.objects.create(name="r", group_by="category", min_incidents=3)
    incidents = _incidents(3, requester=requester, agent=agent, category=category)
    services.problem_candidates_detect()
    candidate = ProblemCandidate.objects.get()
    with pytest.raises(PermissionRefused):
        services.problem_candidate_accept(candidate=candidate, actor=agent)
    problem = services.problem_candidate_accept(
        candidate=candidate, actor=problem_manager, statement="Printers drop jobs"
    )
    assert problem.number.startswith("PRB") and problem.statement == "Printers drop jobs"
    assert set(problem.incidents.values_list("pk", flat=True)) == {t.pk for t in incidents}
    assert problem.category == category
    candidate.refresh_from_db()
    assert candidate.status == "accepted" and candidate.problem == problem
    # Linked incidents are no longer counted: the same group is not proposed again.
    assert services.problem_candidates_detect() == 0
    assert AuditEvent.objects.filter(record_id=incidents[0].pk, action="problem_linked").exists()


def test_the_life_cycle_records_the_root_cause_and_refuses_a_stale_version(
    requester, agent, problem_manager, vpn
):
    problem = services.problem_create(actor=agent, statement="VPN drops", service=vpn)
    with pytest.raises(PermissionRefused):
        services.problem_transition(
            problem=problem, actor=agent, to_status="assessed", expected_version=1
        )
    services.problem_link_incidents(
        problem=problem,
        actor=agent,
        incidents=_incidents(1, requester=requester, agent=agent, service=vpn),
    )
    problem = services.problem_transition(
        problem=problem, actor=problem_manager, to_status="assessed", expected_version=1
    )
    with pytest.raises(TransitionNotAllowed):
        services.problem_transition(
            problem=problem,
            actor=problem_manager,
            to_status="root_cause_known",
            expected_version=problem.version,
        )
    with pytest.raises(StaleVersion):
        services.problem_transition(
            problem=problem,
            actor=problem_manager,
            to_status="root_cause_known",
            expected_version=1,
            root_cause="x",
        )
    problem = services.problem_transition(
        problem=problem,
        actor=problem_manager,
        to_status="root_cause_known",
        expected_version=problem.version,
        root_cause="Concentrator firmware leaks sessions",
    )
    assert problem.status == "root_cause_known"
    assert problem.root_cause == "Concentrator firmware leaks sessions"


def test_resolving_a_problem_notifies_the_assignees_of_linked_open_incidents(
    requester, agent, agent_other_team, other_team, problem_manager, vpn
):
    mine = make_ticket(requester=requester, actor=agent, service=vpn)
    from tickets.services import ticket_assign

    ticket_assign(
        ticket=mine, actor=agent, expected_version=None, team=other_team, assignee=agent_other_team
    )
    problem = services.problem_create(
        actor=problem_manager, statement="VPN drops", service=vpn, incidents=[mine]
    )
    problem.status = "fix_in_progress"
    problem.root_cause = "firmware"
    problem.save()
    Notification.objects.all().delete()
    services.problem_transition(
        problem=problem,
        actor=problem_manager,
        to_status="resolved",
        expected_version=None,
        resolution_notes="Firmware 9.2 rolled out",
    )
    (row,) = Notification.objects.filter(event="problem_resolved")
    assert row.target == agent_other_team.email
    assert "Firmware 9.2 rolled out" in row.body_text and mine.number in row.body_text


def test_a_published_known_error_shows_on_matching_incidents_only(
    requester, agent, problem_manager, vpn
):
    ci = ConfigurationItemFactory(name="vpn-gw-1", service=vpn)
    problem = services.problem_create(actor=problem_manager, statement="VPN drops", ci=ci)
    match_ci = make_ticket(requester=requester, actor=agent, ci=ci)
    other = make_ticket(requester=requester, actor=agent, service=ServiceFactory(name="Mail"))
    assert selectors.known_errors_for_ticket(ticket=match_ci, user=agent) == []

    services.problem_publish_known_error(
        problem=problem,
        actor=problem_manager,
        expected_version=problem.version,
        workaround="Reconnect with the backup gateway.",
        create_article=True,
    )
    problem.refresh_from_db()
    assert problem.is_known_error and problem.knowledge_article.status == "draft"
    assert "Reconnect with the backup gateway." in problem.knowledge_article.body
    assert problem.knowledge_article.audience == "internal"
    assert selectors.known_errors_for_ticket(ticket=match_ci, user=agent) == [problem]
    assert selectors.known_errors_for_ticket(ticket=other, user=agent) == []


def test_linking_is_for_incidents_and_desk_staff_only(requester, agent, problem_manager):
    problem = services.problem_create(actor=problem_manager, statement="x")
    incident = make_ticket(requester=requester, actor=agent)
    with pytest.raises(PermissionRefused):
        services.problem_link_incidents(problem=problem, actor=requester, incidents=[incident])
    assert services.problem_link_incidents(
        problem=problem, actor=agent, incidents=[incident, incident]
    ) == [incident]
    assert services.problem_link_incidents(problem=problem, actor=agent, incidents=[incident]) == []


def test_problems_are_visible_to_the_desk_only(requester, agent, cab_member, problem_manager):
    """STYLE §2.3: every problem selector starts from Problem.objects.visible_to(user)."""
    problem = services.problem_create(actor=problem_manager, statement="VPN drops")
    assert list(Problem.objects.visible_to(agent)) == [problem]
    assert list(Problem.objects.visible_to(cab_member)) == [problem]
    assert list(Problem.objects.visible_to(requester)) == []
    assert list(selectors.problem_list(user=requester)) == []
    with pytest.raises(Http404):
        selectors.problem_get(user=requester, number=problem.number)
    assert selectors.problem_get(user=agent, number=problem.number) == problem
