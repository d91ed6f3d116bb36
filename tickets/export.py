"""The queue exported to CSV or Excel, for any number of rows in flat memory.

Rows are read through a server-side cursor (`QuerySet.iterator(chunk_size=…)`): the database
hands over EXPORT_CHUNK rows at a time, and nothing holds the whole result. CSV is written
row by row into a StreamingHttpResponse. An XLSX file cannot be streamed as it is written
(the zip's directory comes last), so xlsxwriter writes it in constant-memory mode (one row in
memory, the rest flushed to its temporary files) into a temporary file, which is then sent
with FileResponse and disappears when it is closed.

Cells are formula-injection safe (OWASP "CSV injection"): text starting with = + - @, a tab or
a carriage return is prefixed with an apostrophe, so a spreadsheet shows it as text instead
of running it. In XLSX every text cell is also written as a string, never as a formula.

Dates: CSV carries ISO 8601 in the desk's timezone ("2026-12-03 14:05", what spreadsheets sort
and parse); XLSX carries real date cells shown in the same form.
"""

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import IO, Any

import xlsxwriter  # type: ignore[import-untyped]  # ships no type hints
from django.db import connections
from django.db.models import Exists, OuterRef, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from tickets.choices import Channel, TicketKind, TicketStatus
from tickets.models import SlaClock, Ticket
from tickets.sla.rules import SlaState

EXPORT_CHUNK = 2000
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HEADINGS = (
    "Number",
    "Type",
    "Priority",
    "Short description",
    "Status",
    "SLA due",
    "SLA breached",
    "Requester",
    "Requester e-mail",
    "Team",
    "Agent",
    "Service",
    "Category",
    "Channel",
    "Opened",
    "Updated",
)
# Read as plain values, not model instances: building five models per row was most of the
# export's time (bench/bench_export.py).
_VALUES = (
    "number",
    "kind",
    "priority",
    "short_description",
    "status",
    "sla_due_at",
    "export_sla_breached",
    "requester__display_name",
    "requester__email",
    "assignment_team__name",
    "assignee__display_name",
    "assignee__email",
    "service__name",
    "category__name",
    "channel",
    "created_at",
    "updated_at",
)
_KIND = dict(TicketKind.choices)
_STATUS = dict(TicketStatus.choices)
_CHANNEL = dict(Channel.choices)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Text a spreadsheet will not read as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def export_filename(fmt: str) -> str:
    return f"tickets-{timezone.localdate().isoformat()}.{fmt}"


def export_rows(tickets: QuerySet[Ticket]) -> Iterator[tuple[Any, ...]]:
    """One tuple per ticket, in the queryset's order, read EXPORT_CHUNK rows at a time.

    The queue's queryset prefetches SLA clocks for its badges; here the SLA columns are the
    stored due instant and a subquery in the same statement instead, so the export is one
    query whatever its size.
    """
    rows = (
        tickets.prefetch_related(None)
        .annotate(
            export_sla_breached=Exists(
                SlaClock.objects.filter(ticket=OuterRef("pk"), state=SlaState.BREACHED)
            ),
        )
        .values_list(*_VALUES)
    )
    zone = timezone.get_current_timezone()

    def local(value: datetime | None) -> datetime | None:
        # Naive local time: what a spreadsheet shows, in the desk's timezone.
        return value.astimezone(zone).replace(tzinfo=None, microsecond=0) if value else None

    # A cursor is planned for its first rows (cursor_tuple_fraction 0.1): at a million tickets
    # PostgreSQL then walks the sort column's index with a nested loop per row, and a 100k-row
    # CSV took 15 s instead of 5 (bench/bench_export.py). An export reads every row, so it is
    # planned for all of them,
    # and the setting is put back when the export ends (the connection is reused).
    db = connections[rows.db]
    with db.cursor() as cursor:
        cursor.execute("SET cursor_tuple_fraction = 1.0")
    try:
        yield from _export_tuples(rows, local)
    finally:
        with db.cursor() as cursor:
            cursor.execute("RESET cursor_tuple_fraction")


def _export_tuples(rows: QuerySet, local: Callable[[Any], Any]) -> Iterator[tuple[Any, ...]]:
    for (
        number,
        kind,
        priority,
        short_description,
        status,
        sla_due,
        sla_breached,
        requester_name,
        requester_email,
        team,
        agent_name,
        agent_email,
        service,
        category,
        channel,
        created_at,
        updated_at,
    ) in rows.iterator(chunk_size=EXPORT_CHUNK):
        yield (
            number,
            _KIND.get(kind, kind),
            f"P{priority}",
            short_description,
            _STATUS.get(status, status),
            local(sla_due),
            "yes" if sla_breached else "no",
            requester_name or requester_email,  # as User.__str__ shows a person
            requester_email,
            team or "",
            (agent_name or agent_email) if agent_email else "",
            service or "",
            category or "",
            _CHANNEL.get(channel, channel),
            local(created_at),
            local(updated_at),
        )


# --- CSV ---


class _Line:
    """csv.writer writes into this and gets the line back, so each row can be yielded."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    writer = csv.writer(_Line())
    # The byte-order mark tells Excel the file is UTF-8 (names with accents stay readable).
    yield "\ufeff" + writer.writerow(HEADINGS)
    for row in rows:
        yield writer.writerow([_csv_cell(value) for value in row])


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return safe_text(str(value))


def csv_response(tickets: QuerySet[Ticket]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(export_rows(tickets)), content_type=FORMATS["csv"])
    response["Content-Disposition"] = f'attachment; filename="{export_filename("csv")}"'
    return response


# --- XLSX ---


def xlsx_file(rows: Iterable[tuple[Any, ...]]) -> IO[bytes]:
    """The rows as an XLSX workbook in a temporary file, opened for reading at its start.

    The file has no name on disk once this returns (it is deleted when closed, and on
    POSIX unlinked already), so an interrupted download leaves nothing behind.
    """
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    # constant_memory: each row is flushed to disk when the next begins (xlsxwriter docs,
    # "Working with Memory and Performance"); in_memory would hold the whole workbook.
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("Tickets")
    bold = book.add_format({"bold": True})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.freeze_panes(1, 0)
    for col, heading in enumerate(HEADINGS):
        sheet.write_string(0, col, heading, bold)
    widths = (12, 16, 8, 48, 12, 16, 8, 24, 28, 18, 22, 20, 18, 10, 16, 16)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime):
                sheet.write_datetime(r, col, value, when)
            else:
                sheet.write_string(r, col, safe_text(str(value)))
    book.close()
    out.seek(0)
    return out


def xlsx_response(tickets: QuerySet[Ticket]) -> FileResponse:
    return FileResponse(
        xlsx_file(export_rows(tickets)),
        as_attachment=True,
        filename=export_filename("xlsx"),
        content_type=FORMATS["xlsx"],
    )


def export_response(tickets: QuerySet[Ticket], fmt: str) -> StreamingHttpResponse | FileResponse:
    """The tickets as a download in `fmt` ("csv" or "xlsx", see FORMATS)."""
    return xlsx_response(tickets) if fmt == "xlsx" else csv_response(tickets)
