"""Demo change management: CAB members, a standard-change template, a month-end blackout and
one change in every state. Idempotent: skipped when the demo changes exist."""

from datetime import timedelta

from django.utils import timezone

from changes import services
from changes.models import BlackoutWindow, CabMember, ChangePolicy, ChangeRequest, ChangeTemplate
from itsm.accounts.models import Team, User
from itsm.cmdb.models import ConfigurationItem, Service

MARKER = "[demo]"
RISK = {"impact": "degraded", "likelihood": "medium", "backout": "moderate"}


def _service(name: str) -> Service | None:
    return Service.objects.filter(name=name).first() or Service.objects.first()


def _move(change: ChangeRequest, actor: User, to_status: str, **fields) -> ChangeRequest:
    change.refresh_from_db()
    return services.change_transition(
        change=change, actor=actor, to_status=to_status, expected_version=change.version, **fields
    )


def _raise(cm: User, title: str, start, hours: float, service_name: str, **fields):
    return services.change_create(
        actor=cm,
        title=f"{title} {MARKER}",
        # The marker finds demo rows again; requesters read the title without it.
        public_title=fields.pop("public_title", title),
        services=[s for s in [_service(service_name)] if s],
        cis=list(ConfigurationItem.objects.filter(service__name=service_name)[:1]),
        planned_start=start,
        planned_end=start + timedelta(hours=hours),
        implementation_plan="1. Announce. 2. Apply. 3. Verify.",
        backout_plan="Restore the snapshot taken before the change.",
        test_plan="Smoke test the service's main journeys.",
        assignment_team=Team.objects.filter(name="Applications").first(),
        **fields,
    )


def _to_cab(change, cm):
    _move(change, cm, "assessment")
    change.refresh_from_db()
    services.change_assess_risk(
        change=change, actor=cm, expected_version=change.version, answers=RISK
    )
    return _move(change, cm, "cab")


def _approved(change, cm, members):
    change = _to_cab(change, cm)
    for member in members:
        change.refresh_from_db()
        if change.cab_decision != "pending":
            break
        change = services.change_decide(
            change=change, actor=member, decision="approved", comment="Plan and backout are fine."
        )
    return change


def seed(stdout) -> None:
    if ChangeRequest.objects.filter(title__endswith=MARKER).exists():
        stdout.write("Demo changes: already there.")
        return
    cm = User.objects.get(email="change.manager@example.com")
    members = list(User.objects.filter(email__in=["cab1@example.com", "cab2@example.com"]))
    for member in members:
        CabMember.objects.get_or_create(user=member, defaults={"is_emergency": True})
    ChangePolicy.objects.get_or_create(
        defaults={
            "service_desk_team": Team.objects.filter(name="Service Desk").first(),
            "notice_lead_minutes": 60,
        }
    )
    template, _ = ChangeTemplate.objects.get_or_create(
        name="Monthly OS patching",
        defaults={
            "description": "Apply the vendor's monthly security patches and reboot.",
            "implementation_plan": "Patch, reboot one node at a time, check health.",
            "backout_plan": "Uninstall the patch bundle and reboot.",
        },
    )
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    month_end = (now.replace(day=28) + timedelta(days=4)).replace(day=1, hour=0)
    BlackoutWindow.objects.get_or_create(
        name="Month-end financial close",
        defaults={
            "starts_at": month_end - timedelta(days=2),
            "ends_at": month_end + timedelta(days=1),
            "reason": "Finance closes the books; no changes to finance systems.",
        },
    )

    _raise(cm, "Replace VPN certificates", now + timedelta(days=10), 2, "VPN")  # draft
    assessment = _raise(
        cm, "Upgrade Wi-Fi controller firmware", now + timedelta(days=8), 3, "Wi-Fi"
    )
    _move(assessment, cm, "assessment")
    _to_cab(
        _raise(cm, "Migrate HR Portal to new cluster", now + timedelta(days=5), 4, "HR Portal"), cm
    )
    scheduled = _approved(
        _raise(cm, "Add Email retention policy", now + timedelta(days=2), 1, "Email"), cm, members
    )
    _move(scheduled, cm, "scheduled")
    standard = services.change_create(
        actor=cm,
        title=f"Patch ERP servers {MARKER}",
        public_title="ERP security updates",
        template=template,
        services=[s for s in [_service("ERP")] if s],
        planned_start=now + timedelta(days=1),
        planned_end=now + timedelta(days=1, hours=2),
    )
    _move(standard, cm, "scheduled")
    implementing = _approved(
        _raise(cm, "Resize Payroll database", now - timedelta(hours=1), 3, "Payroll"), cm, members
    )
    _move(implementing, cm, "scheduled")
    _move(implementing, cm, "implementing")
    for title, service, outcome, close in (
        ("Rotate Email gateway keys", "Email", "successful", False),
        ("Upgrade VPN concentrators", "VPN", "successful_with_issues", True),
    ):
        change = _approved(_raise(cm, title, now - timedelta(hours=30), 2, service), cm, members)
        _move(change, cm, "scheduled")
        _move(change, cm, "implementing", window_override_reason="Demo data: run after the fact.")
        _move(change, cm, "review", review_outcome=outcome)
        if close:
            _move(change, cm, "closed", review_notes="Two users needed a client restart.")
    rejected = _to_cab(
        _raise(cm, "Disable legacy Wi-Fi SSID", now + timedelta(days=3), 1, "Wi-Fi"), cm
    )
    services.change_decide(
        change=rejected,
        actor=members[0],
        decision="rejected",
        comment="Warehouse scanners need it.",
    )
    cancelled = _raise(cm, "Rename HR Portal DNS entry", now + timedelta(days=4), 1, "HR Portal")
    _move(cancelled, cm, "cancelled", reason="No longer needed.")
    stdout.write(
        f"Demo changes: {ChangeRequest.objects.filter(title__endswith=MARKER).count()} "
        "changes in every state, a month-end blackout window."
    )
