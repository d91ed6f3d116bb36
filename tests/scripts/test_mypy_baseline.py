"""The mypy baseline gate: what passes and what fails the lint step (scripts/mypy_baseline.py)."""

import importlib.util
from collections import Counter
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "mypy_baseline.py"
_spec = importlib.util.spec_from_file_location("mypy_baseline", SCRIPT)
assert _spec is not None and _spec.loader is not None
mypy_baseline = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mypy_baseline)

VIEW_ERROR = 'changes/views.py:40: error: "HttpRequest" has no attribute "htmx"  [attr-defined]'
VIEW_KEY = 'changes/views.py: "HttpRequest" has no attribute "htmx"  [attr-defined]'
SERVICE_ERROR = (
    "tickets/sla/services.py:12: error: Function is missing a type annotation  [no-untyped-def]"
)
SERVICE_KEY = "tickets/sla/services.py: Function is missing a type annotation  [no-untyped-def]"


def test_a_listed_error_outside_the_strict_modules_passes_wherever_its_line_moved():
    verdict = mypy_baseline.judge([VIEW_ERROR.replace(":40:", ":97:")], Counter([VIEW_KEY]))

    assert not verdict.failed


def test_an_error_the_baseline_does_not_list_fails():
    verdict = mypy_baseline.judge([VIEW_ERROR], Counter())

    assert verdict.failed
    assert verdict.new == [VIEW_ERROR]


def test_a_second_copy_of_a_listed_error_is_new():
    verdict = mypy_baseline.judge(
        [VIEW_ERROR, VIEW_ERROR.replace(":40:", ":41:")], Counter([VIEW_KEY])
    )

    assert verdict.new == [VIEW_ERROR.replace(":40:", ":41:")]


def test_an_error_in_a_service_fails_even_when_the_baseline_lists_it():
    verdict = mypy_baseline.judge([SERVICE_ERROR], Counter([SERVICE_KEY]))

    assert verdict.new == [SERVICE_ERROR]
    assert verdict.strict_listed == [SERVICE_KEY]


def test_services_selectors_and_workflow_modules_and_packages_are_strict():
    strict = [
        "tickets/services.py",
        "tickets/sla/services.py",
        "itsm/notifications/services/email.py",
        "itsm/dashboards/selectors/sla.py",
        "changes/workflow.py",
    ]
    gradual = [
        "tickets/sla_services.py",
        "itsm/dashboards/process_selectors.py",
        "tickets/views/desk.py",
    ]

    assert all(mypy_baseline.is_strict(path) for path in strict)
    assert not any(mypy_baseline.is_strict(path) for path in gradual)


def test_a_fixed_error_fails_until_the_baseline_shrinks():
    verdict = mypy_baseline.judge([], Counter([VIEW_KEY]))

    assert verdict.failed
    assert verdict.gone == Counter([VIEW_KEY])


def test_notes_and_the_summary_are_not_errors():
    output = [
        "changes/views.py:40: note: See https://mypy.readthedocs.io",
        "Success: no issues found in 244 source files",
    ]

    assert not mypy_baseline.judge(output, Counter()).failed
