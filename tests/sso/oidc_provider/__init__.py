"""A tiny OpenID Connect provider for the single sign-on tests: django-oauth-toolkit with OIDC
on, started by tests/sso/provider.py as its own process on a spare loopback port, with its own
SQLite database, RSA key and users (whose Django groups become the `groups` claim)."""
