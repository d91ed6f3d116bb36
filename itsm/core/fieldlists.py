"""One field list per use case, shared by the form, the serializer and the service.

An app declares each list once, in its `fields.py` (pure data, importable from every
layer). The service writes only the names on its list; a form or a serializer says which
list it takes input for with `@takes_fields(...)`, which checks, when the class is made,
that the class declares exactly those fields. Adding a name to the list without adding
the input to the form (or the other way round) then fails at import, in CI, not as a
silently dropped field in production.

The inputs themselves stay on the form and the serializer: a widget, a label or the slug
an API client sends are interface concerns. A serializer field is matched by its `source`
(`release_version` with `source="version_label"` is the model's `version_label`).
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import ImproperlyConfigured


def declared_field_names(cls: type) -> set[str]:
    """The model attribute names a form class (`base_fields`) or a DRF serializer class
    (`_declared_fields`, by `source`) takes input for."""
    base_fields = getattr(cls, "base_fields", None)
    if base_fields is not None:
        return set(base_fields)
    declared = getattr(cls, "_declared_fields", None)
    if declared is None:
        raise ImproperlyConfigured(f"{cls.__name__} is neither a form nor a serializer.")
    return {field.source or name for name, field in declared.items()}


def takes_fields[C: type](*names: Iterable[str] | str) -> Callable[[C], C]:
    """Class decorator: the form or serializer declares exactly these fields. Accepts names
    and lists of names: `@takes_fields("version", TICKET_EDITABLE_FIELDS)`."""
    wanted: set[str] = set()
    for item in names:
        wanted.update([item] if isinstance(item, str) else item)

    def check(cls: C) -> C:
        declared = declared_field_names(cls)
        if declared != wanted:
            missing, extra = sorted(wanted - declared), sorted(declared - wanted)
            raise ImproperlyConfigured(
                f"{cls.__name__} does not match its field list:"
                + (f" missing {', '.join(missing)}." if missing else "")
                + (f" not on the list: {', '.join(extra)}." if extra else "")
            )
        return cls

    return check
