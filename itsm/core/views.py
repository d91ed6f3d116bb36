"""Platform pages: health, error pages, and the decorator every desk view wears."""

import functools

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from itsm.accounts.roles import user_is_staff_member


def desk_view(view):
    """Signed-in desk staff only; a requester who wanders in gets the 403 page."""

    @functools.wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not user_is_staff_member(request.user):
            raise PermissionDenied("The agent workspace is for service desk staff.")
        return view(request, *args, **kwargs)

    return wrapped


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return False, str(exc).splitlines()[0]
    return True, "ok"


def _redis_ok() -> tuple[bool, str]:
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        return False, str(exc).splitlines()[0]
    return True, "ok"


def _workers_ok() -> tuple[bool, str]:
    from itsm.celery import app

    replies = app.control.ping(timeout=settings.ITSM_HEALTH_WORKER_TIMEOUT)
    if not replies:
        return False, "no Celery worker answered a ping"
    return True, f"{len(replies)} worker(s) answered"


def _workers_live() -> tuple[bool, str]:
    # Read from PostgreSQL, so it answers while Redis is down, and fails a worker that
    # answers pings but has stopped consuming.
    from itsm.core.selectors import worker_liveness_problems

    try:
        problems = worker_liveness_problems(
            queues=settings.CELERY_WORKER_QUEUES,
            max_age_seconds=settings.ITSM_WORKER_STALE_SECONDS,
        )
    except DatabaseError as exc:
        return False, f"unknown: {str(exc).splitlines()[0]}"
    if problems:
        return False, "; ".join(problems)
    return True, f"every queue consumed within {settings.ITSM_WORKER_STALE_SECONDS} s"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Reachability of the database, Redis and at least one Celery worker, and that workers
    consume every queue (200 or 503)."""
    checks = {"database": _database_ok(), "redis": _redis_ok()}
    if checks["redis"][0]:
        checks["celery_worker"] = _workers_ok()
    else:
        # Asking workers goes through Redis; with Redis down there is nobody to ask.
        checks["celery_worker"] = (False, "unknown: Redis is unreachable")
    checks["worker_liveness"] = _workers_live()
    healthy = all(ok for ok, _ in checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


@desk_view
def desk_home(request: HttpRequest) -> HttpResponse:
    return render(request, "desk/home.html")


def error_404(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_403(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/500.html", status=500)


FAVICON = settings.BASE_DIR / "static" / "favicon.svg"


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for whatever the page links: our SVG icon."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
