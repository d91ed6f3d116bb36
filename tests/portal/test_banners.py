"""Portal banners: an explicit list of providers, each reading its process app's selector."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from changes.models import ChangeRequest
from itsm.portal import banners
from itsm.portal.banners import (
    BANNER_PROVIDERS,
    PortalBanner,
    banner_list_for_portal,
    planned_maintenance_banners,
)
from tests.factories.cmdb import ServiceFactory

pytestmark = pytest.mark.django_db


def add_change(n: int, *, status="scheduled", in_days=1, services=("VPN",)) -> ChangeRequest:
    start = timezone.now() + timedelta(days=in_days)
    change = ChangeRequest.objects.create(
        number=f"CHG9{n:06d}",
        title=f"Internal change {n}",
        public_title=f"Maintenance {n}",
        status=status,
        planned_start=start,
        planned_end=start + timedelta(hours=2),
    )
    change.services.set([ServiceFactory(name=name) for name in services])
    return change


def test_the_providers_are_an_explicit_list_of_functions():
    assert (planned_maintenance_banners,) == BANNER_PROVIDERS


def test_a_scheduled_change_affecting_a_service_becomes_a_maintenance_banner(requester):
    change = add_change(1, services=("Wi-Fi", "VPN"))
    add_change(2, status="draft")  # not scheduled yet
    add_change(3, in_days=9)  # beyond the next seven days
    add_change(4, services=())  # affects no service: nothing to warn requesters about

    assert banner_list_for_portal(user=requester) == [
        PortalBanner(
            kind="maintenance",
            title="Maintenance 1",
            starts_at=change.planned_start,
            ends_at=change.planned_end,
            services=("VPN", "Wi-Fi"),
        )
    ]


def test_at_most_five_banners_per_provider_show_soonest_first(requester):
    for n in range(7):
        add_change(n, in_days=1 + n / 10, services=(f"Service {n}",))
    titles = [banner.title for banner in banner_list_for_portal(user=requester)]
    assert titles == [f"Maintenance {n}" for n in range(banners.MAX_BANNERS_PER_PROVIDER)]


def test_every_provider_is_asked_with_the_requester_in_list_order(monkeypatch, requester):
    asked = []

    def first(*, user):
        asked.append(("first", user))
        return [PortalBanner(kind="notice", title="First")]

    def second(*, user):
        asked.append(("second", user))
        return [PortalBanner(kind="notice", title="Second")]

    monkeypatch.setattr(banners, "BANNER_PROVIDERS", (first, second))
    assert [b.title for b in banner_list_for_portal(user=requester)] == ["First", "Second"]
    assert asked == [("first", requester), ("second", requester)]


def test_a_failing_provider_is_not_hidden(monkeypatch, requester):
    def broken(*, user):
        raise LookupError("a real bug in a provider")

    monkeypatch.setattr(banners, "BANNER_PROVIDERS", (planned_maintenance_banners, broken))
    with pytest.raises(LookupError):
        banner_list_for_portal(user=requester)


def test_the_home_page_shows_planned_maintenance(client_as, requester):
    add_change(1, services=("Wi-Fi", "VPN"))
    add_change(2, services=("Printing",))
    add_change(2_000, status="draft")
    html = client_as(requester).get(reverse("portal:home")).content.decode()
    assert "Planned maintenance:" in html
    assert "Maintenance 1" in html
    assert "Affects VPN, Wi-Fi" in html
    assert "Affects Printing" in html
    assert "Maintenance 2000" not in html
