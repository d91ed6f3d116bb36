"""Business calendars: when the service desk (or a change window) counts time as working time."""

import zoneinfo
from datetime import time

import holidays
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from itsm.core.models import TimeStampedModel

WEEKDAY_CHOICES = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "“%(value)s” is not a time zone we know. Use a name from the IANA list, "
            "such as Europe/Berlin or America/New_York.",
            params={"value": value},
        )


class BusinessCalendar(TimeStampedModel):
    """The working hours an SLA clock or a change window is measured against.

    Time is counted in the calendar's own timezone: working intervals are wall-clock times
    there, and public holidays come from the `holidays` package for `holiday_country`
    (ISO 3166 code, e.g. "DE") and optionally a `holiday_subdivision` (e.g. "BY" for Bavaria),
    plus the calendar's own closed dates. A 24x7 calendar ignores intervals and counts every
    minute; give it a holiday country or closed dates and it counts every minute except those
    days. Arithmetic lives in `itsm.calendars.arithmetic`; `selectors.calendar_spec` bridges.
    """

    name = models.CharField(max_length=120, unique=True)
    timezone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text="IANA time zone the working hours are given in, e.g. Europe/London.",
    )
    is_24x7 = models.BooleanField(
        "24x7",
        default=False,
        help_text="Every minute of every day counts; working intervals are ignored.",
    )
    holiday_country = models.CharField(
        max_length=8,
        blank=True,
        help_text="Country whose public holidays are closed days, e.g. DE or GB. Blank: none.",
    )
    holiday_subdivision = models.CharField(
        max_length=16,
        blank=True,
        help_text="Region within the country with its own holidays, e.g. BY (Bavaria).",
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(holiday_country__gt="") | Q(holiday_subdivision=""),
                name="calendars_subdivision_needs_country",
                violation_error_message="Choose a holiday country before a region.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.holiday_subdivision and not self.holiday_country:
            raise ValidationError(
                {"holiday_subdivision": "Choose a holiday country before a region."}
            )
        if self.holiday_country:
            self.holiday_country = self.holiday_country.upper()
            supported = holidays.list_supported_countries()
            if self.holiday_country not in supported:
                raise ValidationError(
                    {
                        "holiday_country": f"Public holidays for “{self.holiday_country}” are "
                        "not available. Use a two-letter country code such as DE, GB or US."
                    }
                )
            if self.holiday_subdivision:
                regions = supported[self.holiday_country]
                if self.holiday_subdivision not in regions:
                    raise ValidationError(
                        {
                            "holiday_subdivision": f"“{self.holiday_subdivision}” is not a "
                            f"region of {self.holiday_country}. Known regions: "
                            f"{', '.join(regions)}."
                        }
                    )


class WorkingInterval(models.Model):
    """One stretch of working time on a weekday, in the calendar's local time.

    A day may have several (08:00-12:00 and 13:00-17:00 around lunch). An end of 00:00 means
    midnight at the end of the day, so 22:00-00:00 is the last two hours and 00:00-00:00 the
    whole day; that is why the check is "start < end, unless end is midnight".
    """

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="working_intervals"
    )
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAY_CHOICES)
    start_time = models.TimeField()
    end_time = models.TimeField(help_text="00:00 means midnight at the end of the day.")

    class Meta:
        ordering = ["calendar", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__lt=F("end_time")) | Q(end_time=time(0, 0)),
                name="calendars_interval_starts_before_end",
                violation_error_message="A working interval must end after it starts "
                "(use 00:00 as the end for midnight).",
            ),
            models.CheckConstraint(
                condition=Q(weekday__lte=6),
                name="calendars_interval_weekday_range",
                violation_error_message="The weekday must be Monday to Sunday.",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"
            if self.start_time is not None and self.end_time is not None
            else self.get_weekday_display()
        )


class ClosedDate(models.Model):
    """A local date on which the calendar has no working time beyond public holidays.

    Office closures, company holidays, a bridge day. Public holidays need no row: they come
    from the calendar's holiday country.
    """

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="closed_dates"
    )
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["calendar", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date"],
                name="calendars_closed_date_unique",
                violation_error_message="This date is already closed in this calendar.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.reason}".strip()
