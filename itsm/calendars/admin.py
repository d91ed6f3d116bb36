import itertools
from collections import defaultdict
from datetime import time

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from itsm.calendars.models import BusinessCalendar, ClosedDate, WorkingInterval

WEEKDAY_NAMES = dict(WorkingInterval._meta.get_field("weekday").choices)


class WorkingIntervalFormSet(BaseInlineFormSet):
    """Refuses two intervals on the same weekday that overlap: a minute counts only once."""

    def clean(self) -> None:
        super().clean()
        by_day: dict[int, list[tuple[time, time]]] = defaultdict(list)
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            weekday, start, end = data.get("weekday"), data.get("start_time"), data.get("end_time")
            if weekday is None or start is None or end is None:
                continue
            by_day[int(weekday)].append((start, end))
        for weekday, spans in sorted(by_day.items()):
            spans.sort()
            for (start_a, end_a), (start_b, _end_b) in itertools.pairwise(spans):
                ends_at_midnight = end_a == time(0)
                if ends_at_midnight or start_b < end_a:
                    raise ValidationError(
                        f"On {WEEKDAY_NAMES[weekday]} the interval starting "
                        f"{start_a:%H:%M} overlaps the one starting {start_b:%H:%M}. "
                        "Merge them or shorten one."
                    )


class WorkingIntervalInline(admin.TabularInline):
    model = WorkingInterval
    formset = WorkingIntervalFormSet
    extra = 0


class ClosedDateInline(admin.TabularInline):
    model = ClosedDate
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "is_24x7", "holiday_country", "holiday_subdivision"]
    list_filter = ["is_24x7", "holiday_country"]
    search_fields = ["name", "description"]
    inlines = [WorkingIntervalInline, ClosedDateInline]
