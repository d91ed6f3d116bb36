"""Releases: the life-cycle table, the deploy guard, plans, hypercare tagging, API, pages."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import timezone

from itsm.accounts.roles import Role
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
READY = {"change_count": 1, "change_refusals": [], "step_count": 1, "open_steps": []}


@pytest.mark.parametrize("from_status", S.values)
@pytest.mark.parametrize("to_status", S.values)
def test_release_table_pair_by_pair(from_status, to_status):
    refusal = workflow.refusal(
        SimpleNamespace(status=from_status), to_status, can_manage=True, context=READY
    )
    assert (refusal is None) == ((from_status, to_status) in ALLOWED)


def test_deploy_guard_names_the_changes_not_ready():
    refusal = workflow.refusal(
        SimpleNamespace(status=S.TEST),
        S.DEPLOY,
        can_manage=True,
        context={**READY, "change_refusals": ["CHG0001001 is awaiting cab"]},
    )
    assert "CHG0001001 is awaiting cab" in refusal


def test_hypercare_needs_finished_steps_and_only_the_manager_moves():
    release = SimpleNamespace(status=S.DEPLOY)
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
