"""The change's field lists are declared once (changes.fields): the desk forms, the API
serializers and the services take what the lists say, and differ only where a list says so."""

from changes import services
from changes.api.serializers import ChangeCreateSerializer, ChangeUpdateSerializer
from changes.fields import (
    CHANGE_API_FIELDS,
    CHANGE_CREATE_ONLY_FIELDS,
    CHANGE_DESK_FIELDS,
    CHANGE_EDITABLE_FIELDS,
    CHANGE_SCOPE_FIELDS,
)
from changes.forms import ChangeCreateForm, ChangeEditForm
from itsm.core.fieldlists import declared_field_names


def test_the_services_write_by_the_editable_list():
    assert services.EDITABLE_FIELDS is CHANGE_EDITABLE_FIELDS


def test_the_desk_forms_take_the_desk_list():
    assert declared_field_names(ChangeEditForm) == {"version", *CHANGE_DESK_FIELDS}
    assert declared_field_names(ChangeCreateForm) == {
        *CHANGE_CREATE_ONLY_FIELDS,
        *CHANGE_DESK_FIELDS,
    }


def test_the_api_takes_the_api_list():
    assert declared_field_names(ChangeUpdateSerializer) == {"version", *CHANGE_API_FIELDS}
    assert declared_field_names(ChangeCreateSerializer) == {
        *CHANGE_CREATE_ONLY_FIELDS,
        *CHANGE_API_FIELDS,
    }


def test_desk_and_api_lists_are_the_editable_fields_and_the_scope():
    for inputs in (CHANGE_DESK_FIELDS, CHANGE_API_FIELDS):
        assert set(inputs) <= {*CHANGE_EDITABLE_FIELDS, *CHANGE_SCOPE_FIELDS}
        assert set(CHANGE_SCOPE_FIELDS) <= set(inputs)
