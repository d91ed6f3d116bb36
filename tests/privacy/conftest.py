import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories.tickets import make_ticket
from tickets import services
from tickets.services.time import time_entry_log


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def rita_history(media, requester, agent, other_requester):
    """Rita raised two tickets, wrote a reply with a file, and watches Omar's ticket."""
    first = make_ticket(
        requester=requester,
        short_description="Laptop fan is loud",
        description="My name is Rita and my laptop screams.",
        files=[SimpleUploadedFile("fan.txt", b"fan noise recording")],
    )
    second = make_ticket(requester=requester, short_description="VPN drops")
    services.comment_add(
        ticket=first,
        author=requester,
        body="Call me on 0171 555 0100.",
        is_public=True,
        files=[SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\nRITA")],
    )
    services.comment_add(ticket=first, author=agent, body="On it, Rita.", is_public=True)
    time_entry_log(ticket=first, agent=agent, minutes=15, note="Phoned Rita")
    omars = make_ticket(requester=other_requester, short_description="Printer")
    omars.watchers.add(requester)
    return {"first": first, "second": second, "omars": omars}
