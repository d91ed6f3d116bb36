"""Single sign-on: OpenID Connect through django-allauth and LDAP/Active Directory through
django-auth-ldap, with the roles of itsm/accounts/roles.py mapped from the groups that the
identity provider or the directory reports (README "Single sign-on")."""
