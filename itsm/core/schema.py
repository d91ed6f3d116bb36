"""The API's OpenAPI schema: every operation also documents the errors it can answer.

The answers themselves are made in one place each: `itsm.core.api.exception_handler` (domain
errors, validation, 404, an unreachable database), DRF (401, 403, 415) and
`itsm.core.views.error_400`/`error_404` (a body too large, an address no view matches). The
schema names them here once, so a client (and tests/api/test_schema_contract.py) can rely
on every status code and body it meets being in the schema.
"""

from typing import override

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

ERROR = {
    "type": "object",
    "description": "Why the request was refused, in words meant for the person who sent it.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "A stable name for the kind of refusal."},
        "field": {"type": "string", "description": "The input the refusal is about."},
        "current_version": {
            "type": "integer",
            "description": "With a 409: the record's version now; read it again and retry.",
        },
    },
    "required": ["detail"],
}
# Field errors name the input they are about: {"title": ["This field is required."]}, nested
# for nested input; a refusal of the request as a whole has the shape of ERROR.
VALIDATION_ERROR = {
    "type": "object",
    "description": (
        "The input that was refused: each key names a field and holds its messages (nested "
        "for nested input), or `detail` (with `code`, `field`) for the request as a whole."
    ),
    "properties": ERROR["properties"],
    "additionalProperties": {},
}

_EVERY_OPERATION = {
    "400": ("ValidationError", "The input was refused; the body says which and why."),
    "401": (
        "Error",
        "No valid credentials were sent (a session or `Authorization: Bearer <API token>`), "
        "or the token is expired or revoked.",
    ),
    "403": (
        "Error",
        "Signed in, but this person may not do this; or the API token's scope or resources "
        "do not cover it.",
    ),
    "404": ("Error", "No such record, or not one this person may see; or no such page."),
    "429": (
        "Error",
        "Too many requests from this person or address; retry after `Retry-After` seconds.",
    ),
    "503": (
        "Error",
        "The database cannot be reached; try again after the `Retry-After` seconds.",
    ),
}
_WRITES = {
    "409": ("Error", "Someone changed the record since you read it (`current_version`)."),
    "413": ("Error", "The request is larger than the service accepts."),
    "415": ("Error", "The body is not JSON, form data or multipart."),
}
_COMPONENTS = {"Error": ERROR, "ValidationError": VALIDATION_ERROR}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema plus the error answers every operation can give."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = dict(_EVERY_OPERATION)
        if self.method in {"POST", "PUT", "PATCH", "DELETE"}:
            errors |= _WRITES
        for status_code, (_component, description) in errors.items():
            responses.setdefault(status_code, {"description": description})
        for status_code, response in responses.items():
            # An error documented by a view without a body (the idempotency 422) gets the
            # body it is answered with.
            if status_code.startswith(("4", "5")) and "content" not in response:
                component = errors.get(status_code, ("Error", ""))[0]
                response["content"] = {"application/json": {"schema": self._error_ref(component)}}
        return responses

    @override
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if _answers_blank_choice(field):
            field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _error_ref(self, name):
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, object=name, schema=_COMPONENTS[name]
        )
        self.registry.register_on_missing(component)
        return component.ref


def _answers_blank_choice(field) -> bool:
    """A read-only choice of a model field with `blank=True` (a resolution code not yet
    given) answers "": DRF drops `allow_blank` from read-only fields, so the schema would
    otherwise promise one of the choices."""
    if not (isinstance(field, serializers.ChoiceField) and field.read_only):
        return False
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    source = field.source or ""
    if model is None or "." in source:
        return False
    try:
        return model._meta.get_field(source).blank
    except FieldDoesNotExist:
        return False
