"""The API keeps the promise its OpenAPI schema makes (issue #15).

Schemathesis reads the schema the product serves at /api/v1/schema/ and sends every operation
valid and invalid requests, generated from the schema, as an agent and as a requester (token
auth, as a script would). Every answer must be no server error, of a status code the schema
documents for that operation, of a documented content type, and match the documented body.

The requests go in-process to the real WSGI application and the real PostgreSQL test database,
seeded with one record of each kind the persona can reach, so operations on `{number}` and
`{id}` meet real records (and their guards and refusals), not only 404s.

Bounded so the module stays within a few minutes on two cores: EXAMPLES requests per operation
and generation mode, no shrinking, no example database. Every failure is collected (not only
the first), so the assertion message lists all of them at once.
"""

import random
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from itsm.accounts.roles import Role
from itsm.cmdb.choices import RelationKind
from itsm.cmdb.services import ci_relation_add
from itsm.notifications.models import InAppNotification
from problems.services import problem_create
from releases.services import release_create
from tests.changes.factories import make_change
from tests.factories.accounts import TeamFactory, UserFactory
from tests.factories.apitokens import bearer, make_token
from tests.factories.catalog import make_catalog_item
from tests.factories.cmdb import ConfigurationItemFactory, ServiceFactory
from tests.factories.knowledge import ArticleFactory
from tests.factories.tickets import make_ticket
from tickets.canned.services import canned_response_create
from tickets.catalog.services import request_order
from tickets.choices import TicketKind
from tickets.major.services import major_incident_declare
from tickets.models import Approval, FulfilmentTask
from tickets.services import comment_add, macro_create, time_entry_log

not_a_server_error = schemathesis.checks.not_a_server_error
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Requests per operation and generation mode (valid data, then invalid data).
EXAMPLES = 8
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
# The operations each persona must have seen succeed at least once.
READS = {
    # A canned response filled in for a ticket needs a ticket number in the query, which the
    # generator cannot guess (tests/tickets/test_canned.py reads it).
    "agent": lambda label: label.startswith("GET ") and not label.endswith("/filled/"),
    # Time worked is the desk's bookkeeping, and suggestions (similar tickets, suggested
    # articles) are the desk's: a requester is refused them (403) on their own tickets too.
    "requester": lambda label: (
        label.startswith(
            ("GET /api/v1/incidents/", "GET /api/v1/requests/", "GET /api/v1/catalog-items/")
        )
        and not any(
            part in label for part in ("/time-entries/", "/similar/", "/suggested-articles/")
        )
    ),
}


@dataclass
class Findings:
    """Every distinct failure of a run, by check: one per operation, check and status."""

    seen: dict[tuple[str, str, int], str] = field(default_factory=dict)
    statuses: dict[str, Counter] = field(default_factory=dict)

    def add(self, operation: str, check: str, status: int, message: str) -> None:
        self.seen.setdefault((operation, check, status), message)

    def counts(self) -> Counter:
        return Counter(check for _, check, _ in self.seen)

    def report(self) -> str:
        lines = [f"{check}: {count}" for check, count in sorted(self.counts().items())]
        for (operation, check, status), message in sorted(self.seen.items()):
            lines.append(f"- {operation} [{check}] {status}: {message}")
        return "\n".join(lines)


@pytest.fixture
def wsgi_app():
    """The product's WSGI application as gunicorn runs it, except that a request does not
    close the test's database connection (Django's own test client does the same), and each
    request runs in a savepoint so a failed statement cannot poison the next request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    handler = WSGIHandler()

    def app(environ, start_response):
        with transaction.atomic():
            return list(handler(environ, start_response))

    yield app
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def reachable(db, agent, requester):
    """One record of each kind, so that path parameters can name real ones: the requester's
    own tickets, records of every process an agent reads."""
    manager = UserFactory(
        email="morgan@example.com",
        display_name="Morgan Manager",
        roles=[Role.SERVICE_DESK_MANAGER, Role.AGENT, Role.CHANGE_MANAGER, Role.RELEASE_MANAGER],
    )
    approvers = TeamFactory(name="Approvers")
    approvers.members.add(agent)
    fulfilment = TeamFactory(name="Fulfilment")
    fulfilment.members.add(agent)
    service = ServiceFactory(name="Email")
    ci = ConfigurationItemFactory(name="mail-01", service=service)
    incident = make_ticket(requester=requester, actor=agent, impact=1, urgency=1)
    request = make_ticket(requester=requester, actor=agent, kind=TicketKind.REQUEST)
    laptop = make_catalog_item(
        name="New laptop", fields=[("model", "choice", True, ("13", "15"))], approval_team=approvers
    )
    mouse = make_catalog_item(name="Mouse", tasks=[("Hand over", fulfilment, 1)])
    ordered = request_order(
        item=laptop, requester=requester, actor=requester, form_data={"model": "15"}
    )
    request_order(item=mouse, requester=requester, actor=requester, form_data={})
    major = major_incident_declare(
        ticket=make_ticket(requester=requester, actor=agent, impact=1, urgency=1),
        actor=manager,
        reason="Everyone is affected",
        manager=manager,
        communications_owner=manager,
    )
    problem = problem_create(actor=agent, statement="Mail queues stall", incidents=[incident])
    change = make_change(actor=manager)
    release = release_create(actor=manager, name="Mail 2.0", changes=[change])
    article = ArticleFactory(title="Reset your password")
    time_entry = time_entry_log(ticket=incident, agent=agent, minutes=20)
    macro = macro_create(actor=manager, name="Seeded macro", note_body="Looked at it.")
    canned = canned_response_create(
        actor=agent, title="Seeded reply", body="Hello {{ requester_name }}", scope="personal"
    )
    relation = ci_relation_add(
        actor=None,
        source=ci,
        target=ConfigurationItemFactory(name="mail-db", service=service),
        kind=RelationKind.DEPENDS_ON,
    )
    comment_add(ticket=incident, author=manager, body="@alice have a look", is_public=False)
    return {
        "incidents": [incident.number],
        "requests": [request.number, ordered.number],
        "major-incidents": [major.ticket.number],
        "problems": [problem.number],
        "changes": [change.number],
        "releases": [release.number],
        "articles": [article.number],
        "catalog-items": [laptop.slug, mouse.slug],
        "services": [service.id],
        "cis": [ci.id],
        "approvals": list(Approval.objects.values_list("id", flat=True)),
        "tasks": list(FulfilmentTask.objects.values_list("number", flat=True)),
        "teams": [approvers.id, fulfilment.id],
        "users": [agent.id, requester.id, manager.id],
        "time-entries": [time_entry.id],
        "api-tokens": [make_token(agent, name="seeded")[0].id],
        "macros": [macro.id],
        "canned-responses": [canned.id],
        "ci-relations": [relation.id],
        "notifications": list(
            InAppNotification.objects.filter(recipient=agent).values_list("id", flat=True)
        ),
    }


def _known_path_parameters(operation, reachable) -> dict | None:
    """The path parameters naming a seeded record of this operation's collection."""
    names = [p.name for p in operation.path_parameters]
    if not names:
        return None
    collection = operation.path.removeprefix("/api/v1/").split("/")[0]
    values = reachable.get(collection)
    if not values:
        return None
    return {names[0]: random.Random(operation.label).choice(values)}


def _run_operation(operation, *, headers, reachable, findings: Findings) -> None:
    known = _known_path_parameters(operation, reachable)
    strategies = []
    for mode in MODES:
        strategies.append(operation.as_strategy(generation_mode=mode))
        if known:
            strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=known))

    @given(case=st.one_of(strategies))
    @settings(
        max_examples=EXAMPLES * len(strategies),
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def probe(case):
        response = case.call(headers=headers)
        findings.statuses.setdefault(operation.label, Counter())[response.status_code] += 1
        for check in CHECKS:
            try:
                case.validate_response(response, checks=[check], headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    summary = f"{failure.title}: {failure.message}".splitlines()[0][:200]
                    if where := getattr(failure, "instance_path", None):
                        summary += f" at {'/'.join(map(str, where))}"
                    findings.add(operation.label, check.__name__, response.status_code, summary)

    probe()


@pytest.mark.parametrize("persona", ["agent", "requester"])
def test_every_operation_keeps_the_schema_promise(persona, request, wsgi_app, reachable, settings):
    # Thousands of requests in a few minutes: the per-person rate limit is not under test here.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "1000000/minute", "anon": "1000000/minute"},
    }
    user = request.getfixturevalue(persona)
    headers = bearer(make_token(user)[1])
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json", wsgi_app, headers=headers
    )
    findings = Findings()
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    # Revoking may hit the run's own token (ids are generated): after that every request is a
    # documented 401, so revocation goes last.
    operations.sort(key=lambda operation: operation.label.endswith("/revoke/"))
    for operation in operations:
        _run_operation(operation, headers=headers, reachable=reachable, findings=findings)
    print(f"{persona}: {len(operations)} operations in {time.monotonic() - started:.0f} s")
    print(findings.report())
    assert not findings.seen, findings.report()
    # The seeded records keep the run meaningful: what the persona may read, it did read.
    unread = [
        label
        for label, counts in findings.statuses.items()
        if READS[persona](label) and not any(200 <= status < 300 for status in counts)
    ]
    assert not unread, f"never answered 2xx: {unread}"
