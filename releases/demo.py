"""Demo release management: a release in hypercare with a support plan and a tagged incident,
and one being planned. Idempotent: skipped when the demo releases exist."""

from datetime import timedelta

from django.utils import timezone

from changes import services as change_services
from changes.models import ChangeRequest
from itsm.accounts.models import Team, User
from knowledge.models import Article
from releases import services
from releases.models import Release


def _move(release, actor, to_status):
    release.refresh_from_db()
    return services.release_transition(
        release=release, actor=actor, to_status=to_status, expected_version=release.version
    )


def _implement(change: ChangeRequest) -> None:
    """Deploying the release implements its change: hypercare waits for that (its window is
    tomorrow in the demo data, hence the override)."""
    cm = User.objects.get(email="change.manager@example.com")
    for from_status, to_status, fields in (
        ("scheduled", "implementing", {"window_override_reason": "Deployed with the release."}),
        ("implementing", "review", {"review_outcome": "successful"}),
    ):
        change.refresh_from_db()
        if change.status == from_status:
            change_services.change_transition(
                change=change,
                actor=cm,
                to_status=to_status,
                expected_version=change.version,
                **fields,
            )


def seed(stdout) -> None:
    if Release.objects.filter(name__startswith="ERP").exists():
        stdout.write("Demo releases: already there.")
        return
    rm = User.objects.get(email="release.manager@example.com")
    ready = (
        ChangeRequest.objects.filter(
            title__endswith="[demo]", status__in=["scheduled", "implementing", "review", "closed"]
        )
        .filter(change_type="standard")
        .first()
    )
    now = timezone.now()
    desk = Team.objects.filter(name="Service Desk").first()
    release = services.release_create(
        actor=rm,
        name="ERP quarterly update",
        version_label="2026.4",
        release_type="minor",
        changes=[ready] if ready else [],
        planned_deploy_at=now - timedelta(hours=2),
        hypercare_days=5,
        known_issues="Saved report layouts reset to default after the update.",
        communication="Users were told by email two days before; banner on the portal.",
        articles=list(Article.objects.filter(status="published")[:2]),
    )
    services.release_staffing_add(
        release=release,
        actor=rm,
        team=desk,
        starts_at=now - timedelta(hours=2),
        ends_at=now + timedelta(days=1),
        notes="Two extra agents on the phones",
    )
    step = services.release_step_add(release=release, actor=rm, title="Deploy ERP 2026.4")
    check = services.release_step_add(release=release, actor=rm, title="Smoke test finance flows")
    if ready is not None:
        for status in ("build", "test", "deploy"):
            release = _move(release, rm, status)
        for s in (step, check):
            services.release_step_set_status(step=s, actor=rm, status="done")
        _implement(ready)
        release = _move(release, rm, "hypercare")
        erp = ready.services.first()
        if erp is not None:
            from tickets.services import ticket_create

            requester = User.objects.get(email="requester@example.com")
            ticket_create(
                actor=requester,
                requester=requester,
                service=erp,
                impact=2,
                urgency=2,
                short_description="ERP report layout is gone after the update",
            )
            services.release_tag_hypercare_incidents(release=release)
    services.release_create(
        actor=rm,
        name="ERP next major",
        version_label="2027.1",
        release_type="major",
        planned_deploy_at=now + timedelta(days=40),
    )
    stdout.write("Demo releases: one in hypercare with a support plan, one in planning.")
