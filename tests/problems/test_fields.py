"""The problem's field lists are declared once (problems.fields)."""

import pytest

from itsm.accounts.roles import Role
from itsm.core.fieldlists import declared_field_names
from problems import services
from problems.api.serializers import ProblemWriteSerializer
from problems.fields import (
    PROBLEM_ANALYSIS_FIELDS,
    PROBLEM_DESCRIPTION_FIELDS,
    PROBLEM_EDITABLE_FIELDS,
    PROBLEM_RCA_FORM_FIELDS,
)
from problems.forms import ProblemForm, RcaForm
from tests.factories.accounts import UserFactory


def test_the_service_the_api_and_the_two_desk_forms_share_one_list():
    assert services.EDITABLE_FIELDS is PROBLEM_EDITABLE_FIELDS
    assert declared_field_names(ProblemWriteSerializer) == {"version", *PROBLEM_EDITABLE_FIELDS}
    assert declared_field_names(ProblemForm) == {"version", *PROBLEM_DESCRIPTION_FIELDS}
    assert declared_field_names(RcaForm) == {"version", *PROBLEM_RCA_FORM_FIELDS}
    assert set(PROBLEM_EDITABLE_FIELDS) == {*PROBLEM_DESCRIPTION_FIELDS, *PROBLEM_ANALYSIS_FIELDS}


@pytest.mark.django_db
def test_the_service_refuses_a_field_off_the_list():
    manager = UserFactory(email="paula@example.com", roles=[Role.PROBLEM_MANAGER])
    problem = services.problem_create(actor=manager, statement="VPN drops every hour")
    assert "status" not in PROBLEM_EDITABLE_FIELDS
    with pytest.raises(services.InvalidProblemInput, match="cannot be edited here: status"):
        services.problem_update(
            problem=problem, actor=manager, expected_version=problem.version, status="closed"
        )
