"""API plumbing shared by every app: pagination and the one mapping of errors to HTTP.
The JSON parser is in itsm/core/parsers.py."""

import copy
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from itsm.core.exceptions import DomainError, StaleVersion
from itsm.core.refusals import RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE, database_unavailable


class FieldsWorkedOutOnce:
    """For a ModelSerializer whose fields depend on nothing but its class: DRF works them out
    from the model on every instance (most of an API create's output time); here once per
    class, and each instance gets its own copies, as DRF copies declared fields."""

    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        built = cls.__dict__.get("_fields_worked_out")
        if built is None:
            built = super().get_fields()  # type: ignore[misc]
            cls._fields_worked_out = built  # type: ignore[attr-defined]
        return copy.deepcopy(built)


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


VERSION_REQUIRED = (
    "Send the version you read (`version` in the body, or an If-Match header); it guards "
    "against overwriting someone else's change."
)


def expected_version(request, values: dict) -> int:
    """Pop the version the client read from `values`, or take it from an If-Match header
    (an ETag such as `"3"` or `W/"3"`).

    Every PATCH of a versioned record goes through here, so a missing version is the same 400
    everywhere: never a KeyError, never an unguarded overwrite.
    """
    version = values.pop("version", None)
    if version is None:
        tag = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
        version = int(tag) if tag.isdigit() else None
    if version is None:
        raise serializers.ValidationError({"version": [VERSION_REQUIRED]})
    require_changes(values, sent=request.data)
    return version


def require_changes(values: dict, *, sent=()) -> None:
    """A PATCH that names no field to change is a mistake of the client's: 400, not a no-op
    that bumps the version and writes an empty audit event.

    `sent` is the body as received: the fields in it that the endpoint does not know (or may
    not change) are named, each under its own key, so the client sees what it got wrong.
    """
    if values:
        return
    unknown = sorted(set(sent) - {"version"})
    if not unknown:
        raise serializers.ValidationError({"detail": "Send at least one field to change."})
    names = ", ".join(f"`{name}`" for name in unknown)
    raise serializers.ValidationError(
        {
            "detail": f"Nothing to change: {names} cannot be changed here (unknown or read-only).",
            **{name: ["Not a field this endpoint changes."] for name in unknown},
        }
    )


def exception_handler(exc, context):
    """Domain errors → 400/403/409 with a stable shape; Django ValidationError → field errors;
    an unreachable database → 503 with Retry-After (itsm.core.refusals decides which errors
    mean that)."""
    if database_unavailable(exc):
        return Response(
            {"detail": UNAVAILABLE_MESSAGE, "code": "database_unavailable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, DomainError):
        body = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body["field"] = exc.field
        if isinstance(exc, StaleVersion):
            body["current_version"] = exc.current_version
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    return drf_exception_handler(exc, context)
