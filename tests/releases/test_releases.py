"""Releases: the life-cycle table, the deploy guard, plans, hypercare tagging, API, pages."""

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import timezone

from itsm.accounts.roles import Role
from itsm.core.exceptions import TransitionNotAllowed
from releases import services, workflow
from releases.choices import ReleaseStatus as S
from releases.models import ReleaseIncidentTag
from tests.changes.factories import approve_all, cab, change_manager, make_change, move, to_cab
from tests.factories.accounts import UserFactory
from tests.factories.cmdb import ServiceFactory
from tests.factories.tickets import make_ticket

ALLOWED = {
    (S.PLANNING, S.BUILD),
    (S.BUILD, S.TEST),
    (S.TEST, S.BUILD),
    (S.TEST, S.DEPLOY),
    (S.DEPLOY, S.HYPERCARE),
    (S.HYPERCARE, S.CLOSED),
}
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
READY = {
    "now": NOW,
    "change_count": 1,
    "change_refusals": [],
    "changes_not_implemented": [],
    "step_count": 1,
    "open_steps": [],
}


def plain(status, planned_deploy_at=None):
    return SimpleNamespace(status=status, planned_deploy_at=planned_deploy_at)


@pytest.mark.parametrize("from_status", S.values)
@pytest.mark.parametrize("to_status", S.values)
def test_release_table_pair_by_pair(from_status, to_status):
    refusal = workflow.refusal(plain(from_status), to_status, can_manage=True, context=READY)
    assert (refusal is None) == ((from_status, to_status) in ALLOWED)


def test_deploy_guard_names_the_changes_not_ready():
    refusal = workflow.refusal(
        plain(S.TEST),
        S.DEPLOY,
        can_manage=True,
        context={**READY, "change_refusals": ["CHG0001001 is awaiting cab"]},
    )
    assert "CHG0001001 is awaiting cab" in refusal


def test_hypercare_waits_until_every_change_is_implemented():
    refusal = workflow.refusal(
        plain(S.DEPLOY),
        S.HYPERCARE,
        can_manage=True,
        context={**READY, "changes_not_implemented": ["CHG0001001 is scheduled"]},
    )
    assert refusal == "Not every change is implemented yet: CHG0001001 is scheduled."


def test_hypercare_waits_for_the_planned_deployment_time():
    planned = NOW + timedelta(hours=3)
    refusal = workflow.refusal(
        plain(S.DEPLOY, planned), S.HYPERCARE, can_manage=True, context=READY
    )
    assert "hypercare cannot start before then" in refusal
    on_time = {**READY, "now": planned}
    assert (
        workflow.refusal(plain(S.DEPLOY, planned), S.HYPERCARE, can_manage=True, context=on_time)
        is None
    )


@pytest.mark.parametrize(
    ("status", "default"),
    [
        (S.PLANNING, S.BUILD),
        (S.BUILD, S.TEST),
        (S.TEST, S.DEPLOY),  # not "Back to build", listed beside it
        (S.DEPLOY, S.HYPERCARE),
        (S.HYPERCARE, S.CLOSED),  # the only move forward
    ],
)
def test_the_page_preselects_the_natural_next_step(status, default):
    moves = workflow.allowed_transitions(plain(status), can_manage=True)
    assert workflow.default_transition(moves) == default


def test_hypercare_needs_finished_steps_and_only_the_manager_moves():
    release = plain(S.DEPLOY)
    assert "Smoke test" in workflow.refusal(
        release, S.HYPERCARE, can_manage=True, context={**READY, "open_steps": ["Smoke test"]}
    )
    assert workflow.refusal(release, S.HYPERCARE, can_manage=False, context=READY) == (
        "Only the release manager can move a release."
    )


# --- Services on Postgres ---


@pytest.fixture
def rm(db):
    return UserFactory(
        email="rory@example.com", display_name="Rory Release", roles=[Role.RELEASE_MANAGER]
    )


@pytest.fixture
def setup(db, rm):
    cm = change_manager()
    erp = ServiceFactory(name="ERP")
    members = cab(1)
    start = timezone.now() + timedelta(days=1)
    ready = approve_all(to_cab(make_change(actor=cm, start=start, services=[erp]), cm), members)
    ready = move(ready, cm, "scheduled")
    waiting = make_change(actor=cm, start=start, services=[erp], title="Second change")
    release = services.release_create(
        actor=rm, name="ERP spring", version_label="4.2", changes=[ready, waiting]
    )
    return SimpleNamespace(
        cm=cm, erp=erp, members=members, ready=ready, waiting=waiting, release=release
    )


def _move(release, actor, to_status):
    release.refresh_from_db()
    return services.release_transition(
        release=release, actor=actor, to_status=to_status, expected_version=release.version
    )


def _implement(change, cm):
    move(change, cm, "implementing", window_override_reason="Deployed with the release.")
    return move(change, cm, "review", review_outcome="successful")


@pytest.fixture
def deploying(setup, rm):
    """GIVEN a release in deployment, steps done, its one change approved but only scheduled,
    and its deployment planned for tomorrow."""
    release = setup.release
    services.release_update(
        release=release,
        actor=rm,
        expected_version=release.version,
        changes=[setup.ready],
        planned_deploy_at=timezone.now() + timedelta(days=1),
    )
    for status in ("build", "test"):
        _move(release, rm, status)
    step = services.release_step_add(release=release, actor=rm, title="Deploy ERP 4.2")
    _move(release, rm, "deploy")
    services.release_step_set_status(step=step, actor=rm, status="done")
    release.refresh_from_db()
    return release


@pytest.mark.django_db
def test_the_service_keeps_a_release_out_of_hypercare_until_deployed(deploying, setup, rm):
    with pytest.raises(TransitionNotAllowed, match=f"{setup.ready.number} is scheduled"):
        _move(deploying, rm, "hypercare")
    _implement(setup.ready, setup.cm)
    with pytest.raises(TransitionNotAllowed, match="hypercare cannot start before then"):
        _move(deploying, rm, "hypercare")
    with time_machine.travel(deploying.planned_deploy_at + timedelta(minutes=1), tick=False):
        assert _move(deploying, rm, "hypercare").status == "hypercare"


@pytest.mark.django_db
def test_the_api_keeps_a_release_out_of_hypercare_until_deployed(deploying, setup, rm, api_as):
    response = api_as(rm).post(
        f"/api/v1/releases/{deploying.number}/transition/",
        {"to_status": "hypercare", "version": deploying.version},
        format="json",
    )
    assert response.status_code == 400
    assert f"{setup.ready.number} is scheduled" in response.json()["detail"]
    deploying.refresh_from_db()
    assert deploying.status == "deploy"


@pytest.mark.django_db
def test_the_desk_page_keeps_a_release_out_of_hypercare_until_deployed(
    deploying, setup, rm, client_as
):
    _implement(setup.ready, setup.cm)
    response = client_as(rm).post(
        f"/desk/releases/{deploying.number}/transition/",
        {"to_status": "hypercare", "version": deploying.version},
        follow=True,
    )
    assert "hypercare cannot start before then" in response.content.decode()
    deploying.refresh_from_db()
    assert (deploying.status, deploying.deployed_at) == ("deploy", None)


def _selected(page: str) -> list[str]:
    form = page.split('id="release-transition-form"', 1)[1].split("</form>", 1)[0]
    return re.findall(r'<option value="([^"]*)" selected>', form)


@pytest.mark.django_db
def test_move_the_release_preselects_the_forward_step_not_the_step_back(setup, rm, client_as):
    release = setup.release
    _move(release, rm, "build")
    _move(release, rm, "test")
    page = client_as(rm).get(f"/desk/releases/{release.number}/").content.decode()
    assert "Back to build" in page
    assert _selected(page) == ["deploy"]


@pytest.mark.django_db
def test_release_cannot_deploy_until_its_changes_are_scheduled_and_approved(setup, rm):
    release = setup.release
    assert release.number.startswith("RLS")
    _move(release, rm, "build")
    _move(release, rm, "test")
    services.release_step_add(release=release, actor=rm, title="Deploy ERP 4.2")
    with pytest.raises(Exception, match=setup.waiting.number):
        _move(release, rm, "deploy")
    move(setup.waiting, setup.cm, "cancelled", reason="Folded into the first change.")
    release.refresh_from_db()
    services.release_update(
        release=release, actor=rm, expected_version=release.version, changes=[setup.ready]
    )
    assert _move(release, rm, "deploy").status == "deploy"


@pytest.mark.django_db
def test_hypercare_tags_incidents_on_the_release_services_in_the_window(setup, rm, agent):
    release = setup.release
    services.release_update(
        release=release,
        actor=rm,
        expected_version=release.version,
        changes=[setup.ready],
        hypercare_days=3,
    )
    for status in ("build", "test"):
        _move(release, rm, status)
    step = services.release_step_add(release=release, actor=rm, title="Deploy")
    _move(release, rm, "deploy")
    services.release_step_set_status(step=step, actor=rm, status="done")
    _implement(setup.ready, setup.cm)
    deployed = _move(release, rm, "hypercare")
    assert deployed.hypercare_ends_at - deployed.deployed_at == timedelta(days=3)
    ReleaseIncidentTag.objects.all().delete()
    with time_machine.travel(deployed.deployed_at - timedelta(minutes=1), tick=False):
        before = make_ticket(requester=agent, service=setup.erp)
    with time_machine.travel(deployed.deployed_at + timedelta(hours=1), tick=False):
        during = make_ticket(requester=agent, service=setup.erp, impact=1, urgency=1)
        other = make_ticket(requester=agent, service=ServiceFactory(name="CRM"))
    with time_machine.travel(deployed.hypercare_ends_at + timedelta(hours=1), tick=False):
        make_ticket(requester=agent, service=setup.erp)
    services.release_tag_hypercare_incidents()
    services.release_tag_hypercare_incidents()
    tagged = set(release.incident_tags.values_list("incident__number", flat=True))
    assert tagged == {during.number}
    assert before.number not in tagged and other.number not in tagged


@pytest.mark.django_db
def test_only_release_managers_write_releases(setup, agent, api_as, rm):
    assert api_as(agent).post("/api/v1/releases/", {"name": "x"}, format="json").status_code == 403
    assert api_as(rm).post("/api/v1/releases/", {"name": "x"}, format="json").status_code == 201


@pytest.mark.django_db
def test_release_api_transition_409_and_hypercare(setup, rm, api_as, requester):
    client = api_as(rm)
    number = setup.release.number
    assert (
        client.post(
            f"/api/v1/releases/{number}/transition/",
            {"to_status": "build", "version": 1},
            format="json",
        ).status_code
        == 200
    )
    stale = client.post(
        f"/api/v1/releases/{number}/transition/", {"to_status": "test", "version": 1}, format="json"
    )
    assert stale.status_code == 409
    body = client.get(f"/api/v1/releases/{number}/hypercare/").json()
    assert body == {"total": 0, "by_priority": {f"P{p}": 0 for p in range(1, 6)}, "incidents": []}
    assert api_as(requester).get(f"/api/v1/releases/{number}/").status_code == 404


@pytest.mark.django_db
def test_release_pages_show_support_plan_and_hypercare_counts(setup, rm, client_as, agent):
    release = setup.release
    services.release_staffing_add(
        release=release,
        actor=rm,
        agent=agent,
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=8),
        notes="Extra phone cover",
    )
    services.release_update(
        release=release,
        actor=rm,
        expected_version=release.version,
        known_issues="Reports may be slow on day one.",
    )
    client = client_as(agent)
    page = client.get("/desk/releases/")
    assert b"Extra phone cover" in page.content
    assert b"Reports may be slow" in page.content
    detail = client.get(f"/desk/releases/{release.number}/")
    assert detail.status_code == 200
    assert b"Incidents tagged" in detail.content
    assert setup.waiting.number.encode() in detail.content
