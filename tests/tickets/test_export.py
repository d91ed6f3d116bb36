"""The queue exported as shown (tickets.export): CSV and XLSX, desk and API."""

import csv
import io

import openpyxl
import pytest
from django.utils import timezone

from tests.factories.tickets import make_ticket
from tickets import services
from tickets.export import safe_text

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def _xlsx(response) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book["Tickets"].iter_rows(values_only=True))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 555", "'+1 555"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("VPN down", "VPN down"),
    ],
)
def test_text_a_spreadsheet_would_run_is_escaped(text, shown):
    assert safe_text(text) == shown


def test_csv_export_holds_the_queue_as_shown_filtered_and_sorted(client_as, agent, requester):
    low = make_ticket(requester=requester, short_description="Mouse squeaks", impact=3, urgency=3)
    high = make_ticket(requester=requester, short_description="Payroll stuck", impact=1, urgency=1)
    mid = make_ticket(requester=requester, short_description="=cmd|' /C calc'!A0", urgency=1)
    cancelled = make_ticket(requester=requester, short_description="Raised twice")
    services.ticket_transition(
        ticket=cancelled, to_status="cancelled", actor=agent, expected_version=None, reason="x"
    )
    response = client_as(agent).get(
        "/desk/tickets/export/", {"queue": "open", "sort": "priority", "format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="tickets-{today}.csv"'
    rows = _csv(response)
    assert rows[0][:5] == ["Number", "Type", "Priority", "Short description", "Status"]
    assert [row[0] for row in rows[1:]] == [high.number, mid.number, low.number]
    assert rows[2][3] == "'=cmd|' /C calc'!A0"  # formula-injection safe
    assert rows[1][7:9] == ["Rita Requester", "rita@example.com"]
    assert rows[1][14][:10] == today  # ISO date in the desk's timezone


def test_export_honours_the_search_and_filter_of_the_view(client_as, agent, requester):
    match = make_ticket(requester=requester, short_description="Printer jams on floor 3")
    make_ticket(requester=requester, short_description="VPN drops")
    rows = _csv(client_as(agent).get("/desk/tickets/export/", {"q": "printer", "format": "csv"}))
    assert [row[0] for row in rows[1:]] == [match.number]
    rows = _csv(client_as(agent).get("/desk/tickets/export/", {"priority": "1"}))
    assert rows[1:] == []


def test_xlsx_export_opens_in_openpyxl_with_text_cells_and_dates(client_as, agent, requester):
    ticket = make_ticket(requester=requester, short_description="@SUM(1+1)")
    response = client_as(agent).get("/desk/tickets/export/", {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].endswith(
        f'filename="tickets-{timezone.localdate().isoformat()}.xlsx"'
    )
    header, row = _xlsx(response)
    assert header[0] == "Number" and header[-1] == "Updated"
    assert row[0] == ticket.number
    assert row[3] == "'@SUM(1+1)"
    opened = row[14]
    assert opened.date() == timezone.localdate()  # a real date cell


@pytest.mark.parametrize("rows", [3, 30])
def test_export_runs_a_fixed_number_of_queries(
    client_as, agent, requester, rows, django_assert_num_queries
):
    for _ in range(rows):
        make_ticket(requester=requester)
    client = client_as(agent)
    client.get("/desk/tickets/")  # session and permissions warm, like an agent on the queue
    # session, user (the roles: cached), then the export: one statement through a cursor,
    # planned for all its rows (cursor_tuple_fraction set before and reset after).
    with django_assert_num_queries(5):
        got = _csv(client.get("/desk/tickets/export/", {"format": "csv"}))
    assert len(got) == rows + 1
    with django_assert_num_queries(5):
        assert len(_xlsx(client.get("/desk/tickets/export/", {"format": "xlsx"}))) == rows + 1


def test_a_requester_cannot_export(client_as, requester, api_as):
    make_ticket(requester=requester)
    assert client_as(requester).get("/desk/tickets/export/").status_code == 403
    response = api_as(requester).get("/api/v1/tickets/export/", {"format": "csv"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_an_unknown_format_or_filter_is_refused(client_as, agent, api_as):
    response = client_as(agent).get("/desk/tickets/export/", {"format": "pdf"}, follow=True)
    assert "Export as CSV or Excel" in response.content.decode()
    api = api_as(agent)
    response = api.get("/api/v1/tickets/export/", {"format": "pdf"})
    assert response.status_code == 400
    assert response.json() == {"format": ["Export as csv or xlsx."]}
    response = api.get("/api/v1/tickets/export/", {"team": "999999"})
    assert response.status_code == 400
    assert "Team" in response.json()["detail"]


def test_api_export_streams_the_same_rows_as_the_desk(client_as, agent, requester, api_as):
    first = make_ticket(requester=requester, impact=1, urgency=1)
    second = make_ticket(requester=requester)
    response = api_as(agent).get(
        "/api/v1/tickets/export/", {"format": "csv", "sort": "-number"}, HTTP_ACCEPT="text/csv"
    )
    assert response.status_code == 200
    assert [row[0] for row in _csv(response)[1:]] == [second.number, first.number]
    response = api_as(agent).get("/api/v1/tickets/export/", {"format": "xlsx", "priority": "1"})
    assert [row[0] for row in _xlsx(response)[1:]] == [first.number]
