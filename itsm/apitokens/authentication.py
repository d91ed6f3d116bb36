"""`Authorization: Bearer <token>`: a person's API token, with its scope enforced here.

The scope is checked in the authentication step on purpose: every API view runs it, while
permission classes are chosen view by view (and some views replace the default). So a
read-only token is refused on every unsafe method, and a token without a resource on every
endpoint of that resource, whatever permission classes a view declares. The view's own
permission checks then apply to the token's user as to a signed-in one: a token never does
more than its user could.

`Token <key>` is accepted too: the keys of the retired all-powerful tokens were turned into
personal access tokens by a migration (0002), so scripts using them keep working until those
expire.
"""

from django.utils import timezone
from django.utils.formats import date_format
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from itsm.apitokens.models import PersonalAccessToken
from itsm.apitokens.resources import token_refusal
from itsm.apitokens.selectors import token_for_secret
from itsm.apitokens.services import token_note_use

KEYWORDS = (b"bearer", b"token")


class PersonalAccessTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as `Authorization: Bearer <token>`, with no spaces in it."
            )
        try:
            secret = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("That is not a valid API token.") from None
        token = token_for_secret(secret=secret)
        self._refuse_unusable(token)
        assert token is not None
        view = (request.parser_context or {}).get("view")
        refusal = token_refusal(
            scope=token.scope, resources=token.resources, view=view, method=request.method
        )
        if refusal:
            raise exceptions.PermissionDenied(refusal)
        token_note_use(token=token, address=request.META.get("REMOTE_ADDR"))
        return token.owner, token

    @staticmethod
    def _refuse_unusable(token: PersonalAccessToken | None) -> None:
        if token is None:
            raise exceptions.AuthenticationFailed("That is not a valid API token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This API token was revoked.")
        if token.expires_at <= timezone.now():
            when = date_format(timezone.localtime(token.expires_at), "DATE_FORMAT")
            raise exceptions.AuthenticationFailed(
                f"This API token expired on {when}; make a new one."
            )
        if not token.owner.is_active:
            raise exceptions.AuthenticationFailed("The account of this API token is disabled.")

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'
