"""Demo data for major incidents and problem management: a past major incident on Email with
its updates, an affected requester and its review; a problem opened from that review; a VPN
known error; repeated Wi-Fi incidents proposed as a candidate; the detection and proposal
rules. Everything goes through the services. Safe to run again."""

from itsm.accounts.models import User
from itsm.cmdb.models import ConfigurationItem, Service
from problems import services
from problems.models import Problem, ProblemDetectionRule
from tickets.major import services as major
from tickets.models import MajorIncident, MajorIncidentRule
from tickets.services import ticket_create

MARKER = "Email delivery stopped for the whole company"


def seed(stdout) -> None:
    people = {u.email: u for u in User.objects.filter(email__endswith="@example.com")}
    manager = people.get("manager@example.com")
    agent = people.get("agent@example.com")
    problem_manager = people.get("problem.manager@example.com")
    requester = people.get("requester@example.com")
    requester2 = people.get("requester2@example.com")
    if (
        manager is None
        or agent is None
        or problem_manager is None
        or requester is None
        or requester2 is None
    ):
        stdout.write("problems.demo: the demo users are missing; run accounts demo first.\n")
        return
    _rules()
    if MajorIncident.objects.filter(ticket__short_description=MARKER).exists():
        stdout.write("Major incidents and problems: already seeded.\n")
        return
    services_by_name = {s.name: s for s in Service.objects.all()}
    email = services_by_name.get("Email")
    vpn = services_by_name.get("VPN")
    wifi = services_by_name.get("Wi-Fi")

    # A past major incident with updates, a joined requester, resolution and review.
    ticket = ticket_create(
        actor=agent,
        requester=requester,
        short_description=MARKER,
        description="Outbound and inbound mail queues are growing; nothing is delivered.",
        service=email,
        ci=ConfigurationItem.objects.filter(name="mail-gw-01").first(),
        impact=1,
        urgency=1,
    )
    mi = major.major_incident_declare(
        ticket=ticket,
        actor=manager,
        reason="Every employee is affected; customers cannot reach us by email.",
        manager=manager,
        communications_owner=agent,
    )
    major.major_incident_post_update(
        major=mi, actor=manager, body="Mail gateway disk is full; vendor engaged.", is_public=False
    )
    major.major_incident_post_update(
        major=mi,
        actor=manager,
        body="We know why email is not delivered and are fixing it. Next update in 30 minutes.",
        is_public=True,
    )
    major.major_incident_join(
        major=mi, requester=requester2, description="My customer emails bounce."
    )
    major.major_incident_resolve(
        major=mi,
        actor=manager,
        public_note="Email is delivered again; queued messages went out by 11:40.",
    )
    major.major_incident_review_record(
        major=mi,
        actor=manager,
        timeline="09:05 queues grow\n09:20 declared major\n10:10 disk cleaned\n11:40 queues empty",
        root_cause="Log rotation on mail-gw-01 was disabled by an upgrade; the disk filled up.",
        actions="Re-enable log rotation\nAlert at 80 % disk on mail gateways",
    )
    from_review = services.problem_create_from_major_incident(major=mi, actor=problem_manager)
    services.problem_transition(
        problem=from_review, actor=problem_manager, to_status="assessed", expected_version=None
    )
    services.problem_transition(
        problem=from_review,
        actor=problem_manager,
        to_status="root_cause_known",
        expected_version=None,
        root_cause="Log rotation disabled by the 4.2 upgrade; the disk filled.",
    )

    # A known error with a workaround agents see on VPN incidents.
    vpn_problem = services.problem_create(
        actor=problem_manager,
        statement="VPN sessions drop every hour on concentrator A",
        service=vpn,
        ci=ConfigurationItem.objects.filter(name="vpn-concentrator-a").first(),
        priority=2,
    )
    services.problem_update(
        problem=vpn_problem,
        actor=problem_manager,
        expected_version=None,
        symptoms="Users are disconnected at minute 59 of each session.",
        rca_method="five_whys",
        rca_analysis={
            "steps": [
                "Why do sessions drop? The concentrator ends them.",
                "Why? The re-key timer expires.",
                "Why? Firmware 9.1 ignores the configured lifetime.",
            ]
        },
    )
    services.problem_publish_known_error(
        problem=vpn_problem,
        actor=problem_manager,
        expected_version=None,
        workaround="Connect to vpn-b.example.com (concentrator B) until the firmware update.",
        create_article=True,
    )

    # Repeated Wi-Fi incidents: trend detection proposes them as a candidate.
    for text in ("Wi-Fi drops in room 4.12", "No Wi-Fi on floor 4", "Wi-Fi slow on floor 4"):
        ticket_create(actor=requester, requester=requester, short_description=text, service=wifi)
    created = services.problem_candidates_detect()
    stdout.write(
        f"Major incidents and problems: 1 past major incident with review, "
        f"{Problem.objects.count()} problems, {created} candidate(s).\n"
    )


def _rules() -> None:
    if not ProblemDetectionRule.objects.exists():
        ProblemDetectionRule.objects.create(
            name="3 incidents on one service in 7 days",
            group_by="service",
            min_incidents=3,
            window_days=7,
        )
        ProblemDetectionRule.objects.create(
            name="5 incidents on one CI in 14 days", group_by="ci", min_incidents=5, window_days=14
        )
    if not MajorIncidentRule.objects.exists():
        MajorIncidentRule.objects.create(
            name="P1 on a critical service", kind="p1_critical_service"
        )
        MajorIncidentRule.objects.create(
            name="5 incidents on one service in 30 minutes",
            kind="incident_burst",
            threshold_count=5,
            window_minutes=30,
        )
