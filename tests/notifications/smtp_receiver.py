"""A real SMTP server on loopback (aiosmtpd) that records what it accepted, for delivery tests.

It can misbehave the ways that matter for "at most once": answer a refusal, accept a message
and then stall its reply (the sender dies or times out not knowing), or accept and hang up.
"""

import asyncio
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message

from aiosmtpd.controller import Controller

# aiosmtpd logs every SMTP command at INFO; a failing test should show ours, not those.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SmtpReceiver:
    """`accepted` lists every message the server took (its reply may not have reached the
    sender). `behaviour` applies to the next messages: "accept", "refuse" (451, nothing
    kept), "stall" (keep it, then hold the reply until `release` is set) or "hang_up" (keep
    it and close the connection without a reply)."""

    port: int = 0
    behaviour: str = "accept"
    accepted: list[Message] = field(default_factory=list)
    stalled: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.accepted]

    def wait_for(self, count: int, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while len(self.accepted) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return len(self.accepted) >= count

    async def handle_DATA(self, server, session, envelope) -> str:
        behaviour = self.behaviour
        if behaviour == "refuse":
            return "451 4.3.0 Try again later"
        self.accepted.append(message_from_bytes(envelope.original_content, policy=policy.default))
        if behaviour == "hang_up":
            server.transport.close()
            return "250 OK"
        if behaviour == "stall":
            self.behaviour = "accept"  # only the first message stalls
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return "250 OK"


class _Controller(Controller):
    def __init__(self, receiver: SmtpReceiver) -> None:
        super().__init__(receiver, hostname="127.0.0.1", port=receiver.port, ready_timeout=10)


def start_smtp_receiver() -> tuple[SmtpReceiver, Controller]:
    receiver = SmtpReceiver(port=free_port())
    controller = _Controller(receiver)
    controller.start()
    return receiver, controller
