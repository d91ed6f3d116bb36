import pytest

from tests.tickets.sla.defaults import sla_defaults  # noqa: F401

pytestmark = pytest.mark.django_db


def test_admin_lists_sla_policies_with_editable_order(client_as, admin_user):
    response = client_as(admin_user).get("/admin/tickets/slapolicy/")
    assert response.status_code == 200
    assert b"P1 default" in response.content
    assert b'name="form-0-order"' in response.content


def test_admin_cannot_add_sla_clocks_by_hand(client_as, admin_user):
    assert client_as(admin_user).get("/admin/tickets/slaclock/add/").status_code == 403
