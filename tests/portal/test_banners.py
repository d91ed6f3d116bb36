"""The banner registry: providers resolved at call time, absent ones skipped."""

import sys
import types

import pytest
from django.urls import reverse

from itsm.portal import banners
from itsm.portal.banners import PortalBanner, banner_list_for_portal

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_provider(monkeypatch):
    """A module `portal_test_banners` with a provider, registered as the only one."""
    module = types.ModuleType("portal_test_banners")
    sys.modules["portal_test_banners"] = module
    monkeypatch.setattr(
        banners, "BANNER_PROVIDERS", [("maintenance", "portal_test_banners.upcoming")]
    )
    yield module
    del sys.modules["portal_test_banners"]


def test_a_provider_whose_module_is_missing_is_skipped(monkeypatch, requester):
    monkeypatch.setattr(
        banners,
        "BANNER_PROVIDERS",
        [("maintenance", "no_such_app.selectors.planned"), ("x", "itsm.portal.selectors.nope")],
    )
    assert banner_list_for_portal(user=requester) == []


def test_a_provider_that_fails_to_import_inside_its_module_is_not_hidden(monkeypatch, requester):
    module = types.ModuleType("portal_test_broken")
    sys.modules["portal_test_broken"] = module
    monkeypatch.setattr(banners, "import_module", _raise_inner_import_error)
    monkeypatch.setattr(banners, "BANNER_PROVIDERS", [("m", "portal_test_broken.banners")])
    try:
        with pytest.raises(ModuleNotFoundError):
            banner_list_for_portal(user=requester)
    finally:
        del sys.modules["portal_test_broken"]


def _raise_inner_import_error(name):
    raise ModuleNotFoundError("No module named 'yaml'", name="yaml")


def test_mappings_and_objects_become_banners(fake_provider, requester):
    class Change:
        title = "Mail server upgrade"
        planned_start = None
        planned_end = None
        description = "Mail may be slow."

        def get_portal_url(self):
            return "/portal/x/"

    fake_provider.upcoming = lambda: [
        {"number": "CHG1", "title": "VPN patching", "services": ["VPN"]},
        Change(),
    ]
    found = banner_list_for_portal(user=requester)
    assert found == [
        PortalBanner(kind="maintenance", title="VPN patching", services=("VPN",)),
        PortalBanner(
            kind="maintenance",
            title="Mail server upgrade",
            text="Mail may be slow.",
            url="/portal/x/",
        ),
    ]


def test_a_provider_taking_user_gets_it_and_at_most_five_banners_show(fake_provider, requester):
    seen = []

    def upcoming(*, user):
        seen.append(user)
        return ({"title": f"Window {n}"} for n in range(9))

    fake_provider.upcoming = upcoming
    assert len(banner_list_for_portal(user=requester)) == banners.MAX_BANNERS_PER_PROVIDER
    assert seen == [requester]


def test_the_home_page_shows_planned_maintenance(client_as, fake_provider, requester):
    fake_provider.upcoming = lambda: [
        {"title": "Network switch replacement", "services": ["Wi-Fi", "VPN"]}
    ]
    html = client_as(requester).get(reverse("portal:home")).content.decode()
    assert "Planned maintenance:" in html
    assert "Network switch replacement" in html
    assert "Affects Wi-Fi, VPN" in html
