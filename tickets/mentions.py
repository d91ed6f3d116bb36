"""@mentions in work notes: `@bob.agent` names the agent whose e-mail address starts with
`bob.agent@` (the part before the @, the one handle every person has), `@service-desk` a team
by its name with spaces as hyphens (Django's slugify). A mention must name someone who can
read the note: desk staff only (work notes never reach requesters); anything else is refused
before the note is saved, so the agent can correct it."""

import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.text import slugify

from itsm.accounts.models import Team, User
from itsm.accounts.roles import user_is_staff_member
from tickets.exceptions import InvalidTicketInput

# Not inside an address or a word ("bob@example.com" mentions nobody); a handle ends on a
# letter or digit, so "@bob." at the end of a sentence is "@bob".
MENTION = re.compile(r"(?<![\w@.+-])@([A-Za-z0-9](?:[\w.+-]*[A-Za-z0-9])?)")
MAX_MENTIONS = 20


@dataclass
class Mentions:
    """Who a note's mentions reach: the agents named, and the teams (with their members)."""

    people: list[User] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)

    def recipients(self, *, author: User) -> list[User]:
        reached = {person.pk: person for person in self.people}
        for team in self.teams:
            for member in team.members.filter(is_active=True):
                reached.setdefault(member.pk, member)
        reached.pop(author.pk, None)
        return [p for p in reached.values() if user_is_staff_member(p)]


def mention_handles(body: str) -> list[str]:
    """The distinct handles in `body`, lower-cased, in the order written."""
    return list(dict.fromkeys(m.group(1).lower() for m in MENTION.finditer(body)))


def team_handle(team_name: str) -> str:
    return slugify(team_name)


def mentions_resolve(body: str) -> Mentions:
    """Find who each handle names; raise InvalidTicketInput (on `body`) naming the first that
    is unknown, ambiguous, or someone who cannot read work notes. No handle: no query."""
    handles = mention_handles(body)
    found = Mentions()
    if not handles:
        return found
    if len(handles) > MAX_MENTIONS:
        raise InvalidTicketInput(
            f"Mention at most {MAX_MENTIONS} people or teams in one note.", field="body"
        )
    teams = {team_handle(t.name): t for t in Team.objects.all()}
    wanted = [h for h in handles if h not in teams]
    by_handle: dict[str, list[User]] = {}
    if wanted:
        query = Q()
        for handle in wanted:
            query |= Q(email__istartswith=f"{handle}@")
        for user in User.objects.filter(query, is_active=True):
            by_handle.setdefault(user.email.split("@", 1)[0].lower(), []).append(user)
    for handle in handles:
        if handle in teams:
            found.teams.append(teams[handle])
            continue
        people = by_handle.get(handle, [])
        if not people:
            raise InvalidTicketInput(
                f"Nobody is called @{handle}: mention an agent by their e-mail address before "
                "the @ (e.g. @jane.doe), or a team by its name with hyphens (e.g. @service-desk).",
                field="body",
            )
        if len(people) > 1:
            raise InvalidTicketInput(
                f"@{handle} names {len(people)} people; ask an administrator, or mention their "
                "team instead.",
                field="body",
            )
        if not user_is_staff_member(people[0]):
            raise InvalidTicketInput(
                f"{people[0]} (@{handle}) cannot see this ticket's work notes, so cannot be "
                "mentioned here. Mention desk staff, or write a public reply to the requester.",
                field="body",
            )
        found.people.append(people[0])
    return found


def mention_suggestions(*, prefix: str, limit: int = 8) -> list[tuple[str, str]]:
    """(handle, label) of desk agents and teams whose handle starts with `prefix`, for the
    work-note box's type-ahead."""
    prefix = prefix.lower().lstrip("@")[:60]
    teams = [
        (team_handle(name), f"{name} (team)")
        for name in Team.objects.order_by("name").values_list("name", flat=True)
        if team_handle(name).startswith(prefix)
    ]
    people = [
        (user.email.split("@", 1)[0].lower(), str(user))
        for user in User.objects.filter(
            is_active=True, email__istartswith=prefix, teams__isnull=False
        )
        .distinct()
        .order_by("email")[:limit]
    ]
    return (people + teams)[:limit]
