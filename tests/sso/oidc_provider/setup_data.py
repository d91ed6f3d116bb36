"""`python -m tests.sso.oidc_provider.setup_data JSON`: register the product as a client and
create or update users with their groups, in the provider's own database."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.sso.oidc_provider.settings")
django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402


def main(spec: dict) -> None:
    if client := spec.get("client"):
        Application.objects.filter(client_id=client["client_id"]).delete()
        Application.objects.create(
            name="Service desk",
            client_id=client["client_id"],
            client_secret=client["secret"],  # hashed on save
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=client["redirect_uri"],
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
    for person in spec.get("users", []):
        user, _ = User.objects.get_or_create(username=person["username"])
        user.email = person["email"]
        user.first_name, _, user.last_name = person["name"].partition(" ")
        user.set_password(person["password"])
        user.save()
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in person["groups"]])


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
