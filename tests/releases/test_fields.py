"""The release's field lists are declared once (releases.fields)."""

from itsm.core.fieldlists import declared_field_names
from releases import services
from releases.api.serializers import ReleaseCreateSerializer, ReleaseUpdateSerializer
from releases.fields import RELEASE_EDITABLE_FIELDS, RELEASE_INPUT_FIELDS, RELEASE_LINK_FIELDS
from releases.forms import ReleaseForm


def test_the_service_the_desk_form_and_the_api_share_one_list():
    assert services.EDITABLE_FIELDS is RELEASE_EDITABLE_FIELDS
    assert declared_field_names(ReleaseForm) == {"version", *RELEASE_INPUT_FIELDS}
    # `release_version` in the API is the model's `version_label`: matched by source.
    assert declared_field_names(ReleaseCreateSerializer) == set(RELEASE_INPUT_FIELDS)
    assert declared_field_names(ReleaseUpdateSerializer) == {"version", *RELEASE_INPUT_FIELDS}
    assert set(RELEASE_INPUT_FIELDS) <= {*RELEASE_EDITABLE_FIELDS, *RELEASE_LINK_FIELDS}
