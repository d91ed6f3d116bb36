"""Demo people and teams. Every demo account shares one password, printed by seed_demo."""

from itsm.accounts.roles import Role
from itsm.accounts.services import team_ensure, user_ensure

DEMO_PASSWORD = "demo-pass-2026"

# email, display name, roles, team names
DEMO_USERS = [
    ("admin@example.com", "Ada Admin", [Role.ADMINISTRATOR], []),
    (
        "manager@example.com",
        "Morgan Manager",
        [Role.SERVICE_DESK_MANAGER, Role.AGENT],
        ["Service Desk"],
    ),
    ("agent@example.com", "Alice Agent", [Role.AGENT], ["Service Desk"]),
    ("agent2@example.com", "Sam Support", [Role.AGENT], ["Service Desk"]),
    ("network@example.com", "Nick Network", [Role.AGENT], ["Network"]),
    ("dba@example.com", "Dana Database", [Role.AGENT], ["Database"]),
    ("apps@example.com", "Priya Apps", [Role.AGENT], ["Applications"]),
    ("change.manager@example.com", "Chris Change", [Role.CHANGE_MANAGER], ["Applications"]),
    ("cab1@example.com", "Carla CAB", [Role.CAB_MEMBER], []),
    ("cab2@example.com", "Ben Board", [Role.CAB_MEMBER], []),
    ("problem.manager@example.com", "Paula Problem", [Role.PROBLEM_MANAGER], ["Service Desk"]),
    ("release.manager@example.com", "Rory Release", [Role.RELEASE_MANAGER], ["Applications"]),
    ("editor@example.com", "Kim Knowledge", [Role.KNOWLEDGE_EDITOR], []),
    ("requester@example.com", "Rita Requester", [Role.REQUESTER], []),
    ("requester2@example.com", "Omar Employee", [Role.REQUESTER], []),
]

DEMO_TEAMS = [
    (
        "Service Desk",
        "servicedesk@example.com",
        "manager@example.com",
        "First line: every ticket starts here.",
    ),
    ("Network", "network@example.com", "network@example.com", "LAN, Wi-Fi, VPN and firewalls."),
    ("Database", "dba@example.com", "dba@example.com", "PostgreSQL and Oracle estates."),
    (
        "Applications",
        "apps@example.com",
        "apps@example.com",
        "Business applications and integrations.",
    ),
    ("Workplace", "workplace@example.com", None, "Laptops, phones and accounts for staff."),
]


def seed(stdout) -> None:
    people = {}
    for email, name, roles, _teams in DEMO_USERS:
        # Requesters report to a manager, so catalog approvals have someone to ask.
        manager = people.get("manager@example.com") if Role.REQUESTER in roles else None
        people[email] = user_ensure(
            email=email,
            display_name=name,
            password=DEMO_PASSWORD,
            roles=roles,
            manager=manager,
            is_superuser=Role.ADMINISTRATOR in roles,
        )
    for name, email, lead_email, description in DEMO_TEAMS:
        members = [people[e] for e, _, _, teams in DEMO_USERS if name in teams]
        team_ensure(
            name=name,
            email=email,
            lead=people.get(lead_email),
            members=members,
            description=description,
        )
    stdout.write(f"Demo people: {len(DEMO_USERS)} users in {len(DEMO_TEAMS)} teams.")


def print_logins(stdout) -> None:
    stdout.write(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD})")
    for email, name, roles, _ in DEMO_USERS:
        stdout.write(f"  {email:<32} {name:<16} {', '.join(str(r) for r in roles)}")
