"""Portal home, search across articles and the catalog, suggestions and deflection."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from itsm.audit.models import AuditEvent
from itsm.portal.models import Deflection
from tests.factories.catalog import make_catalog_item
from tests.factories.knowledge import ArticleFactory
from tests.factories.tickets import make_ticket
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")
SEARCH = reverse("portal:search")
SUGGEST = reverse("portal:suggest")
DEFLECT = reverse("portal:deflect")
REPORT = reverse("tickets:portal-report-incident")


# --- Access -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [HOME, SEARCH + "?q=vpn", SUGGEST + "?q=vpn", REPORT])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["requester", "agent", "manager", "knowledge_editor"])
def test_requesters_and_staff_can_all_use_the_portal_home(client_as, request, persona):
    user = request.getfixturevalue(persona)
    response = client_as(user).get(HOME)
    assert response.status_code == 200
    assert b"How can we help" in response.content


def test_deflecting_is_post_only(client_as, requester):
    assert client_as(requester).get(DEFLECT).status_code == 405


# --- Home ---------------------------------------------------------------------------------


def test_the_home_page_shows_popular_articles_categories_and_my_open_tickets(
    client_as, requester, other_requester
):
    ArticleFactory(title="Reset your password", view_count=50)
    ArticleFactory(title="Rarely read article", view_count=0)
    ArticleFactory(title="Internal runbook", audience="internal", view_count=500)
    ArticleFactory(title="Draft article", status="draft", view_count=900)
    make_catalog_item(name="New laptop", category="Hardware")
    make_catalog_item(name="Monitor", category="Hardware")
    make_catalog_item(name="Retired phone", category="Phones", is_active=False)
    mine = make_ticket(requester=requester, short_description="Printer on fire")
    make_ticket(requester=other_requester, short_description="Someone else's problem")

    response = client_as(requester).get(HOME)
    html = response.content.decode()
    popular = response.context["popular_articles"]
    assert [a.title for a in popular] == ["Reset your password", "Rarely read article"]
    assert "Internal runbook" not in html and "Draft article" not in html
    categories = {c.name: c.item_count for c in response.context["catalog_categories"]}
    assert categories == {"Hardware": 2}
    assert "2 items" in html
    assert mine.number in html and "Printer on fire" in html
    assert "Someone else" not in html
    assert reverse("catalog:portal-catalog-browse") in html


def test_the_home_page_lists_at_most_five_open_tickets_and_links_to_all(client_as, requester):
    tickets = [make_ticket(requester=requester, short_description=f"T{n}") for n in range(7)]
    response = client_as(requester).get(HOME)
    assert len(response.context["open_tickets"]) == 5
    assert response.context["open_tickets"][0].number == tickets[-1].number
    assert reverse("tickets:portal-my-tickets") + "?show=all" in response.content.decode()


def _fill(size, requester, prefix=""):
    for n in range(size):
        ArticleFactory(title=f"Article {prefix}{n}", view_count=n)
        make_catalog_item(name=f"Item {prefix}{n}", category=f"Category {n % 4}")
        make_ticket(requester=requester, short_description=f"Ticket {prefix}{n}")


@pytest.mark.parametrize("size", [2, 20])
def test_the_home_page_query_count_does_not_grow_with_data(
    client_as, requester, django_assert_max_num_queries, size
):
    _fill(size, requester)
    client = client_as(requester)
    # session, user, staff check, popular articles, catalog categories, open tickets, and one
    # per banner provider (planned maintenance, major incidents): 8 today, room for one more.
    with django_assert_max_num_queries(9):
        response = client.get(HOME)
    assert response.status_code == 200
    assert len(response.context["open_tickets"]) == min(size, 5)


def test_the_home_page_runs_the_same_queries_for_2_and_20_rows(client_as, requester):
    client = client_as(requester)
    counts = []
    for size in (2, 18):
        _fill(size, requester, prefix=f"{size}-")
        with CaptureQueriesContext(connection) as queries:
            client.get(HOME)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_staff_see_internal_but_never_draft_articles_among_the_popular(client_as, agent):
    ArticleFactory(title="Internal runbook", audience="internal", view_count=5)
    ArticleFactory(title="Draft article", status="draft", view_count=9)
    response = client_as(agent).get(HOME)
    assert [a.title for a in response.context["popular_articles"]] == ["Internal runbook"]


@pytest.mark.parametrize("size", [2, 20])
def test_the_search_page_query_count_does_not_grow_with_results(
    client_as, requester, django_assert_max_num_queries, size
):
    for n in range(size):
        ArticleFactory(title=f"Laptop guide {n}")
        make_catalog_item(name=f"Laptop model {n}", category="Hardware")
    client = client_as(requester)
    # session, user, roles and permissions (2: the first request), FTS exists(), ranked
    # articles, catalog items, and the major-incident banner of portal/base.html
    with django_assert_max_num_queries(9):
        response = client.get(SEARCH, {"q": "laptop"})
    assert len(response.context["articles"]) == min(size, 10)
    assert len(response.context["catalog_items"]) == min(size, 10)


# --- Search -------------------------------------------------------------------------------


def test_search_finds_articles_and_catalog_items_on_one_page(client_as, requester):
    ArticleFactory(title="Set up your new laptop", body="Unbox the laptop, sign in, run updates.")
    ArticleFactory(title="Printer troubleshooting")
    make_catalog_item(name="New laptop", category="Hardware")
    make_catalog_item(name="Desk phone", category="Phones")
    make_catalog_item(name="Old laptop model", category="Hardware", is_active=False)

    response = client_as(requester).get(SEARCH, {"q": "laptop"})
    html = response.content.decode()
    assert response.status_code == 200
    assert [a.title for a in response.context["articles"]] == ["Set up your new laptop"]
    assert [i.name for i in response.context["catalog_items"]] == ["New laptop"]
    assert "<mark>laptop</mark>" in html
    assert reverse("catalog:portal-catalog-order", args=["new-laptop"]) in html
    assert "Old laptop model" not in html and "Printer" not in html


def test_search_without_a_match_says_so_and_offers_to_report(client_as, requester):
    ArticleFactory(title="Printer troubleshooting")
    response = client_as(requester).get(SEARCH, {"q": "zzyzx quantum"})
    assert response.context["articles"] == [] and response.context["catalog_items"] == []
    assert b"Nothing found" in response.content
    assert REPORT.encode() in response.content


def test_internal_and_unpublished_articles_never_reach_a_requester(client_as, requester, agent):
    ArticleFactory(title="VPN gateway restart runbook", audience="internal")
    ArticleFactory(title="VPN draft notes", status="draft")
    ArticleFactory(title="VPN retired guide", status="retired")
    public = ArticleFactory(title="Connect to the VPN")
    client = client_as(requester)

    search = client.get(SEARCH, {"q": "vpn"})
    assert [a.title for a in search.context["articles"]] == [public.title]
    suggest = client.get(SUGGEST, {"q": "vpn"}, HTTP_HX_REQUEST="true")
    assert [a.title for a in suggest.context["suggestions"]] == [public.title]
    for response in (search, suggest):
        assert b"runbook" not in response.content and b"draft notes" not in response.content
    # Staff do see the internal one, so the filter is the audience rule and not the query.
    staff = client_as(agent).get(SEARCH, {"q": "vpn"})
    assert "VPN gateway restart runbook" in [a.title for a in staff.context["articles"]]


# --- Suggestions and deflection -----------------------------------------------------------


def test_the_report_form_asks_for_suggestions_while_typing(client_as, requester):
    html = client_as(requester).get(REPORT).content.decode()
    assert f'hx-get="{SUGGEST}"' in html
    assert 'hx-trigger="keyup changed delay:400ms, search"' in html
    assert 'id="suggestions"' in html


def test_suggestions_are_a_partial_of_at_most_five_articles_with_snippets(client_as, requester):
    for n in range(7):
        ArticleFactory(title=f"Outlook problem {n}", body="Outlook keeps asking for a password.")
    response = client_as(requester).get(SUGGEST, {"q": "outlook password"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.count("This solved it</button>") == 5
    assert "<mark>" in html
    assert f'formaction="{DEFLECT}"' in html


def test_suggestions_take_the_subject_field_and_ignore_short_text(client_as, requester):
    ArticleFactory(title="Outlook crashes")
    client = client_as(requester)
    found = client.get(SUGGEST, {"short_description": "outlook"}, HTTP_HX_REQUEST="true")
    assert len(found.context["suggestions"]) == 1
    short = client.get(SUGGEST, {"q": "ou"}, HTTP_HX_REQUEST="true")
    assert short.context["suggestions"] == [] and b"This solved it" not in short.content


def test_suggest_without_htmx_sends_the_visitor_to_the_search_page(client_as, requester):
    response = client_as(requester).get(SUGGEST, {"q": "vpn & wifi"})
    assert response.status_code == 302
    assert response.url == SEARCH + "?q=vpn+%26+wifi"


def test_this_solved_it_records_a_deflection_and_raises_no_ticket(client_as, requester):
    article = ArticleFactory(title="Outlook crashes on start")
    response = client_as(requester).post(
        DEFLECT,
        {"article": article.number, "short_description": "  outlook crashes  ", "urgency": "2"},
    )
    assert response.status_code == 302
    assert response.url == reverse("portal:deflected") + f"?article={article.number}"
    deflection = Deflection.objects.get()
    assert (deflection.user, deflection.article, deflection.query) == (
        requester,
        article,
        "outlook crashes",
    )
    assert Ticket.objects.count() == 0
    assert AuditEvent.objects.filter(action="deflected", actor=requester).count() == 1
    thanks = client_as(requester).get(response.url)
    assert b"No ticket was raised" in thanks.content
    assert article.title.encode() in thanks.content


def test_an_internal_article_cannot_be_used_to_deflect(client_as, requester):
    internal = ArticleFactory(audience="internal")
    response = client_as(requester).post(DEFLECT, {"article": internal.number})
    assert response.status_code == 404
    assert Deflection.objects.count() == 0


def test_the_report_form_shows_suggestions_again_when_it_has_errors(client_as, requester):
    ArticleFactory(title="Wifi keeps disconnecting")
    response = client_as(requester).post(
        REPORT, {"short_description": "wifi disconnecting", "urgency": "99"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Wifi keeps disconnecting" in html and "This solved it" in html
    assert Ticket.objects.count() == 0


def test_reporting_still_creates_the_ticket_when_no_suggestion_helped(client_as, requester):
    ArticleFactory(title="Wifi keeps disconnecting")
    response = client_as(requester).post(
        REPORT, {"short_description": "wifi disconnecting", "urgency": "2"}
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("tickets:portal-ticket-detail", args=[ticket.number])
    assert Deflection.objects.count() == 0


def test_enter_in_the_subject_sends_the_report_not_a_deflection(client_as, requester):
    """The first submit button of the form is the default for implicit submission."""
    ArticleFactory(title="Wifi keeps disconnecting")
    html = client_as(requester).post(REPORT, {"short_description": "wifi"}).content.decode()
    form = html[html.index('<form method="post" class="form-narrow"') :]
    first_button = form[form.index("<button") : form.index("</button>")]
    assert "formaction" not in first_button and "Send to the service desk" in first_button


def test_without_javascript_look_for_articles_first_shows_suggestions_and_sends_nothing(
    client_as, requester
):
    ArticleFactory(title="Wifi keeps disconnecting")
    client = client_as(requester)
    assert b"<noscript><button" in client.get(REPORT).content
    response = client.post(
        REPORT, {"short_description": "wifi drops", "description": "Since Monday", "suggest": "1"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Wifi keeps disconnecting" in html and "This solved it" in html
    assert 'value="wifi drops"' in html and "Since Monday" in html
    assert '<small class="form-error" role="alert">' not in html  # no field refused
    assert Ticket.objects.count() == 0
