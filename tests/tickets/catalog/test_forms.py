import datetime

import pytest

from tests.factories.catalog import make_catalog_item
from tests.factories.cmdb import ConfigurationItemFactory
from tickets.catalog import services as catalog
from tickets.catalog.forms import order_form_class, render_answers

pytestmark = pytest.mark.django_db

ALL_TYPES = [
    ("summary", "text", True, ()),
    ("details", "long_text", False, ()),
    ("model", "choice", True, ("13-inch", "15-inch")),
    ("extras", "multi_choice", False, ("Dock", "Headset", "Mouse")),
    ("needed_by", "date", True, ()),
    ("quantity", "number", False, ()),
    ("colleague", "user", False, ()),
    ("device", "ci", False, ()),
]


@pytest.fixture
def item(db):
    return make_catalog_item(name="Everything form", fields=ALL_TYPES)


def good_answers(**changes):
    answers = {"summary": "Laptop for the new hire", "model": "13-inch", "needed_by": "2026-12-01"}
    answers.update(changes)
    return answers


def errors_for(item, answers):
    with pytest.raises(catalog.CatalogFormInvalid) as caught:
        catalog.validate_order(item=item, form_data=answers)
    return caught.value.errors


def test_valid_answers_clean_to_json_values(item, requester):
    ci = ConfigurationItemFactory(name="laptop-0042")
    cleaned = catalog.validate_order(
        item=item,
        form_data=good_answers(
            details="Needs admin rights",
            extras=["Dock", "Mouse"],
            quantity="2",
            colleague=requester.email.upper(),
            device=str(ci.pk),
        ),
    )
    assert cleaned == {
        "summary": "Laptop for the new hire",
        "details": "Needs admin rights",
        "model": "13-inch",
        "extras": ["Dock", "Mouse"],
        "needed_by": "2026-12-01",
        "quantity": 2,
        "colleague": requester.email,
        "device": "laptop-0042",
    }


def test_optional_fields_may_be_left_out(item):
    assert catalog.validate_order(item=item, form_data=good_answers()) == good_answers()


@pytest.mark.parametrize("missing", ["summary", "model", "needed_by"])
def test_required_fields_must_be_answered(item, missing):
    answers = good_answers()
    del answers[missing]
    assert missing in errors_for(item, answers)


def test_a_bad_date_is_refused(item):
    assert "needed_by" in errors_for(item, good_answers(needed_by="31/31/2026"))


def test_a_bad_number_is_refused(item):
    assert "quantity" in errors_for(item, good_answers(quantity="two"))


def test_a_fractional_number_is_kept_as_a_float(item):
    assert (
        catalog.validate_order(item=item, form_data=good_answers(quantity="1.5"))["quantity"] == 1.5
    )


def test_an_unknown_choice_is_refused(item):
    assert "model" in errors_for(item, good_answers(model="17-inch"))


def test_an_unknown_multi_choice_value_is_refused(item):
    assert "extras" in errors_for(item, good_answers(extras=["Dock", "Jetpack"]))


def test_an_unknown_user_is_refused(item):
    errors = errors_for(item, good_answers(colleague="nobody@example.com"))
    assert "Nobody with the address nobody@example.com" in errors["colleague"][0]


def test_an_inactive_user_is_refused(item, other_requester):
    other_requester.is_active = False
    other_requester.save()
    assert "colleague" in errors_for(item, good_answers(colleague=other_requester.email))


def test_an_unknown_ci_is_refused(item):
    assert "device" in errors_for(item, good_answers(device="no-such-box"))


def test_a_ci_can_be_given_by_name(item):
    ConfigurationItemFactory(name="mail-gw-01")
    assert (
        catalog.validate_order(item=item, form_data=good_answers(device="MAIL-GW-01"))["device"]
        == "mail-gw-01"
    )


def test_a_field_the_item_does_not_have_is_refused(item):
    assert "colour" in errors_for(item, good_answers(colour="pink"))


def test_the_form_carries_labels_help_and_widgets(item):
    form = order_form_class(item.fields.all())()
    html = form.as_div()
    assert 'type="date"' in html
    assert 'type="checkbox"' in html
    assert "Help for quantity" in html
    assert form.fields["details"].required is False
    assert form.fields["summary"].required is True


def test_answers_render_as_readable_lines(item):
    text = render_answers(
        item.fields.all(),
        {"summary": "Hi", "extras": ["Dock", "Mouse"], "needed_by": datetime.date(2026, 1, 2)},
    )
    assert text == "Summary: Hi\nExtras: Dock, Mouse\nNeeded by: 2026-01-02"


def test_a_date_needing_working_days_refuses_tomorrow_with_the_earliest_date(db):
    """GIVEN "Needed by" needs five working days and today is Wednesday 2 December 2026
    WHEN tomorrow is asked for THEN it is refused naming Wednesday 9 December, which passes."""
    import time_machine

    from tickets.models import CatalogField

    laptop = make_catalog_item(name="Working-day laptop")
    CatalogField.objects.create(
        item=laptop,
        name="needed_by",
        label="Needed by",
        field_type="date",
        required=True,
        min_business_days=5,
    )
    with time_machine.travel(datetime.datetime(2026, 12, 2, 10, 0, tzinfo=datetime.UTC)):
        errors = errors_for(laptop, {"needed_by": "2026-12-03"})
        assert errors["needed_by"] == [
            "Choose Wednesday 9 December 2026 or later: we need 5 working days."
        ]
        assert catalog.validate_order(item=laptop, form_data={"needed_by": "2026-12-09"}) == {
            "needed_by": "2026-12-09"
        }
