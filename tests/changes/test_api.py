"""/api/v1/changes/: status codes, who may vote (403/404), 409 on stale versions."""

from datetime import UTC, datetime, timedelta

import pytest

from changes.models import ChangeRequest
from itsm.audit.models import AuditEvent
from tests.changes.factories import cab, change_manager, make_change, to_cab
from tests.factories.cmdb import ServiceFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 6, 10, 22, 0, tzinfo=UTC)


@pytest.fixture
def cm(db):
    return change_manager()


@pytest.fixture
def erp(db):
    return ServiceFactory(name="ERP")


def test_change_manager_raises_a_change_through_the_api(api_as, cm, erp):
    response = api_as(cm).post(
        "/api/v1/changes/",
        {
            "title": "Upgrade ERP",
            "services": [erp.pk],
            "planned_start": T0.isoformat(),
            "planned_end": (T0 + timedelta(hours=2)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("CHG")
    assert body["status"] == "draft"
    assert body["services"] == ["ERP"]
    assert body["version"] == 1


def test_bad_window_is_a_400_with_field_errors(api_as, cm):
    response = api_as(cm).post(
        "/api/v1/changes/",
        {"title": "x", "planned_start": T0.isoformat(), "planned_end": T0.isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert "planned_end" in response.json()


def test_requester_cannot_see_or_vote_on_changes(api_as, cm, erp, requester):
    change = make_change(actor=cm, start=T0, services=[erp])
    client = api_as(requester)
    assert client.get("/api/v1/changes/").json()["results"] == []
    assert client.get(f"/api/v1/changes/{change.number}/").status_code == 404
    assert client.post(f"/api/v1/changes/{change.number}/approve/", {}).status_code == 404


def test_only_cab_members_approve_others_get_403(api_as, cm, erp, agent):
    members = cab(2)
    change = to_cab(make_change(actor=cm, start=T0, services=[erp]), cm)
    assert api_as(agent).post(f"/api/v1/changes/{change.number}/approve/", {}).status_code == 403
    assert api_as(cm).post(f"/api/v1/changes/{change.number}/approve/", {}).status_code == 403
    response = api_as(members[0]).post(
        f"/api/v1/changes/{change.number}/approve/", {"comment": "OK"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["approvals"][0]["decision"] == "approved"
    response = api_as(members[1]).post(f"/api/v1/changes/{change.number}/reject/", {})
    assert response.status_code == 400
    assert response.json()["field"] == "comment"
    response = api_as(members[1]).post(
        f"/api/v1/changes/{change.number}/reject/", {"comment": "Not now."}, format="json"
    )
    assert response.json()["status"] == "rejected"
    audited = AuditEvent.objects.filter(record_id=change.pk, action__startswith="cab_")
    assert {e.action for e in audited} >= {"cab_approved", "cab_rejected"}


def test_stale_version_gets_409(api_as, cm, erp):
    change = make_change(actor=cm, start=T0, services=[erp])
    client = api_as(cm)
    ok = client.post(
        f"/api/v1/changes/{change.number}/transition/",
        {"to_status": "assessment", "version": change.version},
        format="json",
    )
    assert ok.status_code == 200
    stale = client.post(
        f"/api/v1/changes/{change.number}/transition/",
        {"to_status": "cancelled", "version": change.version, "reason": "x"},
        format="json",
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["current_version"] == change.version + 1


def test_refused_move_is_a_400_with_the_reason(api_as, cm, erp):
    change = make_change(actor=cm, start=T0, services=[erp])
    response = api_as(cm).post(
        f"/api/v1/changes/{change.number}/transition/",
        {"to_status": "scheduled", "version": change.version},
        format="json",
    )
    assert response.status_code == 400
    assert "standard change" in response.json()["detail"]


def test_risk_and_override_actions(api_as, cm, erp):
    change = make_change(actor=cm, start=T0, services=[erp])
    client = api_as(cm)
    body = client.post(
        f"/api/v1/changes/{change.number}/risk/",
        {"version": 1, "impact": "degraded", "likelihood": "medium", "backout": "moderate"},
        format="json",
    ).json()
    assert body["risk_level"] == "medium"
    assert body["risk_reasons"]
    body = client.post(
        f"/api/v1/changes/{change.number}/risk-override/",
        {"version": body["version"], "level": "high", "reason": "Payroll week."},
        format="json",
    ).json()
    assert body["risk_level"] == "high"


def test_filters_by_status_and_service(api_as, cm, erp):
    crm = ServiceFactory(name="CRM")
    make_change(actor=cm, start=T0, services=[erp])
    make_change(actor=cm, start=T0, services=[crm])
    client = api_as(cm)
    assert len(client.get(f"/api/v1/changes/?service={erp.pk}").json()["results"]) == 1
    assert len(client.get("/api/v1/changes/?status=draft").json()["results"]) == 2
    assert client.get("/api/v1/changes/?status=closed").json()["results"] == []


def test_list_query_count_does_not_grow_with_rows(api_as, cm, erp, django_assert_max_num_queries):
    client = api_as(cm)
    for _ in range(3):
        make_change(actor=cm, start=T0, services=[erp])
    with django_assert_max_num_queries(12) as small:
        client.get("/api/v1/changes/")
    for _ in range(12):
        make_change(actor=cm, start=T0, services=[erp])
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/api/v1/changes/")
    assert ChangeRequest.objects.count() == 15


def test_changes_are_in_the_openapi_schema(api_as, cm):
    schema = api_as(cm).get("/api/v1/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/changes/",
        "/api/v1/changes/{number}/transition/",
        "/api/v1/changes/{number}/approve/",
        "/api/v1/changes/{number}/reject/",
        "/api/v1/releases/{number}/transition/",
    ):
        assert path in schema["paths"]
