"""Change success rate on a hand-built set of changes, worked out by hand.

Period 2026-03-02 to 2026-03-15 (conftest.py's); "now" 2026-03-18 12:00 UTC.

| change | raised | type      | reviewed | outcome                | caused an incident |
|--------|--------|-----------|----------|------------------------|--------------------|
| C1     | 03-03  | normal    | 03-05    | successful             |                    |
| C2     | 03-03  | emergency | 03-10    | successful with issues |                    |
| C3     | 03-04  | normal    | 03-12    | failed                 | T1                 |
| C4     | 03-06  | normal    | 03-14    | backed out             |                    |
| C5     | 02-10  | normal    | 02-20    | failed (before)        |                    |
| C6     | 03-09  | normal    | 03-16    | successful (after)     |                    |
| C7     | 03-11  | normal    | —        | —                      |                    |
"""

from changes.models import ChangeIncidentLink, ChangeRequest
from itsm.dashboards.selectors import DashboardScope, dashboard_changes, dashboard_targets
from tests.dashboards.conftest import at, period_filters


def add_change(number, *, raised, change_type="normal", reviewed=None, outcome=""):
    change = ChangeRequest.objects.create(
        number=f"CHG8{number:06d}",
        title=f"C{number}",
        change_type=change_type,
        status="closed" if reviewed else "draft",
        reviewed_at=reviewed,
        review_outcome=outcome,
    )
    ChangeRequest.objects.filter(pk=change.pk).update(created_at=raised)  # auto_now_add
    return change


def test_change_success_rate_is_the_share_of_reviews_in_the_period_that_succeeded(history):
    add_change(1, raised=at(3, 3), reviewed=at(3, 5, 10), outcome="successful")
    add_change(2, raised=at(3, 3), change_type="emergency", reviewed=at(3, 10, 10),
               outcome="successful_with_issues")  # fmt: skip
    c3 = add_change(3, raised=at(3, 4), reviewed=at(3, 12, 10), outcome="failed")
    add_change(4, raised=at(3, 6), reviewed=at(3, 14, 10), outcome="backed_out")
    add_change(5, raised=at(2, 10), reviewed=at(2, 20, 10), outcome="failed")
    add_change(6, raised=at(3, 9), reviewed=at(3, 16, 10), outcome="successful")
    add_change(7, raised=at(3, 11))
    ChangeIncidentLink.objects.create(change=c3, incident=history.tickets["T1"])

    fig = dashboard_changes(
        scope=DashboardScope(everything=True), filters=period_filters(),
        targets=dashboard_targets(),
    )  # fmt: skip
    rows = dict(fig.rows)
    # Reviewed in the period: C1, C2, C3, C4 (C5 before, C6 after, C7 never).
    # Successful (with or without issues): C1, C2 → 2 / 4 = 50 %.
    assert rows["Changes reviewed in period"] == 4
    assert rows["Change success rate (%)"] == 50.0
    assert fig.summary[0]["value"] == 50.0
    # Raised in the period: C1, C2, C3, C4, C6, C7 = 6; emergency C2 → 1 / 6 = 16.7 %.
    assert rows["Changes raised in period"] == 6
    assert rows["Emergency changes (%)"] == 16.7
    # Of the four reviewed, C3 caused an incident (T1).
    assert rows["Reviewed changes that caused incidents"] == 1
    assert fig.targets[0]["value"] == 95.0
