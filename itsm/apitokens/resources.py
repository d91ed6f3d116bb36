"""Which API resource an endpoint belongs to: the one place that decides it.

An endpoint's resource follows from the module its view is defined in, so a new viewset in
an app is covered the day it is written, with nothing to register. A view outside every app
listed here belongs to no resource, and no token may call it (refused, never let through).
"""

from rest_framework.permissions import SAFE_METHODS

from itsm.apitokens.choices import TokenResource

# Longest prefix first is not needed: the prefixes do not nest.
_BY_MODULE: dict[str, TokenResource] = {
    "tickets": TokenResource.TICKETS,
    "problems": TokenResource.PROBLEMS,
    "changes": TokenResource.CHANGES,
    "releases": TokenResource.RELEASES,
    "knowledge": TokenResource.KNOWLEDGE,
    "itsm.cmdb": TokenResource.CMDB,
    "itsm.accounts": TokenResource.DIRECTORY,
    "itsm.dashboards": TokenResource.DASHBOARDS,
    "itsm.apitokens": TokenResource.TOKENS,
}
# The schema and its docs describe the API to any token holder: reading them needs no resource.
_EVERY_TOKEN = ("drf_spectacular",)


def resource_of(view: object) -> TokenResource | None:
    """The resource of `view` (a DRF view instance), or None when it is in no resource."""
    module = type(view).__module__
    for prefix, resource in _BY_MODULE.items():
        if module == prefix or module.startswith(prefix + "."):
            return resource
    return None


def open_to_every_token(view: object) -> bool:
    return type(view).__module__.startswith(_EVERY_TOKEN)


def token_refusal(*, scope: str, resources: list[str], view: object, method: str) -> str | None:
    """Why a token of `scope` and `resources` may not call `view` with `method`, or None.

    The token's own user is checked by the view as for any request, so a token never does
    more than its user could; this only narrows it further.
    """
    if open_to_every_token(view):
        return None if method in SAFE_METHODS else "API tokens may only read the schema."
    resource = resource_of(view)
    if resource is None:
        return "This endpoint cannot be used with an API token; sign in instead."
    if resource not in resources:
        return (
            f"This token was not given access to {resource.label.lower()} "
            f"(the “{resource.value}” resource). Make a token that includes it."
        )
    if method not in SAFE_METHODS and scope != "write":
        return (
            "This token is read-only: it may not change anything. "
            "Use a read-and-write token for this."
        )
    return None
