"""The strict Content-Security-Policy holds on every persona's pages (issue 20).

Each demo persona signs in and does what they do on their pages; the browser reports every
`securitypolicyviolation` (an inline script or style="" it refused, an eval, a foreign
origin) and every console message about the Content Security Policy. The count must be 0.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from changes.services import change_create
from itsm.accounts.roles import Role
from knowledge.services import article_create
from problems.services import problem_create
from releases.services import release_create
from tests.e2e.test_sign_in import sign_in
from tests.factories.accounts import UserFactory
from tests.factories.tickets import make_ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Runs before any page script: every violation the document sees is handed to the test.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || document.location.pathname}:${event.lineNumber}` +
    ` (${(event.sample || "").slice(0, 60)})`
  );
});
"""


class Journey:
    """A persona's browser tab that records every CSP violation on every page it opens."""

    def __init__(self, browser, base_url, user):
        self.base_url = base_url
        self.violations: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.expose_function(
            "reportCspViolation", lambda text: self.violations.append(f"{self.where()}: {text}")
        )
        self.context.add_init_script(REPORT_VIOLATIONS)
        self.page = self.context.new_page()
        self.page.set_default_timeout(8000)
        self.page.on("console", self.console)
        sign_in(self.page, base_url, user.email)
        self.page.wait_for_load_state("networkidle")

    def where(self):
        return self.page.url.removeprefix(self.base_url)

    def console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.violations.append(f"{self.where()}: console {message.type}: {message.text}")

    def visit(self, path):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-" not in policy, policy
        self.page.wait_for_load_state("networkidle")
        return self.page

    def close(self):
        self.context.close()
        return self.violations


@pytest.fixture
def people(requester, agent, manager, cab_member, knowledge_editor, admin_user, service_desk_team):
    def person(email, name, role):
        user = UserFactory(email=email, display_name=name, roles=[role])
        service_desk_team.members.add(user)
        return user

    return {
        "requester": requester,
        "agent": agent,
        "manager": manager,
        "change manager": person("chris@example.com", "Chris Change", Role.CHANGE_MANAGER),
        "cab member": cab_member,
        "problem manager": person("paula@example.com", "Paula Problem", Role.PROBLEM_MANAGER),
        "release manager": person("rory@example.com", "Rory Release", Role.RELEASE_MANAGER),
        "knowledge editor": knowledge_editor,
        "administrator": admin_user,
    }


@pytest.fixture
def records(people):
    ticket = make_ticket(requester=people["requester"], short_description="Printer jams on tray 2")
    start = timezone.now() + timedelta(days=2)
    change = change_create(
        actor=people["change manager"], title="Upgrade the print server",
        planned_start=start, planned_end=start + timedelta(hours=2),
    )  # fmt: skip
    problem = problem_create(
        actor=people["problem manager"], statement="Tray 2 jams", incidents=[ticket]
    )
    release = release_create(
        actor=people["release manager"], name="Print platform 2.0", changes=[change]
    )
    article = article_create(
        actor=people["knowledge editor"], title="Clearing a paper jam", body="Open **tray 2**."
    )
    return {"ticket": ticket, "change": change, "problem": problem, "release": release,
            "article": article}  # fmt: skip


def journeys(records):
    ticket, change, problem = records["ticket"], records["change"], records["problem"]
    release, article = records["release"], records["article"]

    def requester(j):
        j.visit("/portal/")
        page = j.visit("/portal/tickets/report/")
        page.get_by_label("What is wrong?").press_sequentially("Outlook password", delay=20)
        j.visit("/portal/tickets/")
        j.visit(f"/portal/tickets/{ticket.number}/")
        j.visit("/portal/knowledge/")
        j.visit("/portal/catalog/")
        j.visit("/accounts/security/")
        j.visit("/api-tokens/")

    def agent(j):
        j.visit("/desk/")
        page = j.visit("/desk/tickets/?queue=open")
        page.get_by_label(f"Select {ticket.number}").check()
        expect(page.get_by_role("button", name="Apply to selected")).to_be_visible()
        page = j.visit(f"/desk/tickets/{ticket.number}/")
        page.get_by_role("button", name="Edit category").click()
        expect(page.locator("#edit-category")).to_be_focused()
        page.keyboard.press("Escape")
        expect(page.locator("#edit-category")).to_have_count(0)
        j.visit(f"/desk/tickets/{ticket.number}/panels/")
        j.visit("/desk/changes/")
        j.visit("/desk/changes/calendar/")
        j.visit("/desk/problems/")
        j.visit("/desk/releases/")
        j.visit("/desk/knowledge/")
        page = j.visit("/desk/cmdb/services/")
        # The filter bar's htmx trigger (keyup … from:input[type=search]) under the policy.
        with page.expect_response(lambda r: "/desk/cmdb/services/?" in r.url):
            page.get_by_placeholder("Name contains…").press_sequentially("mail", delay=30)
        page.wait_for_load_state("networkidle")
        # The person's own security pages (sign-in activity, sessions, second factors; the
        # authenticator app's set-up page draws its QR code as a data: image).
        j.visit("/accounts/security/")
        j.visit("/accounts/sessions/")
        j.visit("/accounts/2fa/")
        j.visit("/api-tokens/")

    def manager(j):
        j.visit("/desk/")
        page = j.visit("/dashboards/")
        expect(page.locator("#card-sla_compliance")).to_have_attribute("data-rendered", "true")
        j.visit("/dashboards/processes/")
        j.visit("/desk/major-incidents/")

    def change_manager(j):
        j.visit("/desk/changes/")
        j.visit(f"/desk/changes/{change.number}/")
        j.visit("/desk/changes/calendar/")
        j.visit("/desk/changes/agenda/")
        j.visit("/desk/changes/new/")

    def cab_member(j):
        j.visit("/desk/changes/agenda/")
        j.visit(f"/desk/changes/{change.number}/")
        j.visit("/desk/approvals/")

    def problem_manager(j):
        j.visit("/desk/problems/")
        j.visit(f"/desk/problems/{problem.number}/")
        j.visit("/desk/problems/candidates/")

    def release_manager(j):
        j.visit("/desk/releases/")
        j.visit(f"/desk/releases/{release.number}/")

    def knowledge_editor(j):
        j.visit("/desk/knowledge/")
        j.visit(f"/desk/knowledge/{article.number}/")
        j.visit(f"/desk/knowledge/{article.number}/edit/")
        j.visit("/desk/knowledge/queue/")

    def administrator(j):
        j.visit("/admin/")
        j.visit("/admin/tickets/ticket/")
        j.visit(f"/admin/accounts/user/{records['ticket'].requester_id}/change/")
        j.visit("/desk/privacy/?q=rita")
        j.visit(f"/desk/privacy/people/{records['ticket'].requester_id}/")
        j.visit(f"/desk/privacy/people/{records['ticket'].requester_id}/erase/")
        j.visit("/desk/mailboxes/")
        j.visit("/desk/mailboxes/new/")
        page = j.visit("/api/v1/docs/")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("ITSM API")

    return {
        "requester": requester,
        "agent": agent,
        "manager": manager,
        "change manager": change_manager,
        "cab member": cab_member,
        "problem manager": problem_manager,
        "release manager": release_manager,
        "knowledge editor": knowledge_editor,
        "administrator": administrator,
    }


def test_no_csp_violation_on_any_persona_page(live_server, browser, people, records):
    violations = []
    for persona, walk in journeys(records).items():
        journey = Journey(browser, live_server.url, people[persona])
        walk(journey)
        violations += [f"{persona} {v}" for v in journey.close()]
    assert violations == []


def test_an_injected_inline_script_is_refused_and_reported(live_server, browser, people):
    """The listener above really hears violations: without this, 0 could mean deafness."""
    journey = Journey(browser, live_server.url, people["agent"])
    page = journey.visit("/desk/")
    page.evaluate(
        """() => {
          const s = document.createElement("script");
          s.textContent = "window.injected = true";
          document.body.append(s);
          document.body.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>');
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected") is None
    violations = journey.close()
    assert any("script-src" in v for v in violations), violations
    assert any("style-src" in v for v in violations), violations
