"""The one place an audit event becomes text a person reads, for every record type.

An event stores machine values (`{"status": {"from": "in_progress", "to": "resolved"}}`,
ISO timestamps, lists, dicts). Here they become labels and values: the action from
ACTION_LABELS, a field from the record model's verbose_name (or FIELD_LABELS for keys that
are not model fields), choices as their labels, booleans as Yes/No, moments in the product's
date format and the viewer's timezone, lists as lists and dicts as labelled "key: value"
lines. The templates draw the result (`components/_audit_event.html`, `_value.html`); the
catalog's order answers use `show_value` too, so a request reads the same on every page.
Nothing here queries the database: record types come from ContentType's cache.
"""

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst

from itsm.core.dates import format_date, format_datetime

EMPTY = "—"

# Internal bookkeeping, not something a person changed.
HIDDEN_FIELDS = frozenset({"version"})

ACTION_LABELS = {
    "created": "Created",
    "signed_in_sso": "Signed in with single sign-on",
    "updated": "Updated",
    "restored": "Restored an earlier version",
    "status_changed": "Changed the status",
    "assigned": "Assigned",
    "linked": "Linked records",
    "priority_overridden": "Overrode the priority",
    "priority_raised": "Raised the priority",
    "watch_started": "Started following",
    "watch_stopped": "Stopped following",
    "reply_added": "Replied",
    "work_note_added": "Added a work note",
    "article_linked": "Linked an article",
    "article_unlinked": "Unlinked an article",
    "survey_answered": "Rated the service",
    "survey_changed": "Changed the rating",
    "sla_reevaluated": "Re-evaluated the SLA",
    "approval_state_changed": "Approval changed",
    "approval_approved": "Approved",
    "approval_rejected": "Rejected",
    "deflected": "Solved it with an article",
    "major_declared": "Declared a major incident",
    "major_update_public": "Posted a public update",
    "major_update_internal": "Posted an internal update",
    "major_joined": "Joined as affected",
    "major_public_title_changed": "Reworded what requesters see",
    "public_title_changed": "Reworded what requesters see",
    "major_resolved": "Resolved the major incident",
    "major_reviewed": "Wrote the post-incident review",
    "problem_linked": "Linked to a problem",
    "problem_unlinked": "Unlinked from a problem",
    "incidents_linked": "Linked incidents",
    "incident_linked": "Linked an incident",
    "incident_unlinked": "Unlinked an incident",
    "known_error_published": "Published the known error",
    "known_error_withdrawn": "Withdrew the known error",
    "candidate_accepted": "Accepted the problem candidate",
    "problem_not_resolved": "Problem not resolved by the change",
    "risk_assessed": "Assessed the risk",
    "risk_overridden": "Overrode the risk",
    "cab_vote": "Voted in the CAB",
    "cab_decision": "CAB decided",
    "cab_approved": "CAB approved",
    "cab_rejected": "CAB rejected",
    "step_added": "Added a deployment step",
    "step_updated": "Updated a deployment step",
    "staffing_added": "Added support staffing",
    "time_logged": "Logged time worked",
    "time_corrected": "Corrected time worked",
    "time_deleted": "Removed time worked",
    # Sign-in security (itsm.accounts.receivers, services)
    "signed_in": "Signed in",
    "signed_out": "Signed out",
    "signin_failed": "Sign-in failed: wrong password",
    "signin_locked_out": "Sign-in refused: locked out",
    "lockout_cleared": "Cleared the sign-in lockout",
    "mfa_added": "Added a second factor",
    "mfa_removed": "Removed a second factor",
    "mfa_reset": "Reset the second factors",
    "mfa_failed": "Second factor failed",
    "mfa_recovery_codes_regenerated": "Made new recovery codes",
    "password_changed": "Changed the password",
    "password_reset": "Reset the password",
    "sessions_ended": "Signed out other sessions",
}

# Keys that are not fields of the record's model (derived values, nested dict keys).
FIELD_LABELS = {
    "sla_policy": "SLA policy",
    "first_response_due_at": "Response due",
    "resolution_due_at": "Resolution due",
    "approval": "Approval",
    "cis": "Configuration items",
    "ci": "Configuration item",
    "failed_changes": "Failed changes on these CIs (90 days)",
    "minutes": "Minutes worked",
    "worked_on": "Day worked",
    "note": "Note",
}

_ISO_DATETIME = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
_CODE = re.compile(r"^[a-z]+(_[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class ShownValue:
    """A value ready to draw: plain `text`, or a list (`items`), or labelled `pairs`."""

    text: str = EMPTY
    items: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ShownChange:
    name: str
    label: str
    before: ShownValue
    after: ShownValue


@dataclass(frozen=True, slots=True)
class ShownEvent:
    actor: str
    action: str
    changes: tuple[ShownChange, ...] = ()
    message: str = ""


def humanize(name: str) -> str:
    """ "needed_by" → "Needed by"; "in_progress" → "In progress"."""
    return capfirst(str(name).replace("_", " ").strip())


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action) or humanize(action)


def _model_field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def field_label(model: type[models.Model] | None, name: str) -> str:
    """The model field's verbose_name, else FIELD_LABELS, else the key made readable."""
    model_field = _model_field(model, name)
    if model_field is not None and model_field.verbose_name != name.replace("_", " "):
        return capfirst(str(model_field.verbose_name))
    return FIELD_LABELS.get(name) or humanize(name)


def _legacy_literal(text: str) -> Any:
    # Events written before values were kept as JSON hold Python's str() of a list or dict
    # ("['Dock', 'Headset']"); literal_eval reads those back without running any code.
    if len(text) > 1 and (text[0], text[-1]) in (("[", "]"), ("{", "}")):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return text
        if isinstance(value, list | dict):
            return value
    return text


def _text(value: Any, model_field: models.Field | None = None, *, is_code: bool = False) -> str:
    """One scalar as a person reads it."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if model_field is not None and model_field.choices:
        labels = {str(key): label for key, label in model_field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        if _ISO_DATETIME.match(value):
            try:
                return format_datetime(datetime.fromisoformat(value))
            except ValueError:
                return value
        if _ISO_DATE.match(value):
            try:
                return format_date(date.fromisoformat(value))
            except ValueError:
                return value
        if is_code and _CODE.match(value):
            return humanize(value)
    return str(value)


def show_value(
    value: Any, model_field: models.Field | None = None, *, is_code: bool = False
) -> ShownValue:
    """A stored value as text, a list or labelled pairs.

    `is_code`: the key is no model field, so a snake_case word is a code ("in_progress").
    """
    if isinstance(value, str):
        value = _legacy_literal(value)
    if isinstance(value, list | tuple | set):
        items = tuple(_text(item, model_field, is_code=is_code) for item in value)
        return ShownValue(text=", ".join(items) or EMPTY, items=items)
    if isinstance(value, Mapping):
        pairs = tuple((_key_label(key), _flat(item)) for key, item in value.items())
        return ShownValue(text="; ".join(f"{k}: {v}" for k, v in pairs) or EMPTY, pairs=pairs)
    return ShownValue(text=_text(value, model_field, is_code=is_code))


def _key_label(key: Any) -> str:
    return FIELD_LABELS.get(str(key)) or humanize(key)


def _flat(value: Any) -> str:
    """A value nested inside a dict, on one line."""
    return show_value(value, is_code=True).text


def _record_model(event: Any) -> type[models.Model] | None:
    try:
        return ContentType.objects.get_for_id(event.record_type_id).model_class()
    except ContentType.DoesNotExist:
        return None


def show_changes(model: type[models.Model] | None, changes: Mapping[str, Any]) -> list[ShownChange]:
    shown = []
    for name, change in (changes or {}).items():
        if name in HIDDEN_FIELDS:
            continue
        if not isinstance(change, Mapping):
            change = {"from": None, "to": change}
        model_field = _model_field(model, name)
        is_code = model_field is None
        shown.append(
            ShownChange(
                name=name,
                label=field_label(model, name),
                before=show_value(change.get("from"), model_field, is_code=is_code),
                after=show_value(change.get("to"), model_field, is_code=is_code),
            )
        )
    return shown


def show_event(event: Any) -> ShownEvent:
    """An AuditEvent as its actor, a human action, labelled changes and its message."""
    return ShownEvent(
        actor=str(event.actor) if event.actor_id else "System",
        action=action_label(event.action),
        changes=tuple(show_changes(_record_model(event), event.changes)),
        message=event.message,
    )
