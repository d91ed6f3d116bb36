"""The labelled set of issue #18: precision@3 of the ticket page's suggestions."""

import pytest

from tickets.management.commands.suggest_eval import TOP, evaluate_and_roll_back

pytestmark = pytest.mark.django_db

TARGET = 0.8


def test_precision_at_3_on_the_labelled_set_reaches_the_target():
    result = evaluate_and_roll_back()
    assert result.count() >= 40  # the whole set was asked, articles and tickets
    assert result.count("article") >= 25 and result.count("ticket") >= 10
    misses = [(c.subject, c.expected, c.got) for c in result.cases if not c.hit]
    assert result.precision("article") >= TARGET, misses
    assert result.precision("ticket") >= TARGET, misses
    assert all(len(c.got) <= TOP for c in result.cases)


def test_the_command_prints_the_figures(capsys):
    from django.core.management import call_command

    call_command("suggest_eval")
    out = capsys.readouterr().out
    assert "precision@3 all" in out
    assert "precision@3 articles" in out
