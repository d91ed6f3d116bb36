"""Bad input gets 400 with a message, never 500 (DESIGN §7): every FilterSet's date-time
filters, and every PATCH endpoint sent an empty body."""

import importlib
import re
from datetime import UTC

import django_filters
import pytest
from django.apps import apps
from django.forms import DateTimeField

from itsm.accounts.roles import Role
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.filters import AwareDateTimeField, DateTimeFilter
from tests.changes.factories import make_change
from tests.factories.accounts import UserFactory
from tests.factories.knowledge import ArticleFactory
from tests.factories.tickets import make_ticket
from tickets.choices import TicketKind

pytestmark = pytest.mark.django_db

# An offset Python and ISO 8601 accept and PostgreSQL does not (±15:59 at most).
FAR_OFFSET = "2026-12-02T00:00:00-23:59"
FAR_DATE = "9999-12-31T23:59:59-15:00"  # in range as written, out of range in UTC
OUR_PACKAGES = {"itsm", "tickets", "problems", "changes", "releases", "knowledge"}


def _all_filtersets() -> set[type]:
    for config in apps.get_app_configs():
        for module in ("filtersets", "api.views"):
            try:
                importlib.import_module(f"{config.name}.{module}")
            except ModuleNotFoundError:
                continue
    found, todo = set(), [django_filters.FilterSet]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith(
                ("itsm.", "tickets.", "problems.", "changes.", "releases.", "knowledge.")
            ):
                found.add(sub)
            todo.append(sub)
    return found


def _datetime_filters(filterset: type) -> list[str]:
    return [
        name
        for name, declared in filterset.base_filters.items()
        if issubclass(declared.field_class, DateTimeField)
    ]


# Where each FilterSet with date-time filters answers: the API list (and the desk list).
FILTERSET_URLS = {
    "TicketFilterSet": ["/api/v1/incidents/", "/api/v1/requests/", "/desk/tickets/"],
    "ProblemFilterSet": ["/api/v1/problems/"],
    "ChangeRequestFilterSet": ["/api/v1/changes/"],
    "ReleaseFilterSet": ["/api/v1/releases/"],
}


def test_every_datetime_filter_is_the_shared_one():
    with_datetimes = {fs for fs in _all_filtersets() if _datetime_filters(fs)}
    assert {fs.__name__ for fs in with_datetimes} == set(FILTERSET_URLS)
    for filterset in with_datetimes:
        for name in _datetime_filters(filterset):
            declared = filterset.base_filters[name]
            assert isinstance(declared, DateTimeFilter), f"{filterset.__name__}.{name}"
            assert declared.field_class is AwareDateTimeField


def _cases():
    from changes.filtersets import ChangeRequestFilterSet
    from problems.filtersets import ProblemFilterSet
    from releases.filtersets import ReleaseFilterSet
    from tickets.filtersets import TicketFilterSet

    for filterset in (TicketFilterSet, ProblemFilterSet, ChangeRequestFilterSet, ReleaseFilterSet):
        for url in FILTERSET_URLS[filterset.__name__]:
            for name in _datetime_filters(filterset):
                for value in (FAR_OFFSET, FAR_DATE, "yesterday"):
                    yield pytest.param(url, name, value, id=f"{url}?{name}={value}")


@pytest.mark.parametrize(("url", "name", "value"), list(_cases()))
def test_a_bad_datetime_filter_is_a_400_with_a_message(client, agent, url, name, value):
    client.force_login(agent)
    response = client.get(url, {name: value})
    assert response.status_code == 400
    body = response.content.decode()
    if url.startswith("/api/"):
        assert list(response.json()) == [name]
    if value == FAR_OFFSET:
        assert "between -15:59 and +15:59" in body


def test_an_offset_within_range_filters_in_utc(api_as, agent, requester):
    ticket = make_ticket(requester=requester)
    # 15:59 west of UTC: the ticket, created just now, is long before that moment.
    later = ticket.created_at.astimezone(UTC).replace(tzinfo=None).isoformat() + "-15:59"
    response = api_as(agent).get("/api/v1/incidents/", {"created_before": later})
    assert response.status_code == 200
    assert [t["number"] for t in response.json()["results"]] == [ticket.number]


# --- PATCH with an empty body -----------------------------------------------------------------


@pytest.fixture
def records(agent, requester, manager):
    """One record behind every PATCH endpoint, and someone allowed to edit each."""
    admin = UserFactory(email="root@example.com", roles=[Role.ADMINISTRATOR], is_superuser=True)
    from problems.services import problem_create
    from releases.services import release_create

    service = Service.objects.create(name="Mail")
    return {
        "incidents": make_ticket(requester=requester).number,
        "requests": make_ticket(requester=requester, kind=TicketKind.REQUEST).number,
        "problems": problem_create(actor=admin, statement="Mail drops").number,
        "changes": make_change(actor=admin).number,
        "releases": release_create(actor=admin, name="Mail 2.0").number,
        "articles": ArticleFactory(owner=admin).number,
        "services": service.pk,
        "cis": ConfigurationItem.objects.create(name="mx1", service=service).pk,
        "admin": admin,
    }


@pytest.mark.parametrize(
    "endpoint",
    ["incidents", "requests", "problems", "changes", "releases", "articles", "services", "cis"],
)
def test_an_empty_patch_is_a_400_with_a_message(api_as, records, endpoint):
    response = api_as(records["admin"]).patch(
        f"/api/v1/{endpoint}/{records[endpoint]}/", {}, format="json"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    message = " ".join(str(v) for v in body.values())
    if endpoint == "services":
        assert "at least one field" in message
    else:
        assert list(body) == ["version"]
        assert "version you read" in message


def test_the_version_may_come_as_if_match(api_as, records):
    number = records["releases"]
    response = api_as(records["admin"]).patch(
        f"/api/v1/releases/{number}/", {"name": "Mail 2.1"}, format="json", HTTP_IF_MATCH='W/"1"'
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Mail 2.1"


def _our_forms() -> set[type]:
    from django import forms

    for config in apps.get_app_configs():
        try:
            importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
    found, todo = set(), [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.split(".")[0] in OUR_PACKAGES:
                found.add(sub)
            todo.append(sub)
    return found


def test_every_datetime_form_field_is_the_shared_one():
    """Desk forms (change windows, release dates) hand their values to PostgreSQL too."""
    checked = 0
    for form in _our_forms():
        for name, field in getattr(form, "base_fields", {}).items():
            if isinstance(field, DateTimeField):
                assert isinstance(field, AwareDateTimeField), f"{form.__name__}.{name}"
                checked += 1
    assert checked >= 7


@pytest.mark.parametrize(
    ("value", "message"),
    [(FAR_OFFSET, "between -15:59 and +15:59"), (FAR_DATE, "outside the range")],
)
def test_the_shared_field_refuses_what_postgres_cannot_hold(value, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=re.escape(message)):
        AwareDateTimeField().clean(value)
