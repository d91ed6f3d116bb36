"""Demo services and configuration items."""

from itsm.accounts.models import Team, User
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.cmdb.services import ci_create, service_create

# name, kind, criticality, team, owner email, description
DEMO_SERVICES = [
    (
        "Email",
        "business",
        "critical",
        "Applications",
        "apps@example.com",
        "Mail and calendars for every employee.",
    ),
    (
        "VPN",
        "technical",
        "high",
        "Network",
        "network@example.com",
        "Remote access to the corporate network.",
    ),
    ("Wi-Fi", "technical", "medium", "Network", "network@example.com", "Office wireless networks."),
    (
        "HR Portal",
        "business",
        "medium",
        "Applications",
        "apps@example.com",
        "Leave, payslips and personal data.",
    ),
    ("Payroll", "business", "critical", "Applications", "apps@example.com", "Monthly salary run."),
    (
        "ERP",
        "business",
        "high",
        "Applications",
        "apps@example.com",
        "Finance, purchasing and inventory.",
    ),
    (
        "Customer Database",
        "technical",
        "high",
        "Database",
        "dba@example.com",
        "PostgreSQL cluster behind the CRM.",
    ),
    ("Laptop Provisioning", "business", "low", "Workplace", None, "New and replacement laptops."),
]

# name, type, service, status
DEMO_CIS = [
    ("mail-gw-01", "server", "Email", "operational"),
    ("mail-gw-02", "server", "Email", "operational"),
    ("exchange-online", "cloud", "Email", "operational"),
    ("vpn-concentrator-a", "network", "VPN", "operational"),
    ("vpn-concentrator-b", "network", "VPN", "maintenance"),
    ("wlc-hq", "network", "Wi-Fi", "operational"),
    ("hr-portal-app", "application", "HR Portal", "operational"),
    ("payroll-batch", "application", "Payroll", "operational"),
    ("erp-app-01", "server", "ERP", "operational"),
    ("erp-db-01", "database", "ERP", "operational"),
    ("crm-pg-primary", "database", "Customer Database", "operational"),
    ("crm-pg-replica", "database", "Customer Database", "operational"),
    ("laptop-image-2026", "workstation", "Laptop Provisioning", "planned"),
]


def seed(stdout) -> None:
    admin = User.objects.filter(email="admin@example.com").first()
    for name, kind, criticality, team_name, owner_email, description in DEMO_SERVICES:
        if Service.objects.filter(name=name).exists():
            continue
        service_create(
            actor=admin,
            name=name,
            kind=kind,
            criticality=criticality,
            description=description,
            support_team=Team.objects.filter(name=team_name).first(),
            owner=User.objects.filter(email=owner_email).first() if owner_email else None,
        )
    for name, ci_type, service_name, status in DEMO_CIS:
        if ConfigurationItem.objects.filter(name=name).exists():
            continue
        ci_create(
            actor=admin,
            name=name,
            ci_type=ci_type,
            status=status,
            service=Service.objects.get(name=service_name),
        )
    stdout.write(f"Demo CMDB: {len(DEMO_SERVICES)} services, {len(DEMO_CIS)} configuration items.")
