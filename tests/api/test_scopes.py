"""A token's scope is enforced on every endpoint of the API (issue #20).

The operations come from the OpenAPI schema generated in the test, so an endpoint added later
is covered without touching this file. Each is called three ways by an administrator's tokens
(an administrator may do everything, so any refusal is the token's):
- a read-only token with every resource: every unsafe method is refused (403, "read-only");
- a token with every resource but the endpoint's own: refused (403, names the resource);
- a read-and-write token with only the endpoint's resource: never refused with 403.
"""

import json
import re

import pytest
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator

from itsm.apitokens.choices import TokenResource, TokenScope
from itsm.apitokens.resources import resource_of
from tests.factories.apitokens import bearer, make_token

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
UNSAFE = {"post", "put", "patch", "delete"}


# Endpoints that tokens never open: they authenticate by a secret of their own.
NOT_TOKEN_ENDPOINTS = {"/mail/inbound/{provider}/"}  # the mail provider's webhook secret


def _operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, method)
        for path, item in sorted(schema["paths"].items())
        for method in METHODS
        if method in item and path not in NOT_TOKEN_ENDPOINTS
    ]


def test_only_the_named_endpoints_are_outside_the_api_views():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    outside = {path for path in schema["paths"] if not hasattr(resolve(_url(path)).func, "cls")}
    assert outside == NOT_TOKEN_ENDPOINTS


def _url(path: str) -> str:
    # A path parameter's value does not matter: the token is judged before any record is read.
    return re.sub(r"\{[^}]+\}", "ZZ1", path)


def _resource(url: str) -> TokenResource | None:
    match = resolve(url)
    return resource_of(match.func.cls())


def _call(client, method: str, url: str, secret: str):
    kwargs = {"headers": bearer(secret)}
    if method in UNSAFE:
        kwargs |= {"data": json.dumps({}), "content_type": "application/json"}
    return getattr(client, method)(url, **kwargs)


OPERATIONS = _operations()


def test_every_operation_belongs_to_a_resource():
    unmapped = [(p, m) for p, m in OPERATIONS if _resource(_url(p)) is None]
    assert not unmapped, f"endpoints no token resource covers: {unmapped}"
    assert {_resource(_url(p)) for p, _ in OPERATIONS} == set(TokenResource)


def test_scope_and_resources_are_enforced_on_every_operation(client, admin_user):
    _, read_only = make_token(admin_user, scope=TokenScope.READ, name="read only")
    others = {}
    only = {}
    for resource in TokenResource:
        rest = [r for r in TokenResource.values if r != resource]
        others[resource] = make_token(admin_user, resources=rest, name=f"not {resource}")[1]
        only[resource] = make_token(admin_user, resources=[resource], name=f"only {resource}")[1]

    failures = []
    for path, method in OPERATIONS:
        url = _url(path)
        resource = _resource(url)
        label = f"{method.upper()} {path}"

        if method in UNSAFE:
            answer = _call(client, method, url, read_only)
            if answer.status_code != 403 or "read-only" not in answer.json()["detail"]:
                failures.append(
                    f"{label} read-only token: {answer.status_code} {answer.content[:120]}"
                )

        answer = _call(client, method, url, others[resource])
        if answer.status_code != 403 or f"“{resource}”" not in answer.json()["detail"]:
            failures.append(
                f"{label} wrong-resource token: {answer.status_code} {answer.content[:120]}"
            )

        answer = _call(client, method, url, only[resource])
        if answer.status_code == 403:
            failures.append(f"{label} right token refused: {answer.content[:160]}")

    writes = sum(method in UNSAFE for _, method in OPERATIONS)
    print(
        f"endpoints covered by scope checks: {len(OPERATIONS)} operations "
        f"({writes} writes) on {len({p for p, _ in OPERATIONS})} paths"
    )
    assert not failures, "\n".join(failures)
    assert len(OPERATIONS) > 50


def test_a_token_never_does_more_than_its_user(client, requester, agent):
    """A requester's read-and-write token for everything still meets the requester's limits."""
    _, secret = make_token(requester)
    assert client.get("/api/v1/users/", headers=bearer(secret)).status_code == 403
    assert client.get("/api/v1/problems/", headers=bearer(secret)).status_code == 403
    mine = client.get("/api/v1/incidents/", headers=bearer(secret))
    assert mine.status_code == 200
    _, agents = make_token(agent, scope=TokenScope.READ, resources=["directory"])
    assert client.get("/api/v1/users/", headers=bearer(agents)).status_code == 200


def test_read_only_refusal_says_why(client, agent):
    _, secret = make_token(agent, scope=TokenScope.READ)
    answer = client.post(
        "/api/v1/incidents/", data="{}", content_type="application/json", headers=bearer(secret)
    )
    assert answer.status_code == 403
    assert answer.json()["detail"].startswith("This token is read-only")
    options = client.options("/api/v1/incidents/", headers=bearer(secret))
    assert options.status_code == 200  # OPTIONS and HEAD are reads
