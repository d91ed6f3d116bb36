"""The `Idempotency-Key` header on API creates: one decorator that every create wears.

A client that cannot tell whether its create arrived (a timeout, a dropped connection, a
503) sends it again with the same key and gets the first answer back, with the same record
and no second row. The same key with another body is refused with 422. Keys are per person
and kept for ITSM_IDEMPOTENCY_KEY_HOURS (24 by default).
"""

import functools
import hashlib
import json
import re

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from itsm.idempotency import services

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Visible ASCII, as a UUID or any client-chosen token is; no spaces or control characters.
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Makes the create safe to send again. A key of your choice (a UUID is ideal; 1–255 "
        "visible ASCII characters), unique per request you mean. Sending the same key with the "
        "same body within 24 hours returns the first answer (with the header "
        "`Idempotent-Replayed: true`) and creates nothing new; the same key with a different "
        "body is refused with 422. A refused create (4xx) does not use up its key."
    ),
)
KEY_REUSED_RESPONSE = OpenApiResponse(
    description="The Idempotency-Key was already used for a different request."
)


def _canonical(data):
    """The body as plain, ordered JSON values, so a resent request hashes the same however it
    was encoded (key order, the multipart boundary)."""
    if isinstance(data, QueryDict):
        return {key: [_canonical(value) for value in data.getlist(key)] for key in sorted(data)}
    if isinstance(data, UploadedFile):
        digest = hashlib.sha256()
        for chunk in data.chunks():
            digest.update(chunk)
        data.seek(0)
        return {"file": data.name, "size": data.size, "sha256": digest.hexdigest()}
    if isinstance(data, dict):
        return {str(key): _canonical(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_canonical(value) for value in data]
    return data


def request_fingerprint(request) -> str:
    body = json.dumps(_canonical(request.data), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(status_code: int, body) -> Response:
    response = Response(body, status=status_code)
    response[REPLAYED_HEADER] = "true"
    return response


def _document(method) -> None:
    """Add the header and the 422 to the operation's schema, keeping its own responses."""
    extend_schema(methods=["POST"], parameters=[IDEMPOTENCY_KEY_PARAMETER])(method)
    base = method.kwargs["schema"]

    def get_response_serializers(schema):
        responses = base.get_response_serializers(schema)
        if schema.method != "POST":
            return responses
        if not isinstance(responses, dict):
            responses = {201 if schema._is_create_operation() else 200: responses}
        return {**responses, 422: KEY_REUSED_RESPONSE}

    # A subclass of the schema the decorators below built, so their responses stay.
    method.kwargs["schema"] = type(
        "IdempotentCreateSchema", (base,), {"get_response_serializers": get_response_serializers}
    )


def idempotent_create(view_method):
    """Wrap a viewset method that creates a record (a `create`, or a POST action).

    Put it above `@extend_schema` and `@action`: it documents the header on top of what
    they declare.
    """

    @functools.wraps(view_method)
    def wrapped(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.user.is_authenticated:
            return view_method(self, request, *args, **kwargs)
        if not _KEY.match(key):
            raise serializers.ValidationError(
                {HEADER: ["Use 1–255 visible ASCII characters, such as a UUID."]}
            )
        with transaction.atomic():
            claim = services.idempotent_request_claim(
                user=request.user, key=key, fingerprint=request_fingerprint(request)
            )
            if claim.status_code is not None:
                return _replay(claim.status_code, claim.response_body)
            # A refusal raised here rolls the claim back with everything else.
            response = view_method(self, request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                # What the client received, byte for byte once rendered again.
                body = json.loads(JSONRenderer().render(response.data) or b"null")
                services.idempotent_request_record(
                    claim=claim, status_code=response.status_code, body=body
                )
            else:
                services.idempotent_request_release(claim=claim)
        return response

    _document(wrapped)
    return wrapped
