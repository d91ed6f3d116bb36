"""The people of the load test (bench/load_test.py) and a signed-in session for each.

Usage: DATABASE_URL=… SECRET_KEY=… python bench/load_setup.py OUT.json   (the runner calls it)

Writes to the database it is given (a copy of the benchmark database, never the shared one):
50 agents of the Service Desk team and 150 requesters (loadtest.*@example.com, made once,
all with the demo password, hashed once), each requester given 20 of the existing tickets
so "my tickets" lists something. A session per person is made the way Django's sign-in makes
one (`login()` through the test client), signed with the SECRET_KEY the product under test
runs with; OUT.json lists the session keys, the requesters' ticket numbers and, for the
agents, open tickets to work on.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from itsm.accounts.demo import DEMO_PASSWORD  # noqa: E402
from itsm.accounts.models import Team, User  # noqa: E402
from itsm.accounts.roles import Role  # noqa: E402
from itsm.accounts.services import user_ensure  # noqa: E402
from tickets.choices import OPEN_STATUSES  # noqa: E402
from tickets.models import Ticket  # noqa: E402

AGENTS = int(os.environ.get("LOAD_AGENTS", "50"))
REQUESTERS = int(os.environ.get("LOAD_REQUESTERS", "150"))
TICKETS_PER_REQUESTER = 20
AGENT_TICKETS = 3000


def _people() -> tuple[list[User], list[User]]:
    with transaction.atomic():
        agents = [
            user_ensure(
                email=f"loadtest.agent{index:02d}@example.com",
                display_name=f"Load Agent {index:02d}",
                password=None,  # type: ignore[arg-type]  # hashed once for all below
                roles=[Role.AGENT],
            )
            for index in range(AGENTS)
        ]
        requesters = [
            user_ensure(
                email=f"loadtest.requester{index:03d}@example.com",
                display_name=f"Load Requester {index:03d}",
                password=None,  # type: ignore[arg-type]
                roles=[Role.REQUESTER],
            )
            for index in range(REQUESTERS)
        ]
        Team.objects.get(name="Service Desk").members.add(*agents)
        # One PBKDF2 hash for everyone (200 would take minutes): the sign-in page works too.
        User.objects.filter(email__startswith="loadtest.").update(
            password=make_password(DEMO_PASSWORD)
        )
    # Read again: a session carries a hash of the password, which the update above changed.
    by_email = {u.email: u for u in User.objects.filter(email__startswith="loadtest.")}
    return [by_email[a.email] for a in agents], [by_email[r.email] for r in requesters]


def _owned(requesters: list[User]) -> dict[int, list[str]]:
    owned: dict[int, list[str]] = {r.pk: [] for r in requesters}
    for requester_id, number in Ticket.objects.filter(requester__in=requesters).values_list(
        "requester_id", "number"
    ):
        owned[requester_id].append(number)
    return owned


def _give_tickets(requesters: list[User]) -> dict[int, list[str]]:
    """Each requester's ticket numbers, handing existing tickets over on the first run."""
    owned = _owned(requesters)
    if all(owned.values()):
        return owned
    # An even spread over the table (every 331st id), not the newest: portal pages then read
    # old and new tickets alike.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM tickets_ticket WHERE id %% 331 = 0 ORDER BY id LIMIT %s",
            [len(requesters) * TICKETS_PER_REQUESTER],
        )
        ids = [row[0] for row in cursor.fetchall()]
    with transaction.atomic():
        for index, requester in enumerate(requesters):
            mine = ids[index * TICKETS_PER_REQUESTER : (index + 1) * TICKETS_PER_REQUESTER]
            Ticket.objects.filter(pk__in=mine).update(requester=requester)
    return _owned(requesters)


def _session(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def main() -> None:
    out = Path(sys.argv[1])
    agents, requesters = _people()
    owned = _give_tickets(requesters)
    # Their own team's tickets: "assign to me" keeps a ticket in its team, and only that
    # team's members may take it (anything else is a correct 400).
    desk_team = Team.objects.get(name="Service Desk")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT number FROM tickets_ticket WHERE id %% 97 = 0 AND status = ANY(%s)"
            " AND assignment_team_id = %s ORDER BY id LIMIT %s",
            [list(OPEN_STATUSES), desk_team.pk, AGENT_TICKETS],
        )
        open_numbers = [row[0] for row in cursor.fetchall()]
    out.write_text(
        json.dumps(
            {
                "agents": [{"email": a.email, "session": _session(a)} for a in agents],
                "requesters": [
                    {"email": r.email, "session": _session(r), "tickets": owned[r.pk]}
                    for r in requesters
                ],
                "open_tickets": open_numbers,
                "session_cookie": settings.SESSION_COOKIE_NAME,
            }
        )
    )
    print(
        f"load test people: {len(agents)} agents, {len(requesters)} requesters, "
        f"{len(open_numbers)} open tickets for the agents -> {out}"
    )


if __name__ == "__main__":
    main()
