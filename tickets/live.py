"""Live ticket pages and queues: what changed since a page was drawn, and who else is looking.

Cheap polling, all in Redis, never in the request's way:
- every saved ticket (each write bumps its version, tickets.services.lifecycle._save) records
  its version in `live:v:<number>` (a one-member sorted set written with ZADD GT, so two
  commits landing out of order never move it back) and its id in `live:changed`, scored by
  when (the queue's "N new or changed"), after the transaction commits;
- an open ticket page polls with the version it shows and a signed token the page was drawn
  with (who and which ticket, TOKEN_SECONDS long; the page gets a new one each time it draws
  its partial): the poll is answered before the session, the user and the rest of Django's
  middleware are read (tickets.views.live.LivePollMiddleware), in one pipelined round trip that
  records the agent as viewing (and typing) and reads the version and the people on the page.
  Nothing changed answers 204 with no template drawn;
- presence lives in two sorted sets per ticket (viewing, typing) scored by the last beat, read
  within VIEWING_SECONDS / TYPING_SECONDS and expiring on their own.

Every command waits at most the cache's socket timeout, and after a failure this process
leaves Redis alone for a few seconds (itsm.core.cache); the pages then say "live updates
paused" and work as before.
"""

import hashlib
import time
from dataclasses import dataclass
from typing import Any, cast

from django.core import signing
from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError

from itsm.core.cache import redis_client, redis_failed

# How often a page asks (static/js/live.js reads these from the page).
TICKET_POLL_SECONDS = 3
QUEUE_POLL_SECONDS = 4
# A viewer missing two beats has left; a typist who paused this long is no longer typing.
VIEWING_SECONDS = 8
TYPING_SECONDS = 6
# How far back the queue can tell what changed (a queue page open longer says "N+").
CHANGED_KEEP_SECONDS = 3600
CHANGED_READ_LIMIT = 1000
VERSION_KEEP_SECONDS = 24 * 3600
# How long a page's poll token lasts; an expired one makes the page draw itself again (through
# the ordinary view and its checks), which brings a new one.
TOKEN_SECONDS = 600
_TOKEN_SALT = "tickets.live.poll"


def _key(name: str) -> str:
    return cache.make_key(f"live:{name}")


@dataclass(frozen=True)
class TicketBeat:
    version: int | None  # None: Redis has not heard of a change since it started
    viewers: tuple[str, ...]
    typing: tuple[str, ...]

    @property
    def presence(self) -> str:
        """A short fingerprint of who is on the page, so an unchanged one answers 204."""
        text = "|".join(self.viewers) + "#" + "|".join(self.typing)
        return hashlib.blake2s(text.encode(), digest_size=6).hexdigest()


def _member(user: Any) -> str:
    # The id keeps two people of one name apart; the name is what the page shows.
    return f"{user.pk}:{user}"


def poll_token(*, user: Any, number: str) -> str:
    """What the ticket page polls with: `user` (desk staff, checked by the view that drew
    the page) on `number`, signed and dated."""
    return signing.dumps([_member(user), number], salt=_TOKEN_SALT)


def poll_token_member(token: str, *, number: str) -> str | None:
    """The person a token was given to for `number`, or None (forged, another ticket's,
    expired)."""
    try:
        member, signed_number = signing.loads(token, salt=_TOKEN_SALT, max_age=TOKEN_SECONDS)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return member if signed_number == number else None


def _names(members: list[bytes], *, without: str) -> tuple[str, ...]:
    return tuple(sorted(m.decode().split(":", 1)[1] for m in members if m.decode() != without))


def ticket_beat(*, number: str, member: str, typing: bool) -> TicketBeat | None:
    """Record `member` (poll_token_member) on `number`'s page (and typing a reply), and read
    what the page needs; None when Redis cannot answer."""
    client = redis_client()
    if client is None:
        return None
    now = time.time()
    me = member
    viewing, typists, version = _key(f"p:{number}"), _key(f"w:{number}"), _key(f"v:{number}")
    try:
        pipe = client.pipeline(transaction=False)
        pipe.zadd(viewing, {me: now})
        pipe.expire(viewing, VIEWING_SECONDS * 4)
        if typing:
            pipe.zadd(typists, {me: now})
            pipe.expire(typists, TYPING_SECONDS * 4)
        else:
            pipe.zrem(typists, me)
        pipe.zscore(version, "v")
        pipe.zrangebyscore(viewing, now - VIEWING_SECONDS, "+inf")
        pipe.zrangebyscore(typists, now - TYPING_SECONDS, "+inf")
        *_, score, viewers, typers = pipe.execute()
    except RedisError as error:
        redis_failed(f"live beat of {number}", error)
        return None
    return TicketBeat(
        version=None if score is None else int(score),
        viewers=_names(viewers, without=me),
        typing=_names(typers, without=me),
    )


def ticket_leave(*, number: str, user: Any) -> None:
    """The agent closed the page: off the viewers at once rather than after VIEWING_SECONDS."""
    client = redis_client()
    if client is None:
        return
    me = _member(user)
    try:
        pipe = client.pipeline(transaction=False)
        pipe.zrem(_key(f"p:{number}"), me)
        pipe.zrem(_key(f"w:{number}"), me)
        pipe.execute()
    except RedisError as error:
        redis_failed(f"live leave of {number}", error)


def ticket_changed(*, ticket_id: int, number: str, version: int) -> None:
    """Tell open pages and queues that the ticket changed (called once the write commits)."""
    client = redis_client()
    if client is None:
        return
    now = time.time()
    changed = _key("changed")
    try:
        pipe = client.pipeline(transaction=False)
        pipe.zadd(_key(f"v:{number}"), {"v": version}, gt=True)
        pipe.expire(_key(f"v:{number}"), VERSION_KEEP_SECONDS)
        pipe.zadd(changed, {str(ticket_id): now})
        pipe.zremrangebyscore(changed, "-inf", now - CHANGED_KEEP_SECONDS)
        pipe.expire(changed, CHANGED_KEEP_SECONDS)
        pipe.execute()
    except RedisError as error:
        redis_failed(f"live change of {number}", error)


def ticket_saved(sender, instance, **kwargs) -> None:
    """post_save of Ticket: every write saves the ticket with its version bumped."""
    ticket_id, number, version = instance.pk, instance.number, instance.version
    transaction.on_commit(
        lambda: ticket_changed(ticket_id=ticket_id, number=number, version=version)
    )


@dataclass(frozen=True)
class Changed:
    ticket_ids: tuple[int, ...]
    more: bool  # more changed than were read, or the page is older than what is kept


def changed_since(since: float) -> Changed | None:
    """The tickets changed after `since` (a Unix time); None when Redis cannot answer."""
    client = redis_client()
    if client is None:
        return None
    try:
        members: list[bytes] = cast(
            list[bytes],
            client.zrangebyscore(
                _key("changed"), f"({since}", "+inf", start=0, num=CHANGED_READ_LIMIT
            ),
        )
    except RedisError as error:
        redis_failed("live changes", error)
        return None
    return Changed(
        ticket_ids=tuple(int(m) for m in members),
        more=len(members) >= CHANGED_READ_LIMIT or since < time.time() - CHANGED_KEEP_SECONDS,
    )
