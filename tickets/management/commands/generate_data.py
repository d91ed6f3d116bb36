"""Bulk large-data generator for benchmarks: `manage.py generate_data --tickets 1000000`.

Writes straight into the tables with bulk_create (no services, no audit, no notifications):
it makes realistic volume, not realistic history. Never run it on a production database.
"""

import random
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from itsm.accounts.models import Team, User
from itsm.cmdb.models import CiRelation, ConfigurationItem, Service
from tickets.choices import DEFAULT_PRIORITY_MATRIX, Channel, TicketKind, TicketStatus
from tickets.models import NUMBER_SEQUENCES, Ticket

BATCH = 5000
SUBJECTS = [
    "VPN disconnects",
    "Outlook asks for password",
    "Printer jam on floor 3",
    "Laptop will not boot",
    "Cannot open payroll report",
    "Wi-Fi slow in meeting room",
    "Need access to shared drive",
    "ERP timeout on invoice posting",
    "Phone not ringing",
    "Password expired",
    "Screen flickers",
    "Teams call drops",
]
STATUS_WEIGHTS = [
    (TicketStatus.NEW, 10),
    (TicketStatus.IN_PROGRESS, 15),
    (TicketStatus.ON_HOLD, 5),
    (TicketStatus.RESOLVED, 10),
    (TicketStatus.CLOSED, 55),
    (TicketStatus.CANCELLED, 5),
]


class Command(BaseCommand):
    help = "Insert N synthetic tickets (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, required=True)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--cis",
            type=int,
            default=0,
            help="Also insert N configuration items in layers with typed relations (CMDB "
            "impact benchmark) and put a CI on every fifth ticket (existing ones included).",
        )

    def handle(self, *args, tickets: int, seed: int, cis: int = 0, **options):
        rng = random.Random(seed)
        if cis:
            self._cmdb(rng, cis)
        requesters = list(User.objects.values_list("id", flat=True)[:500])
        teams = {t.pk: list(t.members.values_list("id", flat=True)) for t in Team.objects.all()}
        services = list(Service.objects.values_list("id", flat=True)) or [None]
        if not requesters or not teams:
            self.stderr.write("Run `manage.py seed_demo` first: people and teams are needed.")
            return
        statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
        # bulk_create runs pre_save, which would stamp every row "now" through auto_now_add;
        # the generated history needs its own creation times.
        Ticket._meta.get_field("created_at").auto_now_add = False
        now = timezone.now()
        with tqdm(total=tickets, unit="ticket") as bar:
            for start in range(0, tickets, BATCH):
                size = min(BATCH, tickets - start)
                numbers = self._numbers(size)
                rows = []
                for number in numbers:
                    status = rng.choices(statuses, weights)[0]
                    impact, urgency = rng.randint(1, 3), rng.randint(1, 3)
                    team = rng.choice(list(teams))
                    assignee = rng.choice(teams[team] or [None]) if rng.random() < 0.7 else None
                    created = now - timedelta(minutes=rng.randint(0, 60 * 24 * 365))
                    resolved = status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
                    rows.append(
                        Ticket(
                            number=number,
                            kind=TicketKind.INCIDENT,
                            requester_id=rng.choice(requesters),
                            channel=rng.choice(Channel.values),
                            short_description=rng.choice(SUBJECTS),
                            description="Generated for benchmarks.",
                            service_id=rng.choice(services),
                            impact=impact,
                            urgency=urgency,
                            priority=DEFAULT_PRIORITY_MATRIX[(impact, urgency)],
                            status=status,
                            on_hold_reason="awaiting_vendor"
                            if status == TicketStatus.ON_HOLD
                            else "",
                            resolution_code="solved" if resolved else "",
                            resolved_at=created + timedelta(hours=rng.randint(1, 72))
                            if resolved
                            else None,
                            assignment_team_id=team,
                            assignee_id=assignee,
                            created_at=created,
                        )
                    )
                with transaction.atomic():
                    Ticket.objects.bulk_create(rows)
                bar.update(size)
        with connection.cursor() as cursor:
            # Bulk loads leave the visibility map unset; autovacuum would catch up later, the
            # benchmark should not measure that lag (index-only scans need it).
            cursor.execute("VACUUM ANALYZE tickets_ticket")
        self.stdout.write(f"Inserted {tickets} tickets.")

    def _numbers(self, size: int) -> list[str]:
        prefix, sequence = NUMBER_SEQUENCES[TicketKind.INCIDENT]
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, size])
            return [f"{prefix}{value:07d}" for (value,) in cursor.fetchall()]

    def _cmdb(self, rng: random.Random, count: int) -> None:
        """`count` CIs in four layers — 2 % infrastructure (storage, network), 8 % database
        clusters, 20 % servers, 70 % applications — each needing one or two CIs of the layer
        below (runs on / depends on), a few connects-to links and a few cycles, as a real CMDB
        has from wrong data. Every fifth ticket gets a CI."""
        services: list[int | None] = [*Service.objects.values_list("id", flat=True)] or [None]
        layers = [
            ("infra", "storage", int(count * 0.02)),
            ("cluster", "database", int(count * 0.08)),
            ("server", "server", int(count * 0.20)),
        ]
        layers.append(("app", "application", count - sum(size for _, _, size in layers)))
        ids: dict[str, list[int]] = {}
        start = ConfigurationItem.objects.count()
        for name, ci_type, size in layers:
            rows = [
                ConfigurationItem(
                    name=f"{name}-{start + i:06d}",
                    ci_type=ci_type,
                    service_id=rng.choice(services),
                    description="Generated for benchmarks.",
                )
                for i in range(size)
            ]
            ids[name] = [ci.pk for ci in ConfigurationItem.objects.bulk_create(rows, BATCH)]
            start += size
        below = {"cluster": "infra", "server": "cluster", "app": "server"}
        kinds = {"cluster": "runs_on", "server": "runs_on", "app": "depends_on"}
        relations = []
        for layer, lower in below.items():
            for ci in ids[layer]:
                for target in rng.sample(ids[lower], rng.choice((1, 1, 2))):
                    relations.append(CiRelation(source_id=ci, target_id=target, kind=kinds[layer]))
                if rng.random() < 0.05:
                    relations.append(
                        CiRelation(
                            source_id=ci, target_id=rng.choice(ids["app"]), kind="connects_to"
                        )
                    )
        # A few cycles: infrastructure that "depends on" an application above it.
        for infra in rng.sample(ids["infra"], min(20, len(ids["infra"]))):
            relations.append(
                CiRelation(source_id=infra, target_id=rng.choice(ids["app"]), kind="depends_on")
            )
        CiRelation.objects.bulk_create(relations, BATCH, ignore_conflicts=True)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE tickets_ticket t SET ci_id = c.id FROM (SELECT id, row_number() OVER () "
                "AS n FROM cmdb_configurationitem) c WHERE t.id %% 5 = 0 "
                "AND c.n = 1 + (t.id / 5) %% %s",
                [ConfigurationItem.objects.count()],
            )
            cursor.execute("VACUUM ANALYZE cmdb_configurationitem")
            cursor.execute("VACUUM ANALYZE cmdb_cirelation")
        self.stdout.write(f"Inserted {count} CIs and {len(relations)} relations.")
