"""The Bearer scheme in the OpenAPI schema (drf-spectacular's extension point)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PersonalAccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = "itsm.apitokens.authentication.PersonalAccessTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal access token (made on the API tokens page or with "
                "POST /api/v1/api-tokens/): `Authorization: Bearer itsm_pat_…`. Read-only "
                "tokens are refused (403) on every write; a token only reaches the resources "
                "it was given."
            ),
        }
