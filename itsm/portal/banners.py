"""Banners on the portal home page, gathered from the process apps that have something to say.

The portal sits below tickets and changes in the dependency order, so it cannot import them
directly. Each provider is named by its dotted path and resolved at call time; a provider
whose module is not installed yet (or does not define the function yet) is skipped, so the
portal works before the change app exists and picks it up as soon as it does.

A provider is a function taking `user` as a keyword (or no argument at all) and returning an
iterable of mappings or objects. Each item may have `title` (or `short_description`, else its
`str()`), `text` (or `message`, `summary`, `description`), `starts_at` (or `planned_start`),
`ends_at` (or `planned_end`), `url` (or a `get_portal_url()` method) and `services` (names).
"""

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from itertools import islice
from typing import Any

# (kind, dotted path). `kind` picks the banner's label and colour in portal/_banners.html.
BANNER_PROVIDERS: list[tuple[str, str]] = [
    ("maintenance", "changes.selectors.planned_maintenance_for_portal"),
]

# Never let one provider flood the home page.
MAX_BANNERS_PER_PROVIDER = 5


@dataclass(frozen=True)
class PortalBanner:
    kind: str
    title: str
    text: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    url: str = ""
    services: tuple[str, ...] = ()


def _resolve(path: str) -> Callable[..., Iterable[Any]] | None:
    module_path, _, name = path.rpartition(".")
    try:
        module = import_module(module_path)
    except ModuleNotFoundError as missing:
        # Only "the provider's module (or its package) is absent" means "not built yet"; an
        # import error raised from inside an existing module is a bug and must surface.
        if missing.name and (module_path + ".").startswith(missing.name + "."):
            return None
        raise
    return getattr(module, name, None)


def _first(item: Any, names: tuple[str, ...], default: Any = None) -> Any:
    for name in names:
        value = item.get(name) if isinstance(item, dict) else getattr(item, name, None)
        if value not in (None, ""):
            return value
    return default


def _as_banner(kind: str, item: Any) -> PortalBanner:
    if isinstance(item, PortalBanner):
        return item
    url = _first(item, ("url",), "")
    if not url and callable(getattr(item, "get_portal_url", None)):
        url = item.get_portal_url()
    return PortalBanner(
        kind=_first(item, ("kind",), kind),
        title=str(_first(item, ("title", "short_description"), None) or item),
        text=str(_first(item, ("text", "message", "summary", "description"), "")),
        starts_at=_first(item, ("starts_at", "planned_start")),
        ends_at=_first(item, ("ends_at", "planned_end")),
        url=str(url or ""),
        services=tuple(str(name) for name in (_first(item, ("services",)) or ())),
    )


def banner_list_for_portal(*, user: Any) -> list[PortalBanner]:
    """Every provider's current banners for `user`, in provider order."""
    banners: list[PortalBanner] = []
    for kind, path in BANNER_PROVIDERS:
        provider = _resolve(path)
        if provider is None:
            continue
        takes_user = "user" in inspect.signature(provider).parameters
        items = provider(user=user) if takes_user else provider()
        # Slicing a queryset becomes a LIMIT; a plain iterator is cut short instead.
        first = (
            items[:MAX_BANNERS_PER_PROVIDER]
            if hasattr(items, "__getitem__")
            else islice(items, MAX_BANNERS_PER_PROVIDER)
        )
        banners.extend(_as_banner(kind, item) for item in first)
    return banners
