"""`takes_fields`: a form or serializer that drifts from its field list fails when it is made."""

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers

from itsm.core.fieldlists import declared_field_names, takes_fields

LIST = ("title", "notes")


def test_a_form_that_declares_exactly_its_list_is_accepted():
    @takes_fields("version", LIST)
    class Form(forms.Form):
        version = forms.IntegerField()
        title = forms.CharField()
        notes = forms.CharField()

    assert declared_field_names(Form) == {"version", "title", "notes"}


def test_a_form_missing_a_listed_field_is_refused_by_name():
    with pytest.raises(ImproperlyConfigured, match="missing notes"):

        @takes_fields(LIST)
        class Form(forms.Form):
            title = forms.CharField()


def test_a_serializer_with_a_field_off_the_list_is_refused_by_name():
    with pytest.raises(ImproperlyConfigured, match="not on the list: owner"):

        @takes_fields(LIST)
        class Input(serializers.Serializer):
            title = serializers.CharField()
            notes = serializers.CharField()
            owner = serializers.CharField()


def test_a_serializer_field_counts_by_its_source():
    @takes_fields(LIST)
    class Input(serializers.Serializer):
        headline = serializers.CharField(source="title")
        notes = serializers.CharField()

    assert declared_field_names(Input) == set(LIST)


def test_a_field_removed_in_a_subclass_is_not_declared():
    class Create(forms.Form):
        kind = forms.CharField()
        title = forms.CharField()
        notes = forms.CharField()

    @takes_fields(LIST)
    class Edit(Create):
        kind = None

    assert declared_field_names(Edit) == set(LIST)
