"""Settings for the ITSM platform: one module, everything from the environment.

Every variable is listed in `.env.example` with its default and meaning. Run-time policy that
administrators change (priority matrix, SLA policies, reopen window) is data in models, not here.
"""

from pathlib import Path

import environ
import ldap
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django_auth_ldap.config import LDAPSearch

from itsm.beat_schedule import beat_schedule
from itsm.core.redis_client import celery_urls, parse_sentinels
from itsm.sso.config import ldap_connection_options, ldap_group_type, oidc_apps_from_env

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; a missing file is silent


def env_secret(name: str, default: str | None = None) -> str | None:
    """Read a secret from NAME, or from the file named by NAME_FILE (docker/k8s secrets)."""
    file_path = env.str(f"{name}_FILE", default="")
    if file_path:
        return Path(file_path).read_text().strip()
    return env.str(name, default=default)


# --- Core ---
DEV_SECRET_KEY = "dev-only-secret-key-not-for-production-0123456789-abcdefghijklmnop"
DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env_secret("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false (see .env.example).")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("ITSM_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    # Sign-in (allauth: accounts, MFA, the "your sessions" list; social providers are configured
    # by the single sign-on block) and brute-force lockout (axes).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    "axes",
    # platform
    "itsm.core",
    "itsm.accounts",
    "itsm.audit",
    "itsm.cmdb",
    "itsm.calendars",
    "itsm.notifications",
    "itsm.idempotency",
    "itsm.apitokens",
    "itsm.portal",
    "itsm.dashboards",
    "itsm.privacy",
    # processes; dependencies point one way:
    # knowledge <- tickets <- problems <- changes <- releases
    "knowledge",
    "tickets",
    "problems",
    "changes",
    "releases",
]

MIDDLEWARE = [
    # The ticket page's poll, answered from Redis before anything else runs (tickets/live.py).
    "tickets.views.live.LivePollMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every answer (# --- Browser policies ---).
    "itsm.core.csp.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Before the session: where a request's reads go (itsm/core/db_router.py).
    "itsm.core.db_router.ReplicaMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "itsm.accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages (each says why it sent the person elsewhere), before any view: an expired
    # session ends, then a person who must have a second factor is sent to set one up.
    "itsm.accounts.middleware.SessionLifetimeMiddleware",
    "itsm.accounts.middleware.MfaRequiredMiddleware",
    # After the user is known, so its 400 page shows the person's own navigation.
    "itsm.core.middleware.RejectNulInQueryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Turns a locked-out sign-in into the ordinary refusal (itsm.accounts.lockout).
    "axes.middleware.AxesMiddleware",
    # Last, so its process_exception sees a view's refusal first: itsm/core/refusals.py.
    "itsm.core.refusals.RefusalMiddleware",
]

ROOT_URLCONF = "itsm.urls"
WSGI_APPLICATION = "itsm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # {{ csp_nonce }} for the few inline <script> blocks (Swagger UI's start-up).
                "django.template.context_processors.csp",
                "itsm.core.context_processors.platform",
                "tickets.major.context_processors.desk_major_banner",
                "tickets.major.context_processors.portal_major_banner",
            ],
            # In every template: the product's date formats (`when`, `day`, `duration`), form
            # fields (`field_row`), and `{% url %}` answered from memory (itsm/core/reversing.py).
            "builtins": [
                "itsm.core.templatetags.dates",
                "itsm.core.templatetags.fields",
                "itsm.core.templatetags.urls",
            ],
        },
    },
]
# Plain inputs and textareas drawn in Python (itsm/core/widgets.py): the same markup as
# Django's templates, at a fraction of their cost on pages with many forms (the ticket page).
FORM_RENDERER = "itsm.core.widgets.FastFormRenderer"

# --- Database ---
# PostgreSQL only: the schema uses sequences, full-text search, partial indexes and SKIP LOCKED.
DATABASE_URL = env.str("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/itsm")
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://…).")

# >>> replica block (h-replicas): streaming replicas for the reads that tolerate a little lag
# (itsm/core/db_router.py, README "Several machines"). Comma-separated; empty = none.
DATABASE_REPLICA_URLS = env.list("DATABASE_REPLICA_URLS", default=[])
for _n, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _replica = env.db_url_config(_url)
    if _replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS must point at PostgreSQL replicas.")
    _replica["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    _replica["CONN_HEALTH_CHECKS"] = True
    # A replica that does not answer costs a page this long once, then it is skipped.
    _replica.setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "ITSM_REPLICA_CONNECT_TIMEOUT", default=1
    )
    # Tests read the test database through the replica alias, never a copy of their own.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_n}"] = _replica
DATABASE_ROUTERS = ["itsm.core.db_router.ReplicaRouter"]
# Seconds a person's reads stay on the primary after they wrote (read-your-writes).
ITSM_REPLICA_STICKY_SECONDS = env.int("ITSM_REPLICA_STICKY_SECONDS", default=5)
# A replica further behind than this is skipped until it catches up.
ITSM_REPLICA_MAX_LAG_SECONDS = env.float("ITSM_REPLICA_MAX_LAG_SECONDS", default=10.0)
# How often each process asks a replica its lag; how long an unreachable one is skipped.
ITSM_REPLICA_CHECK_SECONDS = env.float("ITSM_REPLICA_CHECK_SECONDS", default=2.0)
ITSM_REPLICA_DOWN_SECONDS = env.float("ITSM_REPLICA_DOWN_SECONDS", default=5.0)
# <<< replica block
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache ---
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
# Redis Sentinel (README "Redis with Sentinel"): with sentinels set, the cache, the Celery
# broker and results and the health checks ask them for the master named
# REDIS_SENTINEL_MASTER; REDIS_URL then gives only the database number and the password.
REDIS_SENTINELS = env.list("REDIS_SENTINELS", default=[])
REDIS_SENTINEL_MASTER = env.str("REDIS_SENTINEL_MASTER", default="mymaster")
try:
    _REDIS_SENTINEL_ADDRESSES = parse_sentinels(REDIS_SENTINELS)
except ValueError as _error:
    raise ImproperlyConfigured(str(_error)) from None
_CACHE_SENTINEL_OPTIONS = (
    {
        "pool_class": "itsm.core.redis_client.SentinelMasterPool",
        "sentinels": _REDIS_SENTINEL_ADDRESSES,
        "sentinel_master": REDIS_SENTINEL_MASTER,
    }
    if _REDIS_SENTINEL_ADDRESSES
    else {}
)
CACHES = {
    "default": {
        "BACKEND": "itsm.core.cache.ReusingRedisCache",
        "LOCATION": REDIS_URL,
        # Cached lists hold database ids (SLA policies, choice lists): two databases sharing
        # one Redis (staging beside production, a bench beside a dev server) must not read
        # each other's.
        "KEY_PREFIX": env.str("ITSM_CACHE_PREFIX", default=f"itsm:{DATABASES['default']['NAME']}"),
        # A cache outage or a frozen Redis must cost a page tens of milliseconds, never hang
        # it: itsm.core.cache computes the value instead (DESIGN §11).
        "OPTIONS": {
            "socket_connect_timeout": env.float("ITSM_CACHE_TIMEOUT", default=0.05),
            "socket_timeout": env.float("ITSM_CACHE_TIMEOUT", default=0.05),
            **_CACHE_SENTINEL_OPTIONS,
        },
    }
}

# --- Auth ---
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out account or address before any password is checked.
# Then the permissions (each person's roles and permissions kept in the cache between
# requests: itsm/accounts/access.py; it checks no password), allauth's e-mail sign-in, and the
# directory (inactive unless LDAP_SERVER_URI is set; local passwords are tried first).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "itsm.accounts.access.CachedPermissionsBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "itsm.sso.ldap.DirectoryBackend",
]

# --- Sign-in (django-allauth) ---
# https://docs.allauth.org/en/latest/account/configuration.html
# E-mail is the login; accounts are made by administrators, the desk's mail channel and single
# sign-on, never by a public sign-up (itsm.accounts.adapter).
ACCOUNT_ADAPTER = "itsm.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
# A password reset asked for an unknown address sends nothing (and answers the same page).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Shared desk PCs: the session cookie ends with the browser; the server ends it sooner
# (ITSM_SESSION_IDLE_SECONDS, SESSION_COOKIE_AGE).
ACCOUNT_SESSION_REMEMBER = False
# The password change keeps this session and ends every other one (usersessions' list and
# Django's session hash both drop them).
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGOUT_ON_GET = False
# allauth's counter of failed sign-ins guards the second-factor codes only (5 wrong codes in
# 5 minutes per person, 10 a minute per address): passwords are axes' (one lockout, one
# message), so itsm.accounts.adapter leaves them out of it.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""

# --- MFA (allauth.mfa) ---
# https://docs.allauth.org/en/latest/mfa/configuration.html
MFA_ADAPTER = "itsm.accounts.adapter.MfaAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = env.str("ITSM_MFA_TOTP_ISSUER", default="ITSM Service Desk")
# Passkeys need https, except on a developer's plain-http machine (`make run`).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or env.bool("ITSM_INSECURE_HTTP", default=False)
# Who must use a second factor before reaching the product: "staff" (every role but
# requester), "everyone" or "none". Production (DEBUG false) defaults to "staff".
ITSM_MFA_REQUIRED_FOR = env.str("ITSM_MFA_REQUIRED_FOR", default="none" if DEBUG else "staff")
if ITSM_MFA_REQUIRED_FOR not in {"staff", "everyone", "none"}:
    raise ImproperlyConfigured("ITSM_MFA_REQUIRED_FOR must be staff, everyone or none.")

# --- Brute force (django-axes) ---
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
# Failed sign-ins are counted per account (the e-mail typed, known or not) and, separately,
# per address; at ITSM_SIGNIN_FAILURE_LIMIT failures that account or address is refused,
# with the same answer as a wrong password, until the cool-off passes or an administrator
# unlocks it (admin "Access attempts", or the user's admin page).
AXES_FAILURE_LIMIT = env.int("ITSM_SIGNIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("ITSM_SIGNIN_LOCKOUT_HOURS", default=0.25)  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "itsm.accounts.lockout.signin_username"
AXES_LOCKOUT_CALLABLE = "itsm.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# A locked account stays locked for the cool-off from its lockout, not from the latest try.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# The address counted is the connection's. Behind ITSM_PROXY_COUNT reverse proxies it is the
# X-Forwarded-For entry they added; never a header a client could make up to dodge the count.
ITSM_PROXY_COUNT = env.int("ITSM_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "itsm.accounts.lockout.client_ip"

# --- Sessions ---
# Absolute lifetime: a session ends this long after sign-in however busy it is; idle
# timeout: it ends after this long without a request (itsm.accounts.middleware).
SESSION_COOKIE_AGE = env.int("ITSM_SESSION_MAX_SECONDS", default=12 * 3600)
ITSM_SESSION_IDLE_SECONDS = env.int("ITSM_SESSION_IDLE_SECONDS", default=30 * 60)
# allauth's "your sessions" list keeps each session's address and browser; "last seen" is written
# by itsm.accounts.middleware once a minute at most (allauth's tracking writes on every request).
USERSESSIONS_TRACK_ACTIVITY = False

# --- Single sign-on: allauth base, OpenID Connect and LDAP (itsm/sso, README "Single sign-on") ---
# The allauth apps, middleware, backends and account settings are in the sign-in blocks above.
INSTALLED_APPS += [
    "allauth.socialaccount.providers.openid_connect",
    "itsm.sso",
]
MIDDLEWARE += [
    # An identity provider that cannot be reached answers with a message on the sign-in page.
    "itsm.sso.middleware.ProviderUnreachableMiddleware",
]
SOCIALACCOUNT_ADAPTER = "itsm.sso.adapter.SsoAdapter"
# People come from the company's identity provider: create their account on first sign-in
# without a form, and trust the provider's e-mail address (it is the company's directory).
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("ITSM_OIDC_TIMEOUT", default=5)
# ITSM_OIDC_PROVIDERS: a JSON list of providers (Entra ID, Okta, Keycloak, Google…), each
# {"id", "name", "server_url", "client_id", "secret" (or ITSM_OIDC_<ID>_SECRET[_FILE]),
#  "groups_claim" (default "groups"), "role_map" {"group": "Role" or ["Role", …]}}.
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": oidc_apps_from_env(env.json("ITSM_OIDC_PROVIDERS", default=[]), env_secret),
    }
}
# LDAP / Active Directory through django-auth-ldap (its AUTH_LDAP_* settings, from LDAP_*).
# An empty LDAP_SERVER_URI turns directory sign-in off.
AUTH_LDAP_SERVER_URI = env.str("LDAP_SERVER_URI", default="")
AUTH_LDAP_BIND_DN = env.str("LDAP_BIND_DN", default="")
AUTH_LDAP_BIND_PASSWORD = env_secret("LDAP_BIND_PASSWORD", "")
# %(user)s is what the person typed in "Email address" (AD: (userPrincipalName=%(user)s)).
AUTH_LDAP_USER_SEARCH = LDAPSearch(
    env.str("LDAP_USER_SEARCH_BASE", default=""),
    ldap.SCOPE_SUBTREE,
    env.str("LDAP_USER_FILTER", default="(mail=%(user)s)"),
)
AUTH_LDAP_GROUP_TYPE, _ldap_group_filter = ldap_group_type(
    env.str("LDAP_GROUP_TYPE", default="groupOfNames")
)
AUTH_LDAP_GROUP_SEARCH = LDAPSearch(
    env.str("LDAP_GROUP_SEARCH_BASE", default=""),
    ldap.SCOPE_SUBTREE,
    env.str("LDAP_GROUP_FILTER", default=_ldap_group_filter),
)
AUTH_LDAP_START_TLS = env.bool("LDAP_START_TLS", default=False)
AUTH_LDAP_USER_ATTR_MAP = {
    "email": env.str("LDAP_ATTR_EMAIL", default="mail"),
    "display_name": env.str("LDAP_ATTR_NAME", default="cn"),
}
AUTH_LDAP_ALWAYS_UPDATE_USER = True
AUTH_LDAP_CONNECTION_OPTIONS = ldap_connection_options(
    timeout=env.float("LDAP_TIMEOUT", default=5.0), ca_file=env.str("LDAP_CA_FILE", default="")
)
# {"group name or DN": "Role" or ["Role", …]}: roles given and taken on every sign-in.
ITSM_LDAP_ROLE_MAP = env.json("ITSM_LDAP_ROLE_MAP", default={})

# --- Internationalisation ---
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español")]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end libraries come from npm (package-lock.json) and are served from node_modules.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/pico", NODE_MODULES / "@picocss" / "pico" / "css"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

# --- Email ---
# EMAIL_URL (smtp://user:pass@host:587/?tls=True, consolemail://) becomes Django 6.1's MAILERS.
# dbmail:// keeps every message for administrators to read at /admin/notifications/sentmail/
# and logs one line per message (what `make run` uses).
environ.Env.EMAIL_SCHEMES["dbmail"] = "itsm.notifications.mail.DatabaseEmailBackend"
_email = env.email_url("EMAIL_URL", default="consolemail://")
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER") or None,
    "password": _email.get("EMAIL_HOST_PASSWORD") or None,
    "use_tls": bool(_email.get("EMAIL_USE_TLS")),
    "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
    "timeout": env.int("EMAIL_TIMEOUT", default=10),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": _smtp_options if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Service Desk <servicedesk@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security (production) ---
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The product as users get it, on plain http on a developer's machine (`make run`): no
# redirect to https, no HSTS, cookies that travel over http. Never set it in production;
# `manage.py check --deploy` then warns about exactly these settings.
ITSM_INSECURE_HTTP = env.bool("ITSM_INSECURE_HTTP", default=False)
if not DEBUG:
    _https = not ITSM_INSECURE_HTTP
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_https)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if _https else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
    SECURE_HSTS_PRELOAD = _https
    SESSION_COOKIE_SECURE = _https
    CSRF_COOKIE_SECURE = _https
    if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Browser policies: Content-Security-Policy, Permissions-Policy ---
# Strict: scripts and styles only from our own origin (static/), an inline <script> only with
# the request's nonce, no style="" attributes, no eval, no plugins, no framing, forms post
# only to us. data: images are Pico's icons (select arrows, checkboxes) drawn as data: SVG.
# The OpenID Connect providers' origins join form-action at response time (itsm/core/csp.py:
# Chromium checks form-action on the redirect to the provider after the sign-in POST);
# ITSM_CSP_FORM_ACTION adds other origins by hand.
# https://docs.djangoproject.com/en/6.1/ref/csp/
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF, *env.list("ITSM_CSP_FORM_ACTION", default=[])],
}
# Powerful browser features the product never uses are off for every page and any frame;
# passkeys (WebAuthn) stay allowed for our own origin. https://pypi.org/project/django-permissions-policy/
PERMISSIONS_POLICY: dict[str, list[str]] = {
    **{
        feature: []
        for feature in (
            "accelerometer",
            "autoplay",
            "browsing-topics",
            "camera",
            "display-capture",
            "encrypted-media",
            "geolocation",
            "gyroscope",
            "hid",
            "idle-detection",
            "interest-cohort",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "screen-wake-lock",
            "serial",
            "usb",
            "xr-spatial-tracking",
        )
    },
    "fullscreen": ["self"],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
}

# --- REST API ---
# Personal access tokens (itsm.apitokens): an expiry is required, at most this many days away.
ITSM_API_TOKEN_MAX_DAYS = env.int("ITSM_API_TOKEN_MAX_DAYS", default=365)
# The OpenAPI schema and its docs need a signed-in person (or an API token) unless published.
ITSM_PUBLISH_API_SCHEMA = env.bool("ITSM_PUBLISH_API_SCHEMA", default=False)
REST_FRAMEWORK = {
    # Tokens first: its `WWW-Authenticate: Bearer` makes a refused credential 401, not 403.
    # The token class also enforces each token's scope and resources on every endpoint.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "itsm.apitokens.authentication.PersonalAccessTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # On the Redis cache; they let requests through while Redis is down (fail open).
    "DEFAULT_THROTTLE_CLASSES": [
        "itsm.apitokens.throttling.UserThrottle",
        "itsm.apitokens.throttling.AnonThrottle",
    ],
    # DRF's rate syntax: "<requests>/<second|minute|hour|day>".
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("ITSM_API_THROTTLE_USER", default="1200/minute"),
        "anon": env.str("ITSM_API_THROTTLE_ANON", default="60/minute"),
    },
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # Ours refuses NaN, Infinity, 1e400 and deep nesting with 400 (itsm/core/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "itsm.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "itsm.core.api.StandardPagination",
    "PAGE_SIZE": 50,
    # drf-spectacular's, plus the error answers every operation can give.
    "DEFAULT_SCHEMA_CLASS": "itsm.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "itsm.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ITSM API",
    "DESCRIPTION": "Incidents, requests, problems, changes, releases, knowledge and the CMDB.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Signed-in people and tokens only, unless ITSM_PUBLISH_API_SCHEMA (read per request).
    "SERVE_PERMISSIONS": ["itsm.core.permissions.ApiSchemaReader"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # The inbound mail webhooks are django-anymail's (plain Django) views.
        "tickets.mail.schema.add_inbound_webhooks",
    ],
    # Every status-like choice set gets its own schema name (else they collide as "status").
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.choices.TicketStatus",
        "ApprovalStateEnum": "tickets.choices.ApprovalState",
        "TaskStatusEnum": "tickets.choices.TaskStatus",
        "ArticleStatusEnum": "knowledge.choices.ArticleStatus",
        "CiStatusEnum": "itsm.cmdb.choices.CiStatus",
        "ProblemStatusEnum": "problems.choices.ProblemStatus",
        "ChangeStatusEnum": "changes.choices.ChangeRequestStatus",
        "ChangeRiskLevelEnum": "changes.choices.RiskLevel",
        "CabDecisionEnum": "changes.choices.CabDecision",
        "ReleaseStatusEnum": "releases.choices.ReleaseStatus",
        "DeploymentStepStatusEnum": "releases.choices.StepStatus",
        "ChangeRiskImpactEnum": "changes.risk.IMPACT_CHOICES",
        "TicketImpactEnum": "tickets.choices.Impact",
        "TicketUrgencyEnum": "tickets.choices.Urgency",
        "TicketPriorityEnum": "tickets.choices.Priority",
        "ApiTokenStateEnum": "itsm.apitokens.choices.TokenState",
        "ApiTokenScopeEnum": "itsm.apitokens.choices.TokenScope",
        "CannedResponseScopeEnum": "tickets.canned.models.CannedResponseScope",
    },
}

# --- Celery ---
# Broker and results on Redis (different databases so a FLUSHDB of results never drops tasks).
# With REDIS_SENTINELS, both default to `sentinel://` URLs naming every Sentinel (kombu's and
# Celery's Sentinel transports; the master's name goes in the transport options below).
_SENTINEL_BROKER_URL, _SENTINEL_RESULT_URL = celery_urls(REDIS_URL, _REDIS_SENTINEL_ADDRESSES)
CELERY_BROKER_URL = env.str(
    "CELERY_BROKER_URL", default=_SENTINEL_BROKER_URL if REDIS_SENTINELS else REDIS_URL
)
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND",
    default=_SENTINEL_RESULT_URL if REDIS_SENTINELS else REDIS_URL.rsplit("/", 1)[0] + "/1",
)
CELERY_TASK_SERIALIZER = "json"  # ids and plain values only; never pickle
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True  # results only where a caller asks for them
CELERY_RESULT_EXPIRES = 3600
# A task is acknowledged after it ran, so a crashed worker's task is delivered again; every
# task is idempotent for that reason.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis re-delivers an unacknowledged task after the visibility timeout. Two hours is longer
# than any task, ETA or retry back-off we schedule (all kept under 30 minutes), so nothing runs
# twice because of it (DESIGN §9).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 7200,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # Ping a pooled connection idle this long before using it, so a connection that Redis
    # (or a restart) dropped is replaced instead of failing the next command.
    "health_check_interval": 10,
    "socket_keepalive": True,
    # Read by the sentinel:// transport only; plain redis:// ignores it.
    "master_name": REDIS_SENTINEL_MASTER,
}
# Celery's Sentinel result backend passes no timeouts to the Sentinels unless told to.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "master_name": REDIS_SENTINEL_MASTER,
    "sentinel_kwargs": {"socket_timeout": 2, "socket_connect_timeout": 2},
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Web processes: a request never waits on a dead broker. They publish only through
# itsm.notifications.services.dispatch (ITSM_BROKER_PUBLISH_TIMEOUT, no retry) and the outbox
# sweep enqueues what could not be published. This limit covers Celery's own connections in
# a web process (`app.control`, results).
CELERY_BROKER_CONNECTION_MAX_RETRIES = env.int("CELERY_BROKER_CONNECTION_MAX_RETRIES", default=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers and beat: reconnect to the broker forever (back-off 2 s, 4 s, … up to 30 s, each
# attempt logged) and resume consuming when Redis returns; `itsm.celery` applies this when a
# worker or beat starts, never in a web process. A number instead of "forever" makes the
# worker exit after that many failed attempts.
ITSM_WORKER_BROKER_CONNECTION_MAX_RETRIES = env.int(
    "ITSM_WORKER_BROKER_CONNECTION_MAX_RETRIES", default=None
)
# A task running when the broker connection drops keeps running: its acknowledgement is
# lost and Redis redelivers it after the visibility timeout, where the idempotent services
# find it done. Cancelling it (Celery 6's default) would kill a send halfway.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Seconds a request's enqueue may wait on Redis (connect and each command) before leaving
# the rows to the outbox sweep: a frozen Redis costs a request at most two of these.
ITSM_BROKER_PUBLISH_TIMEOUT = env.float("ITSM_BROKER_PUBLISH_TIMEOUT", default=0.15)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES_NAMES = ("default", "sla", "notifications", "mail")
CELERY_TASK_ROUTES = {
    "itsm.notifications.tasks.*": {"queue": "notifications"},
    "tickets.sla.tasks.*": {"queue": "sla"},
    # IMAP polls wait on other servers: their own queue keeps them from delaying the rest.
    "tickets.mail.tasks.*": {"queue": "mail"},
}
CELERY_WORKER_QUEUES = env.list("CELERY_WORKER_QUEUES", default=list(CELERY_TASK_QUEUES_NAMES))
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# How often beat starts the SLA sweep, in seconds.
ITSM_SLA_SWEEP_SECONDS = env.int("ITSM_SLA_SWEEP_SECONDS", default=60)
# How many sweep loops work through a backlog at once (the beat-started sweep plus helpers
# it publishes when its first batch comes back full). Useful up to the number of worker
# processes consuming the `sla` queue; 1 turns the helpers off.
ITSM_SLA_SWEEP_WORKERS = env.int("ITSM_SLA_SWEEP_WORKERS", default=2)

# Worker liveness: beat sends a heartbeat task to every queue this often, the worker that
# runs it (or any other task of that queue) writes the time into PostgreSQL, and /healthz and
# `manage.py worker_alive` call a queue stale when it had no work for ITSM_WORKER_STALE_SECONDS
# (a dead beat, a dead worker, or a worker that stopped consuming).
ITSM_WORKER_HEARTBEAT_SECONDS = env.int("ITSM_WORKER_HEARTBEAT_SECONDS", default=15)
ITSM_WORKER_STALE_SECONDS = env.int("ITSM_WORKER_STALE_SECONDS", default=60)

# How often beat looks for mailboxes to read, in seconds (also the poll interval of each).
ITSM_MAIL_POLL_SECONDS = env.int("ITSM_MAIL_POLL_SECONDS", default=60)

# Celery beat's periodic tasks (itsm/beat_schedule.py).
CELERY_BEAT_SCHEDULE = beat_schedule(
    env,
    queues=CELERY_TASK_QUEUES_NAMES,
    heartbeat_seconds=ITSM_WORKER_HEARTBEAT_SECONDS,
    sla_sweep_seconds=ITSM_SLA_SWEEP_SECONDS,
    mail_poll_seconds=ITSM_MAIL_POLL_SECONDS,
)

# --- Product knobs (ITSM_*) ---
# The desk's notification centre (the bell) keeps each line this many days, read or not.
ITSM_INAPP_KEEP_DAYS = env.int("ITSM_INAPP_KEEP_DAYS", default=90)
# Attachments of tickets closed (or cancelled) more than this many days ago are purged, files
# and rows, by the beat task "privacy-attachment-retention" (itsm/privacy). 0 keeps them forever.
ITSM_RETENTION_ATTACHMENT_DAYS = env.int("ITSM_RETENTION_ATTACHMENT_DAYS", default=0)
ITSM_ATTACHMENT_MAX_BYTES = env.int("ITSM_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ITSM_ATTACHMENT_ALLOWED_TYPES = env.list(
    "ITSM_ATTACHMENT_ALLOWED_TYPES",
    default=[
        ".pdf",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".txt",
        ".log",
        ".csv",
        ".docx",
        ".xlsx",
        ".zip",
    ],
)
# Longest ticket description and comment body, in characters (enforced by the services, so
# portal, desk, API and e-mail share them; long logs belong in an attachment).
ITSM_DESCRIPTION_MAX_CHARS = env.int("ITSM_DESCRIPTION_MAX_CHARS", default=20_000)
ITSM_COMMENT_MAX_CHARS = env.int("ITSM_COMMENT_MAX_CHARS", default=20_000)
ITSM_QUEUE_COUNT_CAP = env.int("ITSM_QUEUE_COUNT_CAP", default=999)
# How long an agent's queue counts are kept (0: counted on every page load).
ITSM_QUEUE_COUNT_SECONDS = env.int("ITSM_QUEUE_COUNT_SECONDS", default=30)
# A notification that failed this many times is marked failed (retried with back-off before).
ITSM_NOTIFICATION_MAX_ATTEMPTS = env.int("ITSM_NOTIFICATION_MAX_ATTEMPTS", default=6)
# The e-mail channel (tickets.mail): the largest message taken, the most files in one, how
# many messages one sender may send in an hour, a CA file for the IMAP servers' certificates
# (empty: the system's), the IMAP timeout and how many messages one poll takes.
ITSM_MAIL_MAX_BYTES = env.int("ITSM_MAIL_MAX_BYTES", default=25 * 1024 * 1024)
ITSM_MAIL_MAX_ATTACHMENTS = env.int("ITSM_MAIL_MAX_ATTACHMENTS", default=50)
ITSM_MAIL_SENDER_LIMIT_PER_HOUR = env.int("ITSM_MAIL_SENDER_LIMIT_PER_HOUR", default=30)
ITSM_MAIL_CA_FILE = env.str("ITSM_MAIL_CA_FILE", default="")
ITSM_MAIL_TIMEOUT_SECONDS = env.int("ITSM_MAIL_TIMEOUT_SECONDS", default=30)
ITSM_MAIL_BATCH = env.int("ITSM_MAIL_BATCH", default=200)
# Inbound mail webhooks from providers (django-anymail, /mail/inbound/<provider>/): the HTTP
# basic-auth "user:password" the provider is given. Empty: the webhooks answer 404 (anymail
# alone would accept anyone's POST).
ANYMAIL = {"WEBHOOK_SECRET": env.str("ITSM_MAIL_WEBHOOK_SECRET", default="")}
# The team told at once when a major incident is declared (with the service desk managers).
ITSM_SERVICE_DESK_TEAM = env.str("ITSM_SERVICE_DESK_TEAM", default="Service Desk")

# --- Logging ---
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
# How long an API create's Idempotency-Key is remembered (itsm/idempotency).
ITSM_IDEMPOTENCY_KEY_HOURS = env.int("ITSM_IDEMPOTENCY_KEY_HOURS", default=24)
ITSM_HEALTH_WORKER_TIMEOUT = env.float("ITSM_HEALTH_WORKER_TIMEOUT", default=1.0)
ITSM_ATTACHMENT_SCANNER = env.str("ITSM_ATTACHMENT_SCANNER", default="")
