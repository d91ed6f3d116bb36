"""What a personal access token may do (scope) and where (resources)."""

from django.db.models import TextChoices


class TokenScope(TextChoices):
    READ = "read", "Read only"
    WRITE = "write", "Read and write"


class TokenResource(TextChoices):
    """The API's areas a token can be given. Which endpoints belong to which area is decided
    in one place, itsm.apitokens.resources."""

    TICKETS = "tickets", "Incidents, requests, catalog, tasks, approvals, major incidents"
    PROBLEMS = "problems", "Problems"
    CHANGES = "changes", "Changes"
    RELEASES = "releases", "Releases"
    KNOWLEDGE = "knowledge", "Knowledge articles"
    CMDB = "cmdb", "Services and configuration items"
    DIRECTORY = "directory", "People and teams"
    DASHBOARDS = "dashboards", "Dashboards and the desk home"
    TOKENS = "tokens", "API tokens (your own)"


class TokenState(TextChoices):
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"
