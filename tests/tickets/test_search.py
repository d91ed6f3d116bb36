"""Ticket text search (desk queue, API ?q=, the portal's "my tickets"): every kind of term,
its ranking, the indexes behind it, and the query counts of every ticket list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.cmdb import ConfigurationItemFactory
from tests.factories.tickets import make_ticket
from tickets.choices import TicketKind
from tickets.models import Category, Ticket
from tickets.selectors import ticket_list_matching

pytestmark = pytest.mark.django_db

DESK = "/desk/tickets/"
API = "/api/v1/incidents/"
PORTAL = "/portal/tickets/"


def _numbers(tickets):
    return [t.number for t in tickets]


def _search(text):
    return _numbers(ticket_list_matching(tickets=Ticket.objects.order_by("-created_at"), text=text))


@pytest.fixture
def printer(requester):
    return make_ticket(
        requester=requester,
        short_description="Printer jam on floor 3",
        description="Paper stuck in tray two.",
    )


@pytest.fixture
def bitlocker(other_requester):
    return make_ticket(
        requester=other_requester,
        short_description="Laptop asks for a recovery key",
        description="The BitLocker screen appears at every start.",
    )


# --- Each kind of term ----------------------------------------------------------------


def test_a_word_in_no_ticket_finds_nothing(printer, bitlocker):
    assert _search("zqxjv") == []


def test_a_rare_word_of_the_description_finds_its_ticket(printer, bitlocker):
    assert _search("bitlocker") == [bitlocker.number]


def test_a_common_word_finds_every_ticket_that_has_it_in_any_form(printer, bitlocker, requester):
    other = make_ticket(requester=requester, short_description="Printers offline in Leeds")
    assert set(_search("printer")) == {printer.number, other.number}


def test_a_whole_number_finds_exactly_that_ticket(printer, bitlocker):
    assert _search(bitlocker.number.lower()) == [bitlocker.number]


def test_a_number_fragment_finds_the_tickets_whose_number_contains_it(printer, bitlocker):
    assert _search(printer.number[-5:]) == [printer.number]
    found = _search(printer.number[:-1].lower())
    assert printer.number in found
    assert all(number.startswith(printer.number[:-1]) for number in found)
    assert _search("9999999") == []


def test_a_requesters_name_or_email_finds_their_tickets(printer, bitlocker, other_requester):
    assert _search("Omar Employee") == [bitlocker.number]
    assert _search("omar@example.com") == [bitlocker.number]
    assert _search("OMAR@EXAMPLE") == [bitlocker.number]


def test_a_phrase_matches_the_words_together_and_in_order(printer, requester):
    reversed_words = make_ticket(
        requester=requester, short_description="Jam in the tray, printer beeps"
    )
    assert _search('"printer jam"') == [printer.number]
    assert set(_search("printer jam")) == {printer.number, reversed_words.number}


def test_a_misspelt_subject_word_still_finds_the_ticket(printer, bitlocker):
    assert _search("pritner") == [printer.number]
    assert _search("recovry") == [bitlocker.number]


@pytest.mark.parametrize("text", ["printer", '"printer jam"'])
def test_a_term_only_older_tickets_have_is_found_past_the_newest_ones(requester, monkeypatch, text):
    """The look among the newest tickets misses; the look over every ticket still finds it."""
    from tickets.selectors import search

    monkeypatch.setattr(search, "RECENT_PROBE", 2)
    old = make_ticket(requester=requester, short_description="Printer jam on floor 3")
    for _ in range(2):
        make_ticket(requester=requester, short_description="VPN drops")
    match = search.Q(search=search._search_query(text))
    assert search._matches_among_newest(Ticket.objects.all(), match) is False
    assert _search(text) == [old.number]


def test_the_newest_tickets_answer_whether_a_term_matches_at_all(printer, requester):
    from tickets.selectors import search

    match = search.Q(search=search._search_query("printer"))
    assert search._matches_among_newest(Ticket.objects.all(), match) is True
    assert search._matches_among_newest(Ticket.objects.exclude(pk=printer.pk), match) is False


def test_search_keeps_to_the_tickets_it_is_given(printer, bitlocker, requester):
    mine = ticket_list_matching(tickets=Ticket.objects.filter(requester=requester), text="laptop")
    assert list(mine) == []


@pytest.mark.parametrize("text", ["", "   ", "\x00", "a" * 500, "-", '"', "!!", "printer & | !"])
def test_odd_input_is_answered_not_refused(printer, text):
    assert isinstance(_search(text), list)


# --- Where the search is offered ------------------------------------------------------


def test_the_desk_queue_lists_the_best_matches_first(client_as, agent, requester):
    in_subject = make_ticket(requester=requester, short_description="VPN drops every hour")
    in_description = make_ticket(
        requester=requester, short_description="Cannot reach the intranet", description="VPN on"
    )
    html = client_as(agent).get(DESK, {"q": "vpn"}).content.decode()
    # The newer ticket has the word in its description only: the subject weighs more.
    assert html.index(in_subject.number) < html.index(in_description.number)
    by_date = client_as(agent).get(DESK, {"q": "vpn", "sort": "-created_at"}).content.decode()
    assert by_date.index(in_description.number) < by_date.index(in_subject.number)


def test_the_api_searches_with_q(api_as, agent, printer, bitlocker):
    body = api_as(agent).get(API, {"q": "pritner"}).json()
    assert [row["number"] for row in body["results"]] == [printer.number]
    assert api_as(agent).get(API, {"q": "zqxjv"}).json()["results"] == []


def test_my_tickets_searches_only_the_requesters_own(client_as, requester, printer, bitlocker):
    client = client_as(requester)
    html = client.get(PORTAL, {"show": "all", "q": "printer"}).content.decode()
    assert printer.number in html
    # Someone else's ticket never shows, even when the term names it exactly.
    other = client.get(PORTAL, {"show": "all", "q": "bitlocker"}).content.decode()
    assert bitlocker.number not in other
    assert "No ticket matches" in other


# --- The indexes behind each kind -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "operator", "index"),
    [
        ("printer", "@@", "ticket_search"),
        ('"printer jam"', "@@", "ticket_search"),
        ("fragment", "LIKE", "ticket_number_trgm"),
        ("pritner", "%>", "ticket_subject_trgm"),
    ],
)
def test_each_kind_of_term_can_be_served_by_its_index(printer, text, operator, index):
    """GIVEN a table too small for the planner to prefer an index on its own
    WHEN sequential scans are ruled out
    THEN the search's SQL is one the named index serves (it uses the indexed column)."""
    text = printer.number[-5:] if text == "fragment" else text
    with CaptureQueriesContext(connection) as ctx:
        list(ticket_list_matching(tickets=Ticket.objects.order_by(), text=text))
    sql = [q["sql"] for q in ctx.captured_queries if operator in q["sql"]][-1]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan


# --- Query counts of every ticket list ------------------------------------------------


@pytest.fixture
def realistic_tickets(requester):
    """Tickets as a live desk has them: most with a CI, a parent, a duplicate and a
    subcategory, each a different row (so nothing is read once and reused)."""

    def make(rows, *, kind=TicketKind.INCIDENT):
        top = Category.objects.create(name="Hardware")
        parent = make_ticket(requester=requester, short_description="Printer outage", kind=kind)
        made = []
        for n in range(rows):
            ticket = make_ticket(requester=requester, short_description=f"Printer {n}", kind=kind)
            if n % 5:  # four in five
                Ticket.objects.filter(pk=ticket.pk).update(
                    ci=ConfigurationItemFactory(),
                    parent=parent,
                    duplicate_of=made[-1] if made else parent,
                    subcategory=Category.objects.create(name=f"Printer {n}", parent=top),
                )
            made.append(ticket)
        return rows + 1

    return make


@pytest.mark.parametrize("rows", [5, 30])
@pytest.mark.parametrize(
    ("url", "kind"), [(API, TicketKind.INCIDENT), ("/api/v1/requests/", TicketKind.REQUEST)]
)
def test_api_lists_run_a_fixed_number_of_queries(
    api_as, agent, realistic_tickets, rows, url, kind, django_assert_num_queries
):
    expected = realistic_tickets(rows, kind=kind)
    client = api_as(agent)
    # The caller's roles and permissions (2, then cached), the tickets with the list's
    # relations joined in, then one query each for CIs, parents, duplicates, subcategories
    # and watchers: nothing per row.
    with django_assert_num_queries(8):
        response = client.get(url, {"page_size": 50})
    assert len(response.json()["results"]) == expected
    body = response.json()["results"]
    assert sum(1 for row in body if row["ci"] and row["parent"] and row["subcategory"]) >= rows // 2
    # A search adds the look-up of requesters by name and the EXISTS of a match (the roles
    # are known from the first request).
    with django_assert_num_queries(8):
        response = client.get(url, {"page_size": 50, "q": "printer"})
    assert len(response.json()["results"]) == expected


@pytest.mark.parametrize("rows", [5, 30])
def test_desk_queue_and_my_tickets_run_a_fixed_number_of_queries(
    client_as, agent, requester, realistic_tickets, rows, django_assert_num_queries
):
    expected = realistic_tickets(rows)
    desk = client_as(agent)
    view = {"q": "printer", "page_size": 50}
    desk.get(DESK, view)  # queue counts and choice lists into the cache, the view remembered
    # Session, user, the agent's queue preference, rows, SLA clocks, saved filters (the
    # roles: cached); a search adds the requester look-up and the EXISTS of a match.
    with django_assert_num_queries(8):
        html = desk.get(DESK, view).content.decode()
    assert html.count(f'data-href="{DESK}INC') == expected
    portal = client_as(requester)
    # Session, user, the page (one row more than shown, no COUNT: counting every match of a
    # search cost more than the page at a million tickets), the requester's roles and
    # permissions (2: their first request), the major-incident banner, plus the search's two.
    with django_assert_num_queries(8) as portal_queries:
        html = portal.get(PORTAL, {"show": "all", "q": "printer"}).content.decode()
    assert html.count(f'<tr><td><a href="{PORTAL}') == min(expected, 25)
    assert ('rel="next"' in html) == (expected > 25)
    assert not [
        q for q in portal_queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)")
    ]


# --- Unique look-ups ------------------------------------------------------------------


def test_the_ticket_is_fetched_by_number_without_sorting(api_as, agent, printer):
    with CaptureQueriesContext(connection) as ctx:
        assert api_as(agent).get(f"{API}{printer.number}/").status_code == 200
    fetch = [q["sql"] for q in ctx.captured_queries if '"tickets_ticket"."number" =' in q["sql"]]
    assert fetch
    assert all("ORDER BY" not in sql for sql in fetch), fetch


def test_a_requester_gets_404_for_someone_elses_ticket_by_number(api_as, requester, bitlocker):
    assert api_as(requester).get(f"{API}{bitlocker.number}/").status_code == 404
