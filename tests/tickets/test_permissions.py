"""Every role × every ticket write, at the service, through the API and through the desk forms.

DESIGN §5: every write checks the permission of its act. The read-only desk roles (CAB member,
knowledge editor) see tickets but change none; a requester gets 404 for someone else's ticket
(the API) and the 403 page of the desk. Refused means nothing is written.

The acts are every write function of tickets/**/services.py that a person performs: the ticket
core, major incidents (declare, reword, updates, resolve, review, "I'm affected too"),
fulfilment tasks (complete, assign, cancel), catalog approvals (only the named approver
decides) and the satisfaction survey (only the requester rates). System hooks with no person
behind them (SLA sweeps and re-evaluation inside other services, auto-close, reminders) are not
acts of a role.
"""

from collections.abc import Callable
from functools import cached_property
from typing import Any

import pytest
from django.db import transaction
from django.utils.html import escape
from rest_framework.test import APIClient

from itsm.accounts.models import Team, User
from itsm.accounts.roles import Role
from itsm.accounts.selectors import SECURITY_ACTIONS
from itsm.audit.models import AuditEvent
from itsm.core.exceptions import PermissionRefused
from tests.factories.accounts import UserFactory
from tests.factories.catalog import make_catalog_item
from tests.factories.knowledge import ArticleFactory
from tests.factories.tickets import make_ticket
from tickets import services
from tickets.catalog import services as catalog
from tickets.choices import ApprovalMode, ApprovalState
from tickets.major import services as major_services
from tickets.major.models import MajorIncidentReview
from tickets.models import (
    Approval,
    Comment,
    FulfilmentTask,
    MajorIncident,
    MajorIncidentUpdate,
    SavedFilter,
    Ticket,
    TicketArticleLink,
)
from tickets.survey.models import SatisfactionSurvey
from tickets.survey.services import survey_submit

pytestmark = pytest.mark.django_db

# Who may change tickets: every role built on the agent's permissions, and the administrator.
DESK_WORKERS = {
    Role.AGENT,
    Role.SERVICE_DESK_MANAGER,
    Role.CHANGE_MANAGER,
    Role.PROBLEM_MANAGER,
    Role.RELEASE_MANAGER,
    Role.ADMINISTRATOR,
}
ALL_ROLES = list(Role)
# Who reads every ticket: every role but the requester (following and queue filters need no more).
DESK_READERS = set(Role) - {Role.REQUESTER}


class World:
    """A ticket of somebody else's, and what the acts need around it, each made on first use
    (a fulfilment task or a major incident costs more than the acts that do not need one)."""

    def __init__(self) -> None:
        self.team = Team.objects.create(name="Workplace", email="workplace@example.com")
        self.caller = UserFactory(email="caller@example.com", roles=[Role.REQUESTER])
        # A service desk manager: runs the major incident.
        self.runner = UserFactory(email="runner@example.com", roles=[Role.SERVICE_DESK_MANAGER])
        self.ticket = make_ticket(requester=self.caller, short_description="My printer jams")
        self.people: dict[Role, User] = {}
        # Who takes the current turn (the API and desk acts that name one's own record).
        self.actor: User = self.caller

    @cached_property
    def other(self) -> Ticket:
        return make_ticket(requester=self.caller, short_description="The printer on floor 2")

    @cached_property
    def article(self) -> Any:
        return ArticleFactory()

    @cached_property
    def item(self) -> Any:
        return make_catalog_item(name="Docking station", tasks=[("Hand it over", self.team, 1)])

    @cached_property
    def task(self) -> FulfilmentTask:
        order = catalog.request_order(
            item=self.item, requester=self.caller, actor=self.caller, form_data={}
        )
        return order.tasks.get()

    @cached_property
    def major(self) -> MajorIncident:
        return self._declare("Mail is down")

    @cached_property
    def resolved_major(self) -> MajorIncident:
        major = self._declare("The VPN is down")
        return major_services.major_incident_resolve(
            major=major, actor=self.runner, public_note="The VPN is back"
        )

    def _declare(self, title: str) -> MajorIncident:
        return major_services.major_incident_declare(
            ticket=make_ticket(requester=self.caller, short_description=title),
            actor=self.runner,
            reason="Everyone is affected",
            manager=self.runner,
            communications_owner=self.runner,
        )

    def _resolve(self, ticket: Ticket) -> Ticket:
        return services.ticket_transition(
            ticket=ticket,
            to_status="resolved",
            actor=self.runner,
            expected_version=None,
            resolution_code="solved",
            resolution_notes="Replaced the toner cartridge",
        )

    @cached_property
    def resolved(self) -> Ticket:
        """The caller's resolved ticket: to rate, and to write an article from."""
        return self._resolve(make_ticket(requester=self.caller, short_description="Toner empty"))

    @cached_property
    def own_resolved(self) -> dict[int, Ticket]:
        """A resolved ticket of each person's own, to rate."""
        return {
            person.pk: self._resolve(make_ticket(requester=person, short_description="My mouse"))
            for person in self.people.values()
        }

    @cached_property
    def linked_article(self) -> Any:
        article = ArticleFactory()
        services.ticket_link_article(ticket=self.ticket, article=article, actor=self.runner)
        return article

    @cached_property
    def approval_request(self) -> Ticket:
        """The caller's order that every person (and the runner) is asked to approve."""
        approvers = Team.objects.create(name="Budget holders", email="budget@example.com")
        approvers.members.add(self.runner, *self.people.values())
        item = make_catalog_item(
            name="Software licence",
            approval_team=approvers,
            approval_mode=ApprovalMode.ALL,
            tasks=[("Buy the licence", self.team, 1)],
        )
        return catalog.request_order(
            item=item, requester=self.caller, actor=self.caller, form_data={}
        )

    def approval_of(self, person: User) -> Approval:
        return Approval.objects.get(ticket=self.approval_request, approver=person)

    @property
    def own_approval(self) -> Approval:
        return self.approval_of(self.actor)

    @property
    def others_approval(self) -> Approval:
        return self.approval_of(self.runner)


# What each act needs besides the ticket (made before the roles take their turns).
NEEDS = {
    "link parent": "other",
    "mark duplicate": "other",
    "link article": "article",
    "unlink article": "linked_article",
    "write article from ticket": "resolved",
    "order for a caller": "item",
    "complete task": "task",
    "assign task": "task",
    "cancel task": "task",
    "reword major banner": "major",
    "post major update": "major",
    "post public major update": "major",
    "resolve major": "major",
    "join major": "major",
    "review major": "resolved_major",
    "approve own approval": "approval_request",
    "reject own approval": "approval_request",
    "approve another's approval": "approval_request",
    "reject another's approval": "approval_request",
    "rate own ticket": "own_resolved",
    "rate another's ticket": "resolved",
}


@pytest.fixture
def world(db) -> World:
    return World()


@pytest.fixture
def people(world) -> dict[Role, User]:
    """One user per role, holding that role only, each in the task's team (so that team
    membership never decides an outcome: only the permission does)."""
    people = {}
    for role in Role:
        people[role] = UserFactory(
            email=f"{role.name.lower()}@example.com",
            roles=[role],
            is_superuser=role == Role.ADMINISTRATOR,
        )
    world.team.members.add(world.runner, *people.values())
    world.people = people
    return people


def footprint(world: World) -> dict[str, int]:
    """Everything a ticket write leaves behind (signing the person in is not a ticket write)."""
    return {
        "audit": AuditEvent.objects.exclude(action__in=SECURITY_ACTIONS).count(),
        "tickets": Ticket.objects.count(),
        "comments": Comment.objects.count(),
        "majors": MajorIncident.objects.count(),
        "major_updates": MajorIncidentUpdate.objects.count(),
        "article_links": TicketArticleLink.objects.count(),
        "ticket_version": Ticket.objects.get(pk=world.ticket.pk).version,
        "task_versions": sorted(FulfilmentTask.objects.values_list("version", flat=True)),
        "major_titles": sorted(MajorIncident.objects.values_list("public_title", flat=True)),
        "reviews": MajorIncidentReview.objects.count(),
        "decided": Approval.objects.exclude(state=ApprovalState.PENDING).count(),
        "surveys": SatisfactionSurvey.objects.count(),
        "watchers": Ticket.watchers.through.objects.count(),
        "saved_filters": SavedFilter.objects.count(),
    }


# --- The acts, each through the service, the API and the desk form ---------------------------

Act = Callable[[User, World], Any]


def _svc_edit(actor, w):
    services.ticket_update(
        ticket=w.ticket, actor=actor, expected_version=w.ticket.version, short_description="Ed"
    )


def _svc_priority(actor, w):
    services.ticket_set_priority(
        ticket=w.ticket, actor=actor, expected_version=w.ticket.version, priority=1, reason="VIP"
    )


def _svc_comment(*, is_public):
    def act(actor, w):
        services.comment_add(ticket=w.ticket, author=actor, body="Checked it", is_public=is_public)

    return act


def _svc_assign(actor, w):
    services.ticket_assign(
        ticket=w.ticket, actor=actor, expected_version=w.ticket.version, team=w.team
    )


def _svc_transition(to_status, **fields):
    def act(actor, w):
        services.ticket_transition(
            ticket=w.ticket,
            to_status=to_status,
            actor=actor,
            expected_version=w.ticket.version,
            **fields,
        )

    return act


def _svc_declare(actor, w):
    major_services.major_incident_declare(
        ticket=w.ticket,
        actor=actor,
        reason="Floor 2 cannot print",
        manager=w.runner,
        communications_owner=w.runner,
    )


SERVICE_ACTS: dict[str, Act] = {
    "edit": _svc_edit,
    "set priority": _svc_priority,
    "work note": _svc_comment(is_public=False),
    "desk reply": _svc_comment(is_public=True),
    "assign": _svc_assign,
    "start work": _svc_transition("in_progress"),
    "cancel": _svc_transition("cancelled", reason="Raised twice"),
    "declare major": _svc_declare,
    "link parent": lambda actor, w: services.ticket_link_parent(
        ticket=w.ticket, parent=w.other, actor=actor
    ),
    "mark duplicate": lambda actor, w: services.ticket_mark_duplicate(
        ticket=w.ticket, duplicate_of=w.other, actor=actor
    ),
    "link article": lambda actor, w: services.ticket_link_article(
        ticket=w.ticket, article=w.article, actor=actor
    ),
    "raise for a caller": lambda actor, w: services.ticket_create(
        actor=actor, requester=w.caller, short_description="Caller's screen is dark"
    ),
    "complete task": lambda actor, w: catalog.task_complete(
        task=w.task, actor=actor, expected_version=w.task.version
    ),
    "post major update": lambda actor, w: major_services.major_incident_post_update(
        major=w.major, actor=actor, body="Still on it", is_public=False
    ),
    "resolve major": lambda actor, w: major_services.major_incident_resolve(
        major=w.major, actor=actor, public_note="Mail flows again"
    ),
    "unlink article": lambda actor, w: services.ticket_unlink_article(
        ticket=w.ticket, article=w.linked_article, actor=actor
    ),
    "write article from ticket": lambda actor, w: services.article_draft_from_ticket(
        ticket=w.resolved, actor=actor
    ),
    "follow": lambda actor, w: services.ticket_watch(ticket=w.ticket, user=actor),
    "stop following": lambda actor, w: services.ticket_unwatch(ticket=w.ticket, user=actor),
    "save queue filter": lambda actor, w: services.saved_filter_save(
        owner=actor, name="Printers", query="q=printer"
    ),
    "bulk assign": lambda actor, w: _refuse_on_errors(
        services.tickets_bulk_apply(
            actor=actor,
            action="assign",
            selection=[services.BulkTarget(w.ticket.number, w.ticket.version)],
            params=services.BulkParams(team=w.team),
        )
    ),
    "bulk transition": lambda actor, w: _refuse_on_errors(
        services.tickets_bulk_apply(
            actor=actor,
            action="status",
            selection=[services.BulkTarget(w.ticket.number, w.ticket.version)],
            params=services.BulkParams(to_status="in_progress"),
        )
    ),
    "order for a caller": lambda actor, w: catalog.request_order(
        item=w.item, requester=w.caller, actor=actor, form_data={}
    ),
    "assign task": lambda actor, w: catalog.task_assign(
        task=w.task, actor=actor, expected_version=w.task.version, assignee=w.runner
    ),
    "cancel task": lambda actor, w: catalog.task_cancel(
        task=w.task, actor=actor, expected_version=w.task.version, reason="Ordered twice"
    ),
    "reword major banner": lambda actor, w: major_services.major_incident_set_public_title(
        major=w.major, actor=actor, public_title="E-mail is slow"
    ),
    "post public major update": lambda actor, w: major_services.major_incident_post_update(
        major=w.major, actor=actor, body="Mail is queued, nothing is lost", is_public=True
    ),
    "review major": lambda actor, w: major_services.major_incident_review_record(
        major=w.resolved_major,
        actor=actor,
        timeline="09:00 the VPN stopped",
        root_cause="An expired certificate",
        actions="Monitor certificate expiry",
    ),
    "join major": lambda actor, w: major_services.major_incident_join(
        major=w.major, requester=actor, description="Mine is down too"
    ),
    "approve own approval": lambda actor, w: catalog.approval_approve(
        approval=w.approval_of(actor), actor=actor, comment="Fine"
    ),
    "reject own approval": lambda actor, w: catalog.approval_reject(
        approval=w.approval_of(actor), actor=actor, comment="Not in this year's budget"
    ),
    "approve another's approval": lambda actor, w: catalog.approval_approve(
        approval=w.others_approval, actor=actor, comment="Fine"
    ),
    "reject another's approval": lambda actor, w: catalog.approval_reject(
        approval=w.others_approval, actor=actor, comment="Not in this year's budget"
    ),
    "rate own ticket": lambda actor, w: survey_submit(
        ticket=w.own_resolved[actor.pk], respondent=actor, rating=4
    ),
    "rate another's ticket": lambda actor, w: survey_submit(
        ticket=w.resolved, respondent=actor, rating=1
    ),
}


def _refuse_on_errors(lines: list[services.BulkLine]) -> None:
    """The bulk service reports each ticket it could not change instead of raising."""
    refused = [str(line) for line in lines if not line.done]
    if refused:
        raise PermissionRefused("; ".join(refused))


# (method, path, data) per act; paths are formatted with the world.
API_ACTS: dict[str, Callable[[World], tuple[str, str, dict]]] = {
    "edit": lambda w: (
        "patch",
        f"/api/v1/incidents/{w.ticket.number}/",
        {"version": w.ticket.version, "short_description": "Edited"},
    ),
    "set priority": lambda w: (
        "post",
        f"/api/v1/incidents/{w.ticket.number}/priority/",
        {"version": w.ticket.version, "priority": 1, "reason": "VIP"},
    ),
    "work note": lambda w: (
        "post",
        f"/api/v1/incidents/{w.ticket.number}/comments/",
        {"body": "Checked it", "is_public": False},
    ),
    "desk reply": lambda w: (
        "post",
        f"/api/v1/incidents/{w.ticket.number}/comments/",
        {"body": "Checked it", "is_public": True},
    ),
    "assign": lambda w: (
        "post",
        f"/api/v1/incidents/{w.ticket.number}/assign/",
        {"version": w.ticket.version, "team": w.team.name},
    ),
    "start work": lambda w: (
        "post",
        f"/api/v1/incidents/{w.ticket.number}/transition/",
        {"version": w.ticket.version, "to_status": "in_progress"},
    ),
    "cancel": lambda w: (
        "post",
        f"/api/v1/incidents/{w.ticket.number}/transition/",
        {"version": w.ticket.version, "to_status": "cancelled", "reason": "Raised twice"},
    ),
    "declare major": lambda w: (
        "post",
        f"/api/v1/incidents/{w.ticket.number}/declare-major/",
        {
            "version": w.ticket.version,
            "reason": "Floor 2 cannot print",
            "manager": w.runner.email,
            "communications_owner": w.runner.email,
        },
    ),
    "raise for a caller": lambda w: (
        "post",
        "/api/v1/incidents/",
        {"short_description": "Caller's screen is dark", "requester": w.caller.email},
    ),
    "complete task": lambda w: (
        "post",
        f"/api/v1/tasks/{w.task.number}/complete/",
        {"expected_version": w.task.version},
    ),
    "post major update": lambda w: (
        "post",
        f"/api/v1/major-incidents/{w.major.ticket.number}/updates/",
        {"body": "Still on it", "is_public": False},
    ),
    "resolve major": lambda w: (
        "post",
        f"/api/v1/major-incidents/{w.major.ticket.number}/resolve/",
        {"public_note": "Mail flows again"},
    ),
    "post public major update": lambda w: (
        "post",
        f"/api/v1/major-incidents/{w.major.ticket.number}/updates/",
        {"body": "Mail is queued, nothing is lost", "is_public": True},
    ),
    "assign task": lambda w: (
        "post",
        f"/api/v1/tasks/{w.task.number}/assign/",
        {"expected_version": w.task.version, "assignee": w.runner.email},
    ),
    "cancel task": lambda w: (
        "post",
        f"/api/v1/tasks/{w.task.number}/cancel/",
        {"expected_version": w.task.version, "reason": "Ordered twice"},
    ),
    "approve own approval": lambda w: (
        "post",
        f"/api/v1/approvals/{w.own_approval.pk}/approve/",
        {"comment": "Fine"},
    ),
    "reject own approval": lambda w: (
        "post",
        f"/api/v1/approvals/{w.own_approval.pk}/reject/",
        {"comment": "Not in this year's budget"},
    ),
    "approve another's approval": lambda w: (
        "post",
        f"/api/v1/approvals/{w.others_approval.pk}/approve/",
        {"comment": "Fine"},
    ),
    "reject another's approval": lambda w: (
        "post",
        f"/api/v1/approvals/{w.others_approval.pk}/reject/",
        {"comment": "Not in this year's budget"},
    ),
}

DESK_ACTS: dict[str, Callable[[World], tuple[str, dict]]] = {
    "set priority": lambda w: (
        f"/desk/tickets/{w.ticket.number}/priority/",
        {"version": w.ticket.version, "priority": 1, "reason": "VIP"},
    ),
    "work note": lambda w: (
        f"/desk/tickets/{w.ticket.number}/reply/",
        {"body": "Checked it", "visibility": "internal"},
    ),
    "desk reply": lambda w: (
        f"/desk/tickets/{w.ticket.number}/reply/",
        {"body": "Checked it", "visibility": "public"},
    ),
    "assign": lambda w: (
        f"/desk/tickets/{w.ticket.number}/assign/",
        {"version": w.ticket.version, "team": w.team.pk},
    ),
    "start work": lambda w: (
        f"/desk/tickets/{w.ticket.number}/transition/",
        {"version": w.ticket.version, "to_status": "in_progress"},
    ),
    "cancel": lambda w: (
        f"/desk/tickets/{w.ticket.number}/transition/",
        {"version": w.ticket.version, "to_status": "cancelled", "reason": "Raised twice"},
    ),
    "declare major": lambda w: (
        f"/desk/major-incidents/declare/{w.ticket.number}/",
        {
            "version": w.ticket.version,
            "reason": "Floor 2 cannot print",
            "manager": w.runner.pk,
            "communications_owner": w.runner.pk,
        },
    ),
    "link parent": lambda w: (
        f"/desk/tickets/{w.ticket.number}/link/",
        {"relation": "parent", "number": w.other.number, "version": w.ticket.version},
    ),
    "mark duplicate": lambda w: (
        f"/desk/tickets/{w.ticket.number}/link/",
        {"relation": "duplicate", "number": w.other.number, "version": w.ticket.version},
    ),
    "link article": lambda w: (
        f"/desk/tickets/{w.ticket.number}/articles/link/",
        {"article": w.article.number},
    ),
    "raise for a caller": lambda w: (
        "/desk/tickets/new/",
        {
            "requester": w.caller.email,
            "kind": "incident",
            "channel": "phone",
            "short_description": "Caller's screen is dark",
            "impact": 3,
            "urgency": 3,
        },
    ),
    "complete task": lambda w: (
        f"/desk/tasks/{w.task.number}/complete/",
        {"version": w.task.version},
    ),
    "post major update": lambda w: (
        f"/desk/major-incidents/{w.major.pk}/update/",
        {"body": "Still on it"},
    ),
    "resolve major": lambda w: (
        f"/desk/major-incidents/{w.major.pk}/resolve/",
        {"public_note": "Mail flows again"},
    ),
    "unlink article": lambda w: (
        f"/desk/tickets/{w.ticket.number}/articles/link/",
        {"article": w.linked_article.number, "unlink": "1"},
    ),
    "write article from ticket": lambda w: (
        f"/desk/tickets/{w.resolved.number}/articles/draft/",
        {},
    ),
    "follow": lambda w: (f"/desk/tickets/{w.ticket.number}/watch/", {}),
    "stop following": lambda w: (f"/desk/tickets/{w.ticket.number}/watch/", {"watch": "stop"}),
    "save queue filter": lambda w: ("/desk/tickets/filters/", {"name": "Printers", "query": "q=p"}),
    "bulk assign": lambda w: (
        "/desk/tickets/bulk/",
        {
            "numbers": [w.ticket.number],
            f"version_{w.ticket.number}": w.ticket.version,
            "action": "assign",
            "team": w.team.pk,
        },
    ),
    "bulk transition": lambda w: (
        "/desk/tickets/bulk/",
        {
            "numbers": [w.ticket.number],
            f"version_{w.ticket.number}": w.ticket.version,
            "action": "status",
            "to_status": "in_progress",
        },
    ),
    "reword major banner": lambda w: (
        f"/desk/major-incidents/{w.major.pk}/public-title/",
        {"public_title": "E-mail is slow"},
    ),
    "post public major update": lambda w: (
        f"/desk/major-incidents/{w.major.pk}/update/",
        {"body": "Mail is queued, nothing is lost", "is_public": "on"},
    ),
    "review major": lambda w: (
        f"/desk/major-incidents/{w.resolved_major.pk}/review/",
        {"timeline": "09:00 the VPN stopped", "root_cause": "An expired certificate"},
    ),
    "join major": lambda w: (
        f"/portal/major-incidents/{w.major.pk}/join/",
        {"description": "Mine is down too"},
    ),
    "approve own approval": lambda w: (
        f"/desk/approvals/{w.own_approval.pk}/approve/",
        {"comment": "Fine"},
    ),
    "reject own approval": lambda w: (
        f"/desk/approvals/{w.own_approval.pk}/reject/",
        {"comment": "Not in this year's budget"},
    ),
    "approve another's approval": lambda w: (
        f"/desk/approvals/{w.others_approval.pk}/approve/",
        {"comment": "Fine"},
    ),
    "reject another's approval": lambda w: (
        f"/desk/approvals/{w.others_approval.pk}/reject/",
        {"comment": "Not in this year's budget"},
    ),
    "rate own ticket": lambda w: (
        f"/portal/tickets/{w.own_resolved[w.actor.pk].number}/survey/",
        {"rating": 4},
    ),
    "rate another's ticket": lambda w: (
        f"/portal/tickets/{w.resolved.number}/survey/",
        {"rating": 1},
    ),
}

# Who may perform an act, where it is not the desk workers: following and queue filters need
# only the right to read every ticket; one's own approvals, ratings and "I'm affected too"
# belong to everybody (every member of staff is an employee); nobody decides another person's
# approval or rates another person's ticket, whatever their role.
ALLOWED: dict[str, set[Role]] = {
    "follow": DESK_READERS,
    "stop following": DESK_READERS,
    "save queue filter": DESK_READERS,
    "join major": set(Role),
    "approve own approval": set(Role),
    "reject own approval": set(Role),
    "rate own ticket": set(Role),
    "approve another's approval": set(),
    "reject another's approval": set(),
    "rate another's ticket": set(),
}


# Desk-only API endpoints (tasks and major incidents are nobody's own tickets): a requester
# is refused outright rather than told the record is not there.
DESK_ONLY_API = {
    "complete task",
    "assign task",
    "cancel task",
    "post major update",
    "post public major update",
    "resolve major",
}


def _refused_api_status(role: Role, act: str) -> int:
    if act == "raise for a caller":
        return 400  # outside the desk only the portal's fields are taken; `requester` is named
    if act.endswith("another's approval"):
        return 404  # the approvals endpoint holds only one's own
    if role == Role.REQUESTER:
        # Someone else's ticket is not there for a requester.
        return 403 if act in DESK_ONLY_API else 404
    return 403


def _refused_desk_status(role: Role, act: str) -> int:
    if act.endswith("another's approval"):
        return 404  # the desk finds only the approvals asked of oneself
    if act == "rate another's ticket":
        # The portal shows the ticket to the desk, which is then told it may not rate it.
        return 404 if role == Role.REQUESTER else 403
    if act.startswith("bulk") and role != Role.REQUESTER:
        return 302  # the queue again, with one refusal message per ticket
    return 403


def _through_service(act: str, person: User, world: World, _client) -> str:
    try:
        SERVICE_ACTS[act](person, world)
    except PermissionRefused:
        return "refused"
    return "done"


def _through_api(act: str, person: User, world: World, _client) -> int:
    client = APIClient()
    client.force_authenticate(person)
    world.actor = person
    method, path, data = API_ACTS[act](world)
    return getattr(client, method)(path, data, format="json").status_code


def _service_refusal(act: str, person: User, world: World) -> str | None:
    """What the service says when it refuses `person` the act (None when it does not)."""
    try:
        with transaction.atomic():
            SERVICE_ACTS[act](person, world)
            transaction.set_rollback(True)
    except PermissionRefused as refused:
        return refused.message
    return None


def _through_desk(act: str, person: User, world: World, client) -> int | str:
    """The status code; a refusal of a member of staff must also say the service's reason."""
    client.force_login(person)
    world.actor = person
    path, data = DESK_ACTS[act](world)
    response = client.post(path, data, follow=False)
    reason = (
        _service_refusal(act, person, world)
        if person.groups.filter(name__in=[Role.CAB_MEMBER, Role.KNOWLEDGE_EDITOR]).exists()
        and response.status_code == 403
        else None
    )
    if reason and escape(reason) not in response.content.decode():
        return f"{response.status_code} without saying “{reason}”"
    return response.status_code


CHANNELS = {
    "service": (_through_service, SERVICE_ACTS),
    "api": (_through_api, API_ACTS),
    "desk": (_through_desk, DESK_ACTS),
}


def _expected(channel: str, act: str, role: Role) -> tuple[Any, bool]:
    """(answer, wrote anything) for `role` doing `act` through `channel`."""
    allowed = role in ALLOWED.get(act, DESK_WORKERS)
    if channel == "service":
        return ("done" if allowed else "refused"), allowed
    if channel == "api":
        if allowed:
            return (201 if act in API_CREATES else 200), True
        return _refused_api_status(role, act), False
    return (302 if allowed else _refused_desk_status(role, act)), allowed


API_CREATES = {
    "work note",
    "desk reply",
    "declare major",
    "raise for a caller",
    "post major update",
    "post public major update",
}


@pytest.mark.parametrize("channel", list(CHANNELS))
def test_every_role_may_or_may_not_perform_every_ticket_write(client, world, people, channel):
    """GIVEN someone else's ticket and one user per role
    WHEN each role performs each act through the channel (rolled back after each turn)
    THEN the desk workers succeed and write; the others are refused and write nothing."""
    perform, acts = CHANNELS[channel]
    for name in set(NEEDS.values()):
        getattr(world, name)  # made once, outside the rolled-back turns
    outcomes, expected = {}, {}
    for act in acts:
        for role, person in people.items():
            with transaction.atomic():
                before = footprint(world)
                answer = perform(act, person, world, client)
                outcomes[act, role] = (answer, footprint(world) != before)
                transaction.set_rollback(True)
            expected[act, role] = _expected(channel, act, role)
    assert {k: v for k, v in outcomes.items() if v != expected[k]} == {}


# --- What everyone may do with their own tickets ---------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES, ids=lambda r: r.name.lower())
def test_everyone_raises_follows_and_withdraws_their_own_ticket(client, role):
    """Every member of staff is an employee too: the portal works for all roles."""
    user = UserFactory(email="own@example.com", roles=[role])
    client.force_login(user)
    response = client.post(
        "/portal/tickets/report/", {"short_description": "My mouse is broken", "urgency": 3}
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(requester=user)
    number = ticket.number
    assert client.post(f"/portal/tickets/{number}/reply/", {"body": "Any news?"}).status_code == 302
    assert client.post(f"/portal/tickets/{number}/withdraw/", {}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.comments.count() == 1
    assert ticket.status == "cancelled"


def test_a_requester_cannot_triage_their_own_ticket(api_as, requester):
    ticket = make_ticket(requester=requester)
    client = api_as(requester)
    refused = [
        client.patch(
            f"/api/v1/incidents/{ticket.number}/", {"version": 1, "impact": 1}, format="json"
        ),
        client.post(
            f"/api/v1/incidents/{ticket.number}/priority/",
            {"version": 1, "priority": 1, "reason": "urgent!"},
            format="json",
        ),
        client.post(
            f"/api/v1/incidents/{ticket.number}/comments/",
            {"body": "note", "is_public": False},
            format="json",
        ),
        client.post(
            f"/api/v1/incidents/{ticket.number}/transition/",
            {"version": 1, "to_status": "in_progress"},
            format="json",
        ),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403, 400]
    ticket.refresh_from_db()
    assert (ticket.version, ticket.priority, ticket.comments.count()) == (1, 5, 0)


def test_a_requester_patching_someone_elses_ticket_gets_404(api_as, requester, other_requester):
    """DESIGN §5: another's ticket answers 404, never 403, so numbers leak nothing."""
    ticket = make_ticket(requester=other_requester)
    response = api_as(requester).patch(
        f"/api/v1/incidents/{ticket.number}/",
        {"version": 1, "short_description": "Mine now"},
        format="json",
    )
    assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.version == 1
