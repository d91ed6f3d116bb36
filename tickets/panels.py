"""Panels that the later process apps show on the desk's ticket page.

DESIGN §1: the service desk never works in isolation, so the ticket page shows the changes near
a ticket, its problems and known errors, and so on. `tickets` sits below problems, changes and
releases in the one-way app order and cannot import them; instead each of them registers its
panel here from its `AppConfig.ready()`. The ticket view asks for every panel's data in one
place (templates run no queries); a panel's template reads only `panel` (its data) and the
page's own context (`ticket`, `request`, `csrf_token`).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from itsm.accounts.models import User
    from tickets.models import Ticket


class PanelData(Protocol):
    def __call__(self, *, ticket: "Ticket", user: "User") -> Mapping[str, Any] | None: ...


@dataclass(frozen=True)
class TicketPanel:
    """A panel another app contributes: `data` returns the panel's context, or None to hide it."""

    name: str
    template: str
    data: PanelData | Callable[..., Mapping[str, Any] | None]
    order: int = 100


@dataclass(frozen=True)
class PanelOnPage:
    name: str
    template: str
    data: Mapping[str, Any]


_PANELS: dict[str, TicketPanel] = {}


def ticket_panel_register(panel: TicketPanel) -> None:
    """Add (or replace, by name: `ready()` can run more than once) a ticket-page panel."""
    _PANELS[panel.name] = panel


def ticket_panels_for(*, ticket: "Ticket", user: "User") -> list[PanelOnPage]:
    """The panels to show on this ticket's page for this user, in their order, data computed."""
    shown = []
    for panel in sorted(_PANELS.values(), key=attrgetter("order")):
        data = panel.data(ticket=ticket, user=user)
        if data is not None:
            shown.append(PanelOnPage(name=panel.name, template=panel.template, data=data))
    return shown
