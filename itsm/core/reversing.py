"""URL reversing remembered per process.

The URL patterns do not change while a process runs, yet Django's `reverse()` walks them
anew on every call: about 40 µs each, and the ticket page reverses some sixty URLs (its
forms, links and fragments), 2–3 ms of the page. `reverse` here answers a repeated call from
memory; the `{% url %}` tag uses it too (CoreConfig.ready). The script prefix and the
request's URLconf are part of what is remembered, so a site served under a sub-path or a
request with its own URLconf gets its own answers.
"""

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django import urls

# Ticket numbers make the set of distinct answers large; the pages' own links repeat.
_REMEMBERED = 8192


@functools.lru_cache(maxsize=_REMEMBERED)
def _reversed(
    viewname: str | Callable,
    args: tuple[Any, ...] | None,
    kwargs: tuple[tuple[str, Any], ...] | None,
    current_app: str | None,
    urlconf: str | None,
    script_prefix: str,
) -> str:
    return urls.reverse(
        viewname,
        urlconf=urlconf,
        args=args,
        kwargs=dict(kwargs) if kwargs is not None else None,
        current_app=current_app,
    )


def reverse(
    viewname: str | Callable,
    urlconf: str | None = None,
    args: Sequence[Any] | None = None,
    kwargs: Mapping[str, Any] | None = None,
    current_app: str | None = None,
    **extra: Any,
) -> str:
    """django.urls.reverse, remembered (a query string or fragment is not)."""
    if extra:
        return urls.reverse(viewname, urlconf, args, _dict(kwargs), current_app, **extra)
    try:
        return _reversed(
            viewname,
            tuple(args) if args is not None else None,
            tuple(sorted(kwargs.items())) if kwargs is not None else None,
            current_app,
            urlconf or urls.get_urlconf(),
            urls.get_script_prefix(),
        )
    except TypeError:  # an argument that cannot be a key: reverse it as Django would
        return urls.reverse(viewname, urlconf, args, _dict(kwargs), current_app)


def _dict(kwargs: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return dict(kwargs) if kwargs is not None else None
