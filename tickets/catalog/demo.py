"""Demo service catalog: categories, six items with forms, approvals and task templates,
and one order waiting for the demo manager's approval. Safe to run again."""

from datetime import timedelta
from typing import Any

from itsm.accounts.demo import DEMO_PASSWORD
from itsm.accounts.models import Team, User
from itsm.accounts.roles import Role
from itsm.accounts.services import team_ensure, user_ensure
from itsm.calendars.models import BusinessCalendar
from itsm.cmdb.models import Service
from tickets.catalog.forms import earliest_date
from tickets.catalog.services import request_order
from tickets.choices import ApprovalMode, TicketKind
from tickets.models import (
    CatalogCategory,
    CatalogField,
    CatalogItem,
    FulfilmentTaskTemplate,
    Ticket,
)

CATEGORIES = [
    ("Hardware", "Laptops, phones, monitors and accessories.", 1),
    ("Software", "Licences and installations.", 2),
    ("Access", "Network, folders and application permissions.", 3),
]

# Each item: name, slug, category, short description, service, fulfilment team,
# manager approval?, approval team, mode, fields, task templates (title, team, step).
# A field: (name, label, type, required, help text, choices).
ITEMS: list[dict[str, Any]] = [
    {
        "name": "New laptop",
        "slug": "new-laptop",
        "category": "Hardware",
        "short": "A standard company laptop, imaged and enrolled.",
        "service": "Laptop Provisioning",
        "team": "Workplace",
        "manager": True,
        "approval_team": None,
        "mode": ApprovalMode.ALL,
        "fields": [
            (
                "model",
                "Model",
                "choice",
                True,
                "The 15-inch model is for developers and designers.",
                ["13-inch standard", "15-inch performance"],
            ),
            ("needed_by", "Needed by", "date", True, "We need five working days.", []),
            (
                "accessories",
                "Accessories",
                "multi_choice",
                False,
                "",
                ["Dock", "Headset", "Mouse", "Second monitor"],
            ),
            (
                "reason",
                "Why do you need it?",
                "long_text",
                False,
                "New starter, replacement, or broken device.",
                [],
            ),
        ],
        "tasks": [
            ("Prepare and image the laptop", "Workplace", 1),
            ("Hand the laptop over", "Service Desk", 2),
        ],
        "min_business_days": {"needed_by": 5},
    },
    {
        "name": "Software licence",
        "slug": "software-licence",
        "category": "Software",
        "short": "A licence for commercial software (Office, Adobe, JetBrains …).",
        "service": None,
        "team": "Applications",
        "manager": False,
        "approval_team": "Applications",
        "mode": ApprovalMode.ANY,
        "fields": [
            (
                "product",
                "Product",
                "choice",
                True,
                "",
                ["Microsoft Visio", "Adobe Acrobat Pro", "JetBrains IntelliJ", "Other"],
            ),
            ("seats", "Number of seats", "number", True, "", []),
            ("details", "Anything else?", "long_text", False, "", []),
        ],
        "tasks": [("Assign the licence", "Applications", 1)],
    },
    {
        "name": "VPN access",
        "slug": "vpn-access",
        "category": "Access",
        "short": "Remote access to the corporate network.",
        "service": "VPN",
        "team": "Network",
        "manager": False,
        "approval_team": None,
        "mode": ApprovalMode.ALL,
        "fields": [
            ("device", "Device", "ci", False, "Name of your laptop if you know it.", []),
        ],
        "tasks": [("Add the user to the VPN group", "Network", 1)],
    },
    {
        "name": "Access to shared folder",
        "slug": "shared-folder-access",
        "category": "Access",
        "short": "Read or write access to a department's shared folder.",
        "service": None,
        "team": "Service Desk",
        "manager": True,
        "approval_team": None,
        "mode": ApprovalMode.ALL,
        "fields": [
            ("folder", "Folder path", "text", True, r"For example \\files\finance\reports", []),
            ("for_whom", "For whom", "user", True, "Email address of the person who needs it.", []),
            ("permissions", "Permissions", "multi_choice", True, "", ["Read", "Write"]),
        ],
        "tasks": [("Grant folder permissions", "Service Desk", 1)],
    },
    {
        "name": "Mobile phone",
        "slug": "mobile-phone",
        "category": "Hardware",
        "short": "A company smartphone with a data plan.",
        "service": None,
        "team": "Workplace",
        "manager": True,
        "approval_team": None,
        "mode": ApprovalMode.ALL,
        "fields": [
            ("model", "Model", "choice", True, "", ["Standard", "Large screen"]),
            ("port_number", "Keep my current number", "choice", False, "", ["Yes", "No"]),
        ],
        "tasks": [
            ("Order the SIM", "Workplace", 1),
            ("Enrol the phone", "Workplace", 1),
            ("Hand the phone over", "Service Desk", 2),
        ],
    },
    {
        "name": "Database access",
        "slug": "database-access",
        "category": "Access",
        "short": "Read-only access to a reporting database.",
        "service": "Customer Database",
        "team": "Database",
        "manager": True,
        "approval_team": "Database",
        "mode": ApprovalMode.ALL,
        "fields": [
            ("database", "Database", "ci", True, "For example crm-pg-replica.", []),
            ("until", "Access until", "date", False, "Leave empty for permanent access.", []),
        ],
        "tasks": [("Create the read-only role", "Database", 1)],
    },
]


# Fulfilment teams the people demo leaves empty get a demo agent here: a task for a team
# with no members is never picked up, and the demo's first laptop order would stall.
TASK_TEAM_STAFF = {
    "Workplace": ("workplace.agent@example.com", "Wes Workplace"),
}
# The earliest "needed by" dates count the office's working days.
DEMO_CALENDAR = "Germany office hours"


def _staff_task_teams() -> None:
    names = {team for spec in ITEMS for _, team, _ in spec["tasks"]}
    for team in Team.objects.filter(name__in=names):
        if team.members.filter(is_active=True).exists() or team.name not in TASK_TEAM_STAFF:
            continue
        email, display_name = TASK_TEAM_STAFF[team.name]
        agent = user_ensure(
            email=email, display_name=display_name, password=DEMO_PASSWORD, roles=[Role.AGENT]
        )
        team_ensure(name=team.name, members=[agent])


def _team(name: str | None) -> Team | None:
    return Team.objects.filter(name=name).first() if name else None


def seed(stdout) -> None:
    _staff_task_teams()
    categories = {}
    for name, description, order in CATEGORIES:
        categories[name], _ = CatalogCategory.objects.get_or_create(
            name=name, defaults={"description": description, "order": order}
        )
    created = 0
    for spec in ITEMS:
        if CatalogItem.objects.filter(slug=spec["slug"]).exists():
            continue
        item = CatalogItem.objects.create(
            name=spec["name"],
            slug=spec["slug"],
            category=categories[spec["category"]],
            short_description=spec["short"],
            service=Service.objects.filter(name=spec["service"]).first(),
            fulfilment_team=_team(spec["team"]),
            requires_manager_approval=spec["manager"],
            approval_team=_team(spec["approval_team"]),
            approval_mode=spec["mode"],
            calendar=BusinessCalendar.objects.filter(name=DEMO_CALENDAR).first(),
        )
        for order, (name, label, kind, required, help_text, choices) in enumerate(spec["fields"]):
            CatalogField.objects.create(
                item=item,
                name=name,
                label=label,
                field_type=kind,
                required=required,
                help_text=help_text,
                choices=choices,
                min_business_days=spec.get("min_business_days", {}).get(name),
                order=order,
            )
        for title, team_name, step in spec["tasks"]:
            team = _team(team_name)
            if team is not None:
                FulfilmentTaskTemplate.objects.create(item=item, title=title, team=team, step=step)
        created += 1
    _seed_order()
    stdout.write(
        f"Demo catalog: {len(ITEMS)} items ({created} new) in {len(CATEGORIES)} categories."
    )


def _seed_order() -> None:
    """One laptop order by the demo requester, waiting for the demo manager's approval."""
    requester = User.objects.filter(email="requester@example.com").first()
    item = CatalogItem.objects.filter(slug="new-laptop").first()
    if requester is None or item is None or requester.manager_id is None:
        return
    if Ticket.objects.filter(kind=TicketKind.REQUEST, catalog_item=item).exists():
        return
    request_order(
        item=item,
        requester=requester,
        actor=requester,
        form_data={
            "model": "13-inch standard",
            "needed_by": (
                earliest_date(calendar=item.calendar, business_days=5) + timedelta(days=7)
            ).isoformat(),
            "accessories": ["Dock", "Headset"],
            "reason": "My laptop is five years old.",
        },
    )
