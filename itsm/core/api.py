"""API plumbing shared by every app: pagination and the one mapping of errors to HTTP."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from itsm.core.exceptions import DomainError, StaleVersion


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
    return version


def require_changes(values: dict) -> None:
    """A PATCH that names no field to change is a mistake of the client's: 400, not a no-op."""
    if not values:
        raise serializers.ValidationError({"detail": "Send at least one field to change."})


def exception_handler(exc, context):
    """Domain errors → 400/403/409 with a stable shape; Django ValidationError → field errors."""
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
