"""Banners on the portal home page, one provider per process app that has something to say.

The portal sits above the process apps (DESIGN §3: it reads every process app and nothing
imports it), so each provider imports its app's selector directly and turns what it returns
into `PortalBanner`s. `BANNER_PROVIDERS` lists them in the order the home page shows them;
adding an app's banner means writing its provider here and adding it to the list.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from changes.selectors import change_list_planned_maintenance

# Never let one provider flood the home page.
MAX_BANNERS_PER_PROVIDER = 5


@dataclass(frozen=True)
class PortalBanner:
    """One announcement. `kind` picks the banner's label and colour in portal/_banners.html."""

    kind: str
    title: str
    text: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    url: str = ""
    services: tuple[str, ...] = ()


def planned_maintenance_banners(*, user: Any) -> list[PortalBanner]:
    """Changes planned in the next days that affect a service (the same for every user)."""
    return [
        PortalBanner(
            kind="maintenance",
            title=window.title,
            starts_at=window.starts_at,
            ends_at=window.ends_at,
            services=window.services,
        )
        for window in change_list_planned_maintenance(limit=MAX_BANNERS_PER_PROVIDER)
    ]


BANNER_PROVIDERS: tuple[Callable[..., list[PortalBanner]], ...] = (planned_maintenance_banners,)


def banner_list_for_portal(*, user: Any) -> list[PortalBanner]:
    """Every provider's current banners for `user`, in provider order."""
    return [banner for provider in BANNER_PROVIDERS for banner in provider(user=user)]
