"""Locust users for the load test (run through bench/load_test.py, which starts the product
and prints the figures): agents working the desk and requesters using the portal, each
signed in with the session bench/load_setup.py made (LOAD_USERS_FILE).

Think times are those of a person at a screen (LOAD_THINK_SCALE multiplies them). Every
write is a real form post with the CSRF token and the version the page showed; a refusal
(400, 409) or a server error counts as a failure, and so does a page that answers 200 with
the wrong content.
"""

import itertools
import json
import os
import random
import re
import threading
from pathlib import Path

from locust import HttpUser, between, events, task
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

VERSION = re.compile(r'name="version" value="(\d+)"')
SCALE = float(os.environ.get("LOAD_THINK_SCALE", "1"))
DESK_TERMS = ["printer", "vpn", "outlook", "zqxjv", "Rita Requester", "password", "laptop"]
PORTAL_TERMS = ["printer", "vpn", "laptop", "zqxjv", '"password expired"']

_people: dict = {}
_next = {"agents": itertools.count(), "requesters": itertools.count()}
_lock = threading.Lock()


@events.init.add_listener
def _load_people(environment, **_kwargs) -> None:
    _people.update(json.loads(Path(os.environ["LOAD_USERS_FILE"]).read_text()))


def _claim(kind: str) -> tuple[int, dict]:
    with _lock:
        index = next(_next[kind]) % len(_people[kind])
    return index, _people[kind][index]


class _Person(HttpUser):
    abstract = True

    def _sign_in(self, person: dict) -> None:
        # No domain: a cookie set for the domain "127.0.0.1" is not sent back to that address.
        self.client.cookies.set(_people["session_cookie"], person["session"])
        # A browser sends a GET again when the kept-alive connection it reused was closed by
        # the server before any answer (gunicorn closes idle ones after `keepalive` seconds,
        # which a person's think time can meet to the millisecond); requests does not. Once,
        # GETs only, as a browser would: a write is never sent twice.
        retry_reset_get = Retry(total=1, connect=1, read=1, status=0, allowed_methods={"GET"})
        self.client.mount("http://", HTTPAdapter(max_retries=retry_reset_get))

    def _get(self, path: str, name: str, *, contains: str = ""):
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif "/accounts/login/" in response.url:
                response.failure("signed out")
            elif contains and contains not in response.text:
                response.failure(f"no {contains!r} on the page")
            return response

    def _post(self, path: str, data: dict, name: str, *, referer: str) -> None:
        data = {**data, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")}
        with self.client.post(
            path,
            data=data,
            name=name,
            headers={"Referer": self.host + referer},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # Each write answers with a redirect to the page it was made on.
            if response.status_code != 302:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]!r}")
            elif "/accounts/login/" in response.headers.get("Location", ""):
                response.failure("signed out")


class Agent(_Person):
    """An agent: the queue, ticket pages, replies and work notes, search, assigning."""

    fixed_count = int(os.environ.get("LOAD_AGENTS", "50"))
    wait_time = between(2 * SCALE, 6 * SCALE)

    def on_start(self) -> None:
        index, person = _claim("agents")
        self._sign_in(person)
        # Each agent works its own slice of the open tickets: two agents replying to the same
        # ticket at once would meet a (correct) "someone else changed this".
        self.tickets = _people["open_tickets"][index :: len(_people["agents"])]

    def _ticket_page(self, number: str):
        return self._get(f"/desk/tickets/{number}/", "agent: ticket page", contains=number)

    @task(4)
    def queue(self) -> None:
        self._get("/desk/tickets/", "agent: queue")

    @task(4)
    def ticket(self) -> None:
        self._ticket_page(random.choice(self.tickets))

    @task(2)
    def reply(self) -> None:
        number = random.choice(self.tickets)
        version = VERSION.search(self._ticket_page(number).text or "")
        if version is None:
            return
        self._post(
            f"/desk/tickets/{number}/reply/",
            {
                "version": version.group(1),
                "body": "Looked at the logs; trying a fix now.",
                "visibility": random.choice(["public", "internal"]),
            },
            "agent: reply",
            referer=f"/desk/tickets/{number}/",
        )

    @task(2)
    def search(self) -> None:
        self._get(f"/desk/tickets/?q={random.choice(DESK_TERMS)}", "agent: search")

    @task(1)
    def assign_to_me(self) -> None:
        number = random.choice(self.tickets)
        version = VERSION.search(self._ticket_page(number).text or "")
        if version is None:
            return
        self._post(
            f"/desk/tickets/{number}/assign/",
            {"version": version.group(1), "to_me": "1"},
            "agent: assign",
            referer=f"/desk/tickets/{number}/",
        )


class Requester(_Person):
    """A requester: the portal home, "my tickets", a ticket, reporting one, searching."""

    fixed_count = int(os.environ.get("LOAD_REQUESTERS", "150"))
    wait_time = between(5 * SCALE, 15 * SCALE)

    def on_start(self) -> None:
        _, person = _claim("requesters")
        self._sign_in(person)
        self.tickets = person["tickets"]

    @task(3)
    def home(self) -> None:
        self._get("/portal/", "portal: home")

    @task(3)
    def my_tickets(self) -> None:
        self._get("/portal/tickets/?show=all", "portal: my tickets")

    @task(3)
    def ticket(self) -> None:
        if not self.tickets:  # a small database: fewer tickets than requesters need
            return
        number = random.choice(self.tickets)
        self._get(f"/portal/tickets/{number}/", "portal: ticket", contains=number)

    @task(1)
    def report(self) -> None:
        self._get("/portal/tickets/report/", "portal: report form")
        self._post(
            "/portal/tickets/report/",
            {
                "short_description": "Printer on floor 3 jams again",
                "description": "Since this morning, every second page.",
                "urgency": "2",
            },
            "portal: create",
            referer="/portal/tickets/report/",
        )

    @task(2)
    def search(self) -> None:
        term = random.choice(PORTAL_TERMS)
        self._get(f"/portal/tickets/?show=all&q={term}", "portal: search")
