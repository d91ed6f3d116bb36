"""Demo history for the dashboards: four months of tickets with SLA clocks and surveys.

Bulk inserts (no services, no audit, no notifications), like `generate_data`, but with the
timestamps a worked desk leaves behind: response and resolution times, met and breached
clocks measured in the policy calendar's business time, first-contact resolutions,
reassignments and satisfaction answers. Runs once: a second run finds its tickets and stops.
"""

import random
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from itsm.accounts.models import Team, User
from itsm.accounts.roles import Role
from itsm.calendars.arithmetic import add_business_time, business_time_between
from itsm.calendars.selectors import calendar_spec
from itsm.cmdb.models import Service
from tickets.choices import DEFAULT_PRIORITY_MATRIX, Channel, TicketKind, TicketStatus
from tickets.models import (
    NUMBER_SEQUENCES,
    Category,
    SatisfactionSurvey,
    SlaClock,
    SlaPolicy,
    Ticket,
)
from tickets.sla.rules import SlaMetric, SlaState
from tickets.sla.services import sla_due_refresh

DEMO_MARK = "Demo history for the dashboards."
DAYS = 120
TICKETS = 2400
CATEGORIES = ["Hardware", "Software", "Network", "Access", "Email", "Printing"]
SUBJECTS = {
    "Hardware": ["Laptop will not boot", "Docking station not charging", "Screen flickers"],
    "Software": ["ERP timeout on invoice posting", "Excel crashes on open", "Install request"],
    "Network": ["VPN disconnects", "Wi-Fi slow in meeting room", "Cannot reach intranet"],
    "Access": ["Password expired", "Need access to shared drive", "Account locked"],
    "Email": ["Outlook asks for password", "Mailbox full", "Shared calendar missing"],
    "Printing": ["Printer jam on floor 3", "Cannot add printer", "Scans not arriving"],
}
RATING_WEIGHTS = [(1, 5), (2, 7), (3, 13), (4, 35), (5, 40)]


def _set_timestamps(table: str, column: str, ids: list[int], values: list) -> None:
    # auto_now_add overwrites timestamps on insert; history needs the real ones, so they
    # are set afterwards in one statement.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS t SET {column} = v.ts FROM "
            "(SELECT unnest(%s::bigint[]) AS id, unnest(%s::timestamptz[]) AS ts) AS v "
            "WHERE t.id = v.id",
            [ids, values],
        )


def seed(stdout) -> None:
    if Ticket.objects.filter(description=DEMO_MARK).exists():
        stdout.write("Dashboard history: already there.")
        return
    requesters = list(User.objects.filter(groups__name=Role.REQUESTER).values_list("id", flat=True))
    teams = {
        team.pk: list(team.members.values_list("id", flat=True)) for team in Team.objects.all()
    }
    teams = {pk: members for pk, members in teams.items() if members}
    services = list(Service.objects.values_list("id", flat=True))
    policies = {p.priority: p for p in SlaPolicy.objects.filter(is_active=True, kind="")}
    if not requesters or not teams or not policies:
        stdout.write("Dashboard history: skipped (needs people, teams and SLA policies).")
        return
    categories = {}
    for name in CATEGORIES:
        categories[name], _ = Category.objects.get_or_create(name=name, parent=None)
    now = timezone.now()
    years = range((now - timedelta(days=DAYS)).year, now.year + 2)
    specs = {p.calendar_id: calendar_spec(p.calendar, years) for p in policies.values()}
    rng = random.Random(8)

    prefix, sequence = NUMBER_SEQUENCES[TicketKind.INCIDENT]
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, TICKETS])
        numbers = [f"{prefix}{value:07d}" for (value,) in cursor.fetchall()]

    tickets, created_at, plans = [], [], []
    for number in numbers:
        # More tickets recently than four months ago (the desk grew), on weekdays mostly.
        age = timedelta(days=DAYS * (rng.random() ** 1.3), minutes=rng.randint(0, 600))
        created = now - age
        if created.weekday() >= 5 and rng.random() < 0.7:
            created -= timedelta(days=2)
        impact, urgency = rng.choices([1, 2, 3], [1, 3, 6])[0], rng.choices([1, 2, 3], [2, 4, 4])[0]
        priority = DEFAULT_PRIORITY_MATRIX[(impact, urgency)]
        policy = policies.get(priority)
        team = rng.choice(list(teams))
        category = rng.choice(CATEGORIES)
        old = now - created > timedelta(days=3)
        roll = rng.random()
        if roll < (0.02 if old else 0.05):
            status = TicketStatus.CANCELLED
        elif roll < (0.93 if old else 0.45):
            status = (
                TicketStatus.CLOSED if now - created > timedelta(days=8) else TicketStatus.RESOLVED
            )
        else:
            status = rng.choice(
                [TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.IN_PROGRESS]
            )
        reassigned = rng.choices([0, 1, 2], [75, 18, 7])[0]
        target = policy.target_for(SlaMetric.RESOLUTION) if policy else timedelta(days=1)
        response_target = (
            policy.target_for(SlaMetric.FIRST_RESPONSE) if policy else timedelta(hours=4)
        )
        # Wall-clock spans around the business-time targets: most within, some well over.
        # Most within target, a tail over it; one team is slower (something to spot).
        slow = 1.4 if team == min(teams) else 1.0
        responded = created + response_target * rng.betavariate(2, 7) * 1.9 * slow
        resolved = created + target * rng.betavariate(2, 6) * 1.8 * slow
        is_resolved = status in (TicketStatus.RESOLVED, TicketStatus.CLOSED) and resolved < now
        if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED) and not is_resolved:
            status = TicketStatus.IN_PROGRESS
        assignee = None if status == TicketStatus.NEW else rng.choice(teams[team])
        tickets.append(
            Ticket(
                number=number,
                kind=TicketKind.INCIDENT if rng.random() < 0.7 else TicketKind.REQUEST,
                requester_id=rng.choice(requesters),
                channel=rng.choices(Channel.values, [55, 25, 15, 5])[0],
                short_description=rng.choice(SUBJECTS[category]),
                description=DEMO_MARK,
                category=categories[category],
                service_id=rng.choice(services) if services else None,
                impact=impact,
                urgency=urgency,
                priority=priority,
                status=status,
                assignment_team_id=team,
                assignee_id=assignee,
                first_assignee_id=assignee,
                reassignment_count=reassigned if assignee else 0,
                resolution_code="solved" if is_resolved else "",
                resolved_at=resolved if is_resolved else None,
                closed_at=resolved + timedelta(days=7) if status == TicketStatus.CLOSED else None,
                is_first_contact_resolution=is_resolved and reassigned == 0 and rng.random() < 0.85,
            )
        )
        created_at.append(created)
        plans.append((policy, created, responded, resolved, status, is_resolved))

    tickets = Ticket.objects.bulk_create(tickets, batch_size=1000)
    ids = [t.pk for t in tickets]
    _set_timestamps("tickets_ticket", "created_at", ids, created_at)
    _set_timestamps("tickets_ticket", "updated_at", ids, created_at)

    clocks, surveys, answered_at = [], [], []
    for ticket, (policy, created, responded, resolved, status, is_resolved) in zip(
        tickets, plans, strict=True
    ):
        if policy is None:
            continue
        spec = specs[policy.calendar_id]
        for metric, stop in (
            (SlaMetric.FIRST_RESPONSE, responded),
            (SlaMetric.RESOLUTION, resolved if is_resolved else None),
        ):
            target = policy.target_for(metric)
            clock = SlaClock(
                ticket=ticket,
                metric=metric,
                policy=policy,
                target_minutes=int(target.total_seconds() // 60),
                started_at=created,
            )
            if status == TicketStatus.CANCELLED:
                clock.state, clock.stopped_at = SlaState.CANCELLED, min(responded, now)
            elif stop is not None and stop < now:
                clock.elapsed = business_time_between(created, stop, spec)
                clock.stopped_at = stop
                clock.state = SlaState.MET if clock.elapsed <= target else SlaState.BREACHED
            else:
                clock.running_since = created
                clock.due_at = add_business_time(created, target, spec)
                clock.state = SlaState.BREACHED if clock.due_at <= now else SlaState.RUNNING
                clock.next_due_at = None if clock.state == SlaState.BREACHED else clock.due_at
                clock.next_threshold = None if clock.state == SlaState.BREACHED else 100
            clocks.append(clock)
        if is_resolved and rng.random() < 0.3:
            surveys.append(
                SatisfactionSurvey(
                    ticket=ticket,
                    respondent_id=ticket.requester_id,
                    rating=rng.choices(*zip(*RATING_WEIGHTS, strict=True))[0],
                )
            )
            answered_at.append(resolved + timedelta(hours=rng.randint(1, 48)))
    SlaClock.objects.bulk_create(clocks, batch_size=2000)
    sla_due_refresh(ticket_ids=ids)  # the clocks were written here, not by the SLA services
    surveys = SatisfactionSurvey.objects.bulk_create(surveys, batch_size=1000)
    _set_timestamps(
        "tickets_satisfactionsurvey",
        "answered_at",
        [s.pk for s in surveys],
        [min(at, now) for at in answered_at],
    )
    stdout.write(
        f"Dashboard history: {len(tickets)} tickets over {DAYS} days, {len(clocks)} SLA clocks, "
        f"{len(surveys)} survey answers."
    )
