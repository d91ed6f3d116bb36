"""The article's field lists are declared once (knowledge.fields)."""

from itsm.core.fieldlists import declared_field_names
from knowledge import services
from knowledge.api.serializers import ArticleSerializer
from knowledge.fields import (
    ARTICLE_DESK_FIELDS,
    ARTICLE_EDITABLE_FIELDS,
    ARTICLE_META_FIELDS,
    ARTICLE_TEXT_FIELDS,
)
from knowledge.forms import ArticleForm


def test_the_services_write_text_and_metadata_by_the_lists():
    assert services.TEXT_FIELDS is ARTICLE_TEXT_FIELDS
    assert services.META_FIELDS is ARTICLE_META_FIELDS


def test_the_desk_form_takes_the_desk_list():
    assert declared_field_names(ArticleForm) == {"version", *ARTICLE_DESK_FIELDS}


def test_the_api_writes_exactly_the_editable_fields():
    fields = ArticleSerializer().fields
    writable = {name for name, field in fields.items() if not field.read_only}
    assert writable == {"version", *ARTICLE_EDITABLE_FIELDS}
