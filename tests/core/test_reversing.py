"""The remembered reverse and `{% url %}` answer what Django's reverse answers."""

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, get_script_prefix, set_script_prefix
from django.urls import reverse as django_reverse

from itsm.core.reversing import reverse


@pytest.fixture
def script_prefix():
    before = get_script_prefix()
    yield set_script_prefix
    set_script_prefix(before)


def test_the_remembered_answer_is_djangos_for_args_and_kwargs():
    for _ in range(2):  # the second answer comes from memory
        assert reverse("tickets:desk-ticket-detail", args=["INC0000042"]) == django_reverse(
            "tickets:desk-ticket-detail", args=["INC0000042"]
        )
        assert reverse("tickets:desk-ticket-detail", kwargs={"number": "INC7"}) == (
            "/desk/tickets/INC7/"
        )


def test_a_site_under_a_sub_path_gets_its_own_answers(script_prefix):
    assert reverse("desk-home") == "/desk/"
    script_prefix("/itsm/")
    assert reverse("desk-home") == "/itsm/desk/"


def test_a_name_that_does_not_reverse_still_raises():
    with pytest.raises(NoReverseMatch):
        reverse("tickets:no-such-page")


def test_the_url_tag_draws_escaped_urls_and_keeps_as_var():
    template = Template(
        "{% url 'tickets:desk-ticket-detail' number %}|"
        "{% url 'tickets:desk-ticket-detail' number as link %}[{{ link }}]|"
        "{% url 'tickets:no-such-page' as missing %}[{{ missing }}]"
    )
    drawn = template.render(Context({"number": "INC<1>"}))
    assert drawn == ("/desk/tickets/INC%3C1%3E/|[/desk/tickets/INC%3C1%3E/]|[]")
