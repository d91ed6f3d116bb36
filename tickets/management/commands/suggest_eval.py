"""Precision@3 of the ticket page's suggestions on a labelled set (issue #18).

    python manage.py suggest_eval [--fixture tests/fixtures/suggest_eval.json] [--cases]

The set holds articles, earlier tickets (resolved ones with their notes and the articles
agents linked to them, and open ones) and cases: new desk tickets, each with the one article
or earlier ticket a desk agent would pick. Everything is loaded in one transaction, every
case is asked of `article_list_suggested_for_ticket` / `ticket_list_similar` exactly as the
ticket page asks, and the transaction is rolled back, so the database is left as it was
(apart from the number sequences, which move on). A case is a hit when its pick is among
the first three suggestions of its kind.

Like `generate_data`, this loader writes rows directly: it builds a test world, it does not
perform anybody's work.
"""

import json
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from itsm.accounts.models import User
from itsm.accounts.roles import Role
from itsm.cmdb.models import Service
from knowledge.choices import ArticleAudience, ArticleStatus
from knowledge.models import Article
from knowledge.selectors import article_list_suggested
from tickets.choices import TicketKind, TicketStatus
from tickets.models import Category, Ticket, TicketArticleLink
from tickets.selectors import article_list_suggested_for_ticket, ticket_list_similar

DEFAULT_FIXTURE = Path(settings.BASE_DIR) / "tests" / "fixtures" / "suggest_eval.json"
TOP = 3
AGENT_EMAIL = "suggest-eval-agent@example.com"
REQUESTER_EMAIL = "suggest-eval-requester@example.com"


@dataclass
class CaseResult:
    subject: str
    kind: str  # "article" or "ticket"
    expected: str  # the fixture's key
    got: list[str]  # keys of the first TOP suggestions of that kind
    hit: bool
    # For article cases: whether the portal's search alone, given the subject and the
    # description, has the pick in its first TOP (what the re-ranking adds).
    baseline_hit: bool | None = None


@dataclass
class EvalResult:
    cases: list[CaseResult] = field(default_factory=list)

    def precision(self, kind: str | None = None) -> float:
        chosen = [c for c in self.cases if kind is None or c.kind == kind]
        return sum(c.hit for c in chosen) / len(chosen) if chosen else 0.0

    def baseline_precision(self) -> float:
        chosen = [c for c in self.cases if c.baseline_hit is not None]
        return sum(bool(c.baseline_hit) for c in chosen) / len(chosen) if chosen else 0.0

    def count(self, kind: str | None = None) -> int:
        return len([c for c in self.cases if kind is None or c.kind == kind])


def _named(model: Any, name: str) -> Any:
    return model.objects.get_or_create(name=name)[0]


def load_eval_set(data: dict[str, Any]) -> tuple[User, dict[str, Any], list[tuple[dict, Ticket]]]:
    """Write the set into the database: (agent, key → article or ticket, [(case, ticket)])."""
    agent, _ = User.objects.get_or_create(
        email=AGENT_EMAIL, defaults={"display_name": "Suggestion evaluator"}
    )
    agent.groups.add(Group.objects.get(name=Role.AGENT))
    requester, _ = User.objects.get_or_create(
        email=REQUESTER_EMAIL, defaults={"display_name": "Evaluation requester"}
    )
    services = {name: _named(Service, name) for name in data["services"]}
    categories = {name: _named(Category, name) for name in data["categories"]}
    now = timezone.now()
    by_key: dict[str, Any] = {}
    for row in data["articles"]:
        article = Article.objects.create(
            number=Article.next_number(),
            title=row["title"],
            summary=row["summary"],
            body=row["body"],
            status=ArticleStatus.PUBLISHED,
            audience=ArticleAudience.PUBLIC,
            published_at=now,
        )
        article.services.set([services[s] for s in row.get("services", [])])
        by_key[row["key"]] = article

    def ticket(row: dict[str, Any]) -> Ticket:
        status = row.get("status", TicketStatus.NEW)
        resolved = status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
        record = Ticket(
            kind=TicketKind.INCIDENT,
            requester=requester,
            short_description=row["subject"],
            description=row["description"],
            service=services.get(row.get("service", "")),
            category=categories.get(row.get("category", "")),
            status=status,
            resolution_code="solved" if resolved else "",
            resolution_notes=row.get("resolution_notes", ""),
            resolved_at=now - timedelta(days=row.get("resolved_days_ago", 0)) if resolved else None,
        )
        record.assign_number()
        record.save()
        return record

    for row in data["history"]:
        record = ticket(row)
        by_key[row["key"]] = record
        for article_key in row.get("articles", []):
            TicketArticleLink.objects.create(
                ticket=record, article=by_key[article_key], linked_by=agent
            )
    # Every case is on the desk at once, as new tickets are: each is noise for the others.
    cases = [(case, ticket(case)) for case in data["cases"]]
    return agent, by_key, cases


def evaluate(data: dict[str, Any]) -> EvalResult:
    """Load the set, ask every case, score it. Call inside a transaction to be rolled back."""
    agent, by_key, cases = load_eval_set(data)
    key_of = {(type(obj), obj.pk): key for key, obj in by_key.items()}
    result = EvalResult()
    for case, record in cases:
        record = Ticket.objects.select_related("category", "subcategory").get(pk=record.pk)
        ((kind, expected),) = case["expect"].items()
        similar = ticket_list_similar(ticket=record, user=agent)
        found: list[Any] = similar
        baseline_hit = None
        if kind == "article":
            found = article_list_suggested_for_ticket(ticket=record, user=agent, similar=similar)
            portal = article_list_suggested(
                user=agent, text=f"{record.short_description} {record.description}", limit=TOP
            )
            baseline_hit = by_key[expected].pk in [a.pk for a in portal]
        got = [key_of.get((type(obj), obj.pk), obj.number) for obj in found[:TOP]]
        result.cases.append(
            CaseResult(
                subject=case["subject"],
                kind=kind,
                expected=expected,
                got=got,
                hit=expected in got,
                baseline_hit=baseline_hit,
            )
        )
    return result


def evaluate_and_roll_back(path: Path = DEFAULT_FIXTURE) -> EvalResult:
    data = json.loads(Path(path).read_text())
    with transaction.atomic():
        result = evaluate(data)
        transaction.set_rollback(True)
    return result


class Command(BaseCommand):
    help = "Precision@3 of suggested articles and similar tickets on the labelled set."

    def add_arguments(self, parser):
        parser.add_argument("--fixture", type=Path, default=DEFAULT_FIXTURE)
        parser.add_argument("--cases", action="store_true", help="Print every case.")

    def handle(self, *args, fixture: Path, cases: bool, **options):
        result = evaluate_and_roll_back(fixture)
        if cases:
            for case in result.cases:
                mark = "hit " if case.hit else "MISS"
                self.stdout.write(
                    f"{mark} {case.kind:7} {case.expected:24} top{TOP}={case.got}  {case.subject}"
                )
        for label, kind in (("articles", "article"), ("similar tickets", "ticket"), ("all", None)):
            self.stdout.write(
                f"precision@{TOP} {label:16} {result.precision(kind):.3f}"
                f"  ({round(result.precision(kind) * result.count(kind))}/{result.count(kind)})"
            )
        self.stdout.write(
            f"(articles by the portal search alone, subject + description: "
            f"{result.baseline_precision():.3f})"
        )
