"""The change calendar as iCalendar (RFC 5545), built with the `icalendar` package."""

from datetime import datetime

from django.urls import reverse
from icalendar import Calendar, Event

from changes.choices import ChangeRequestStatus

TENTATIVE = (ChangeRequestStatus.ASSESSMENT, ChangeRequestStatus.CAB)


def feed(*, changes, blackouts, base_url: str, host: str, now: datetime) -> bytes:
    """One VEVENT per change (UID = number@host, so updates replace the event in clients)
    and one per blackout window (marked as such in the summary)."""
    cal = Calendar()
    cal.add("prodid", "-//ITSM//Change calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Change calendar")
    for change in changes:
        event = Event()
        event.add("uid", f"{change.number}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", change.planned_start)
        event.add("dtend", change.planned_end)
        event.add("summary", f"{change.number} {change.title}")
        event.add("status", "TENTATIVE" if change.status in TENTATIVE else "CONFIRMED")
        event.add("categories", [change.get_status_display(), change.get_change_type_display()])
        event.add("url", base_url + reverse("changes:desk-change-detail", args=[change.number]))
        risk = change.risk_override_level or change.risk_assessed_level or "not assessed"
        event.add(
            "description",
            f"Status: {change.get_status_display()}\nType: {change.get_change_type_display()}"
            f"\nRisk: {risk}",
        )
        cal.add_component(event)
    for blackout in blackouts:
        event = Event()
        event.add("uid", f"blackout-{blackout.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", blackout.starts_at)
        event.add("dtend", blackout.ends_at)
        event.add("summary", f"Blackout: {blackout.name}")
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    return cal.to_ical()
