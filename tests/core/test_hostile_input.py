"""Hostile input answers 4xx with a message in the shape of its interface (issue #15): JSON for
the API, the product's error page for the desk and the portal — never a 500, never Django's
bare HTML 400."""

import pytest

from itsm.audit.models import AuditEvent
from tests.factories.tickets import make_ticket

pytestmark = pytest.mark.django_db


def _is_json_error(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert body.get("detail") or body, body
    return body


# --- A NUL byte in the path ----------------------------------------------------------------


def test_nul_in_an_api_path_is_a_json_400(api_as, agent):
    response = api_as(agent).get("/api/v1/incidents/%00/")
    assert response.status_code == 400
    assert "NUL" in _is_json_error(response)["detail"]


@pytest.mark.parametrize("path", ["/desk/tickets/%00/", "/portal/tickets/INC%00/"])
def test_nul_in_a_page_path_is_the_products_400_page(client_as, agent, path):
    response = client_as(agent).get(path)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "<h1>" in page and "NUL" in page


def test_nul_in_an_api_query_is_a_json_400(api_as, agent):
    response = api_as(agent).get("/api/v1/incidents/?q=%00")
    assert response.status_code == 400
    assert "NUL" in _is_json_error(response)["detail"]


# --- JSON the parser must refuse -------------------------------------------------------------


def test_json_nested_2000_deep_is_a_400(api_as, agent):
    body = '{"short_description": ' + "[" * 2000 + "]" * 2000 + "}"
    response = api_as(agent).post("/api/v1/incidents/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "deep" in _is_json_error(response)["detail"]


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity", "-Infinity"])
def test_a_number_json_cannot_hold_is_a_400(api_as, agent, number):
    body = '{"short_description": "VPN down", "category": ' + number + "}"
    response = api_as(agent).post("/api/v1/incidents/", data=body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert _is_json_error(response)["detail"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("category", "Infinity"), ("category", "NaN"), ("impact", "1e400"), ("category", 10**20)],
)
def test_an_infinite_or_huge_value_in_a_numeric_field_is_a_field_error(api_as, agent, field, value):
    response = api_as(agent).post(
        "/api/v1/incidents/", {"short_description": "VPN down", field: value}, format="json"
    )
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()


# --- Page numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/services/", "/api/v1/problems/"])
def test_a_page_number_past_any_page_is_a_json_404(api_as, agent, path):
    response = api_as(agent).get(path, {"page": "99999999999999999999"})
    assert response.status_code == 404
    assert _is_json_error(response)["detail"]


@pytest.mark.parametrize("path", ["/desk/tickets/", "/desk/problems/"])
def test_a_huge_page_number_on_a_desk_list_is_not_a_500(client_as, agent, path):
    response = client_as(agent).get(path, {"page": "99999999999999999999"})
    assert response.status_code in (200, 404)


# --- A body too large -------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_a_10_mb_api_body_is_a_json_413(api_as, agent, content_type):
    body = "a" * (10 * 1024 * 1024)
    payload = (
        '{"short_description": "' + body + '"}'
        if content_type == "application/json"
        else f"short_description={body}"
    )
    response = api_as(agent).post("/api/v1/incidents/", data=payload, content_type=content_type)
    assert response.status_code == 413
    assert "MB" in _is_json_error(response)["detail"]


# --- A PATCH that changes nothing -------------------------------------------------------------


def test_a_patch_of_only_unknown_fields_is_a_400_that_names_them(api_as, agent, requester):
    ticket = make_ticket(requester=requester)
    events = AuditEvent.objects.count()
    response = api_as(agent).patch(
        f"/api/v1/incidents/{ticket.number}/",
        {"version": ticket.version, "colour": "blue", "mood": "calm"},
        format="json",
    )
    assert response.status_code == 400, response.json()
    body = response.json()
    assert set(body) >= {"colour", "mood"}
    assert "colour" in body["detail"] and "mood" in body["detail"]
    ticket.refresh_from_db()
    assert ticket.version == 1
    assert AuditEvent.objects.count() == events


def test_a_patch_of_only_the_version_is_a_400(api_as, agent, requester):
    ticket = make_ticket(requester=requester)
    response = api_as(agent).patch(
        f"/api/v1/incidents/{ticket.number}/", {"version": ticket.version}, format="json"
    )
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.version == 1


@pytest.mark.parametrize("path", ["/api/v1/services/{}/"])
def test_a_cmdb_patch_of_only_unknown_fields_names_them(api_as, admin_user, path):
    from itsm.cmdb.models import Service

    service = Service.objects.create(name="VPN")
    response = api_as(admin_user).patch(path.format(service.pk), {"colour": "x"}, format="json")
    assert response.status_code == 400
    assert "colour" in response.json()


def test_a_form_too_large_for_a_desk_page_is_the_products_413_page(client_as, agent):
    response = client_as(agent).post(
        "/desk/tickets/new/",
        data="short_description=" + "a" * (3 * 1024 * 1024),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "MB" in response.content.decode()
