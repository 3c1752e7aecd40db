"""Waymark settings: one module, driven by the environment.

Embedded default (no variables set): DEBUG on, SQLite file under ./data, loopback only.
Production (`WAYMARK_ENV=production`): every unsafe value refuses to start with a message
naming the variable.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("WAYMARK_DATA_DIR", BASE_DIR / "data"))


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


WAYMARK_ENV = os.environ.get("WAYMARK_ENV", "development")
if WAYMARK_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"WAYMARK_ENV must be development, test or production, not {WAYMARK_ENV!r}")
PRODUCTION = WAYMARK_ENV == "production"

DEBUG = _env_bool("DEBUG", default=not PRODUCTION)

_DEV_SECRET = "dev-only-insecure-secret-key-never-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]

_sqlite_default = f"sqlite:///{DATA_DIR / 'waymark.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL", "" if PRODUCTION else _sqlite_default)

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off when WAYMARK_ENV=production")
    if len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET or SECRET_KEY.startswith("dev-"):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters in production"
        )
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list this node's host names in production")
    if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production")

if DATABASE_URL.startswith("sqlite"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the workers read while one writes; wait rather than fail.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    # Keep each thread's connection between requests, as for PostgreSQL: a new SQLite connection
    # re-reads the schema and re-runs the pragmas (about a millisecond on every exchange request).
    # WAL readers hold no lock between transactions, so an idle connection blocks nobody.
    DATABASES["default"]["CONN_MAX_AGE"] = _env_int("WAYMARK_SQLITE_CONN_MAX_AGE", 60)

INSTALLED_APPS = [
    "waymark.accounts.admin_config.WaymarkAdminConfig",  # django.contrib.admin, node administrators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves the API docs page's assets locally (no CDN)
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",  # lock-out after failed logins (waymark.accounts.lockout)
    "csp",  # the Content-Security-Policy header (middleware below)
    "waymark.accounts",
    "waymark.cases",
    "waymark.policy",
    "waymark.audit",
    "waymark.vault",
    "waymark.exchange",
    "waymark.continuity",
    "waymark.missing",
    "waymark.matching",
    "waymark.police",
    "waymark.hotline",
]
if not PRODUCTION:
    # make run / make network: manage.py exchange_demo. Never installed on a production node.
    INSTALLED_APPS.append("waymark.devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "waymark.vault.service.KeyCacheMiddleware",  # one unwrap per child per request
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "waymark.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: turns a locked-out login into the lock-out page (429).
    "axes.middleware.AxesMiddleware",
    # A case refused for the current purpose that the user could open under another: say so (403).
    "waymark.cases.middleware.RefusalMiddleware",
]

# The exchange listener (``gunicorn_tls``, mutual TLS, set in its own process) serves the peer
# inbox and nothing else; the web listener serves people (and, outside production, the inbox).
WAYMARK_EXCHANGE_LISTENER = _env_bool("WAYMARK_EXCHANGE_LISTENER", False)
ROOT_URLCONF = "waymark.exchange.urls_listener" if WAYMARK_EXCHANGE_LISTENER else "waymark.urls"
WSGI_APPLICATION = "waymark.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "waymark" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "waymark.context_processors.waymark",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a username locked out from this address before any password is checked.
    "waymark.accounts.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

if WAYMARK_ENV == "test":
    # Tests create many users; a slow hash buys nothing there. Never used outside the test suite.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("fr", _("French")),
    ("it", _("Italian")),
]
LOCALE_PATHS = [BASE_DIR / "waymark" / "locale"]
# Languages the child's access report speaks (draft texts, waymark/audit/phrases_draft.py) that
# Django's language table lacks: declared so that get_language_info() names them and knows their
# direction. They are not interface languages (not in LANGUAGES).
EXTRA_LANG_INFO = {
    "prs": {"bidi": True, "code": "prs", "name": "Dari", "name_local": "دری"},
    "ps": {"bidi": True, "code": "ps", "name": "Pashto", "name_local": "پښتو"},
    "ti": {"bidi": False, "code": "ti", "name": "Tigrinya", "name_local": "ትግርኛ"},
}
LANG_INFO.update(EXTRA_LANG_INFO)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Day-month-year dates in English too (Django's "en" is American): waymark/formats/en/.
FORMAT_MODULE_PATH = ["waymark.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "waymark" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("WAYMARK_MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Upload limits: a photo is at most 5 MB; the whole request at most 10 MB.
WAYMARK_MAX_PHOTO_BYTES = _env_int("WAYMARK_MAX_PHOTO_BYTES", 5 * 1024 * 1024)
# ... and at most 25 megapixels once decoded (about 75 MB of memory while it is re-encoded):
# a few kilobytes of PNG can declare gigapixels (a decompression bomb).
WAYMARK_MAX_PHOTO_PIXELS = _env_int("WAYMARK_MAX_PHOTO_PIXELS", 25_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Sessions expire: two hours of inactivity and on browser close.
SESSION_COOKIE_AGE = _env_int("WAYMARK_SESSION_SECONDS", 2 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): everything from this node only, no inline script, no
# inline style, no plugins, no framing. Pages keep their JavaScript in static files (htmx, and
# allauth's and the API docs' own scripts) and their styles in site.css; a test fails on any
# inline <script>, on*= handler or style= attribute in the templates. The TOTP set-up page shows
# its QR code as a data: image, hence img-src data:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = [
        o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
    ]

# The node's display identity; the exchange issue gives it keys.
WAYMARK_NODE_NAME = os.environ.get("WAYMARK_NODE_NAME", "Waymark demo node")
# Demo data is fictional; the UI shows a banner while it is loaded.
WAYMARK_DEMO = _env_bool("WAYMARK_DEMO", not PRODUCTION)
WAYMARK_PAGE_SIZE = 25

# The missing-child response (docs/missing.md): the protocol files (one YAML per country or
# organisation), validated at start; overdue steps are mailed with Django's mail (the console
# in development: set EMAIL_BACKEND / EMAIL_HOST for a real relay).
WAYMARK_PROTOCOLS_DIR = Path(
    os.environ.get("WAYMARK_PROTOCOLS_DIR", BASE_DIR / "waymark" / "missing" / "protocols")
)
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "waymark@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- per-app settings below: one block per app, each headed by the app's name ----------------

# --- vault ---
# Special categories are sealed with a per-child data key, wrapped by the node's key-encryption
# key (KEK). The KEK comes from the environment variable WAYMARK_KEK (read by waymark.vault.keys
# and never copied into settings, so no settings dump shows it) or from this file, mode 0600:
# "<version>:<base64 of 32 bytes>" per line. Outside production a missing file is created on
# first use; production refuses to start without one (a key nobody backed up would make every
# sealed record unreadable after a move). Keep the key apart from database backups.
WAYMARK_KEK_FILE = Path(os.environ.get("WAYMARK_KEK_FILE", DATA_DIR / "keys" / "kek"))
WAYMARK_KEK_AUTOCREATE = not PRODUCTION
if PRODUCTION and not os.environ.get("WAYMARK_KEK") and not WAYMARK_KEK_FILE.is_file():
    raise ImproperlyConfigured(
        "WAYMARK_KEK (base64 of 32 random bytes) or WAYMARK_KEK_FILE (an existing key file, "
        "mode 0600) must be set in production: the vault cannot seal or open special categories"
    )

# --- audit ---
# The node's audit signing key (Ed25519, PEM) and pseudonym key (HMAC-SHA256) are files created
# on first use (mode 0600), never database rows. Back them up apart from the database: without the
# pseudonym key no access report can find a child's entries; without the signing key's public half
# old checkpoints cannot be checked.
WAYMARK_AUDIT_KEY_FILE = Path(
    os.environ.get("WAYMARK_AUDIT_KEY_FILE", DATA_DIR / "keys" / "audit-signing.pem")
)
WAYMARK_PSEUDONYM_KEY_FILE = Path(
    os.environ.get("WAYMARK_PSEUDONYM_KEY_FILE", DATA_DIR / "keys" / "pseudonym.key")
)
# The log's name, the first line of every signed checkpoint (C2SP tlog-checkpoint "origin") and
# the name of its signing key, so no spaces and no "+" (C2SP signed-note key names).
WAYMARK_AUDIT_ORIGIN = os.environ.get(
    "WAYMARK_AUDIT_ORIGIN",
    "waymark/" + "-".join(WAYMARK_NODE_NAME.lower().split()).replace("+", "-") + "/audit",
)
if not WAYMARK_AUDIT_ORIGIN or any(c.isspace() or c == "+" for c in WAYMARK_AUDIT_ORIGIN):
    raise ImproperlyConfigured("WAYMARK_AUDIT_ORIGIN must be non-empty, without spaces or '+'")
# The dispatcher signs a checkpoint this often when the log grew, and sends the latest to each
# partner node to witness (waymark.exchange.threads.audit_checkpoint). 0 turns it off, outside
# production only (process tests that count every outbox row).
WAYMARK_AUDIT_CHECKPOINT_SECONDS = _env_int("WAYMARK_AUDIT_CHECKPOINT_SECONDS", 600)
_CHECKPOINT_MIN_SECONDS = 1 if PRODUCTION else 0
if WAYMARK_AUDIT_CHECKPOINT_SECONDS < _CHECKPOINT_MIN_SECONDS:
    raise ImproperlyConfigured(
        "WAYMARK_AUDIT_CHECKPOINT_SECONDS must be at least 1"
        + (" in production: partners witness this node's log" if PRODUCTION else " (or 0: off)")
    )

# --- exchange ---------------------------------------------------------------------------------
# This node's name in the federation registry (e.g. "it-node"). Its keys live in the key folder,
# private keys encrypted with the passphrase (variable, or a file holding it).
WAYMARK_NODE_ID = os.environ.get("WAYMARK_NODE_ID", "local-node")
WAYMARK_EXCHANGE_KEY_DIR = Path(os.environ.get("WAYMARK_EXCHANGE_KEY_DIR", DATA_DIR / "keys"))
WAYMARK_EXCHANGE_PASSPHRASE = os.environ.get("WAYMARK_EXCHANGE_PASSPHRASE", "")
WAYMARK_EXCHANGE_PASSPHRASE_FILE = os.environ.get("WAYMARK_EXCHANGE_PASSPHRASE_FILE", "")
# The registry authority's public key (the trust anchor, a JWK file), and optionally a signed
# registry document loaded whenever it is newer than the stored copy.
WAYMARK_EXCHANGE_REGISTRY_KEY_FILE = os.environ.get("WAYMARK_EXCHANGE_REGISTRY_KEY_FILE", "")
WAYMARK_EXCHANGE_REGISTRY_FILE = os.environ.get("WAYMARK_EXCHANGE_REGISTRY_FILE", "")
# Plain HTTP between nodes is for loopback demos only; envelopes are signed and encrypted anyway.
WAYMARK_EXCHANGE_ALLOW_HTTP = _env_bool("WAYMARK_EXCHANGE_ALLOW_HTTP", False)
# Delivery: exponential backoff with jitter between these bounds; a claim expires after the
# lease (a killed dispatcher's rows are picked up again); an alert after the threshold.
WAYMARK_EXCHANGE_RETRY_BASE_MS = _env_int("WAYMARK_EXCHANGE_RETRY_BASE_MS", 2000)
WAYMARK_EXCHANGE_RETRY_MAX_MS = _env_int("WAYMARK_EXCHANGE_RETRY_MAX_MS", 10 * 60 * 1000)
WAYMARK_EXCHANGE_LEASE_SECONDS = _env_int("WAYMARK_EXCHANGE_LEASE_SECONDS", 120)
WAYMARK_EXCHANGE_ALERT_AFTER_SECONDS = _env_int("WAYMARK_EXCHANGE_ALERT_AFTER_SECONDS", 15 * 60)
# After a transfer is accepted, the sender keeps a closed, read-only copy of the case this long
# (then ``manage.py vault_apply_retention``, run daily, erases it).
WAYMARK_TRANSFERRED_COPY_RETENTION_DAYS = _env_int("WAYMARK_TRANSFERRED_COPY_RETENTION_DAYS", 365)
WAYMARK_EXCHANGE_TIMEOUT_SECONDS = _env_int("WAYMARK_EXCHANGE_TIMEOUT_SECONDS", 15)
WAYMARK_EXCHANGE_MAX_ENVELOPE_BYTES = _env_int("WAYMARK_EXCHANGE_MAX_ENVELOPE_BYTES", 4 * 1024 * 1024)
# How long a sent envelope stays valid (the receiver refuses it after that).
WAYMARK_EXCHANGE_ENVELOPE_TTL_SECONDS = _env_int("WAYMARK_EXCHANGE_ENVELOPE_TTL_SECONDS", 7 * 24 * 3600)
# Fault injection for the process tests ("kill_after_send"); never honoured in production.
WAYMARK_EXCHANGE_FAULT = "" if PRODUCTION else os.environ.get("WAYMARK_EXCHANGE_FAULT", "")
if PRODUCTION and WAYMARK_EXCHANGE_ALLOW_HTTP:
    raise ImproperlyConfigured("WAYMARK_EXCHANGE_ALLOW_HTTP must be off in production: nodes talk over mTLS")
# The inbox on the web listener (plain HTTP on loopback: make run, make network, the tests). In
# production peers reach it only on the mutual-TLS listener; the web listener answers 404.
WAYMARK_EXCHANGE_INBOX_ON_WEB = _env_bool("WAYMARK_EXCHANGE_INBOX_ON_WEB", not PRODUCTION)
if PRODUCTION and WAYMARK_EXCHANGE_INBOX_ON_WEB:
    raise ImproperlyConfigured(
        "WAYMARK_EXCHANGE_INBOX_ON_WEB must be off in production: the inbox is served on the "
        "mutual-TLS listener only (gunicorn -c python:waymark.exchange.gunicorn_tls)"
    )
# Envelopes that carry no valid signature of a registered node are counted, not logged one by
# one: the first of each window of this many seconds is recorded in full, then one audit entry
# gives the count (per worker process).
WAYMARK_EXCHANGE_UNSIGNED_WINDOW_SECONDS = _env_int("WAYMARK_EXCHANGE_UNSIGNED_WINDOW_SECONDS", 60)

# --- privacy-preserving matching (pprl) -------------------------------------------------------
# The keys partner nodes share under an agreement to encode children for match queries
# (core/pprl.py): a JSON file outside the repository, mode 0600,
# {"<agreement id>": [{"key_id": "...", "secret": "<base64 of ≥ 32 random bytes>"}, ...]}; the
# last key of a list is the current one (rotation: append a key, every node re-encodes). No file:
# this node neither sends nor answers match queries. See docs/matching.md.
WAYMARK_PPRL_KEY_FILE = Path(os.environ.get("WAYMARK_PPRL_KEY_FILE", DATA_DIR / "keys" / "pprl-keys.json"))
# Each partner organisation's query budget, on both sides: per rolling 24 hours and per minute.
WAYMARK_PPRL_DAILY_BUDGET = _env_int("WAYMARK_PPRL_DAILY_BUDGET", 50)
WAYMARK_PPRL_PER_MINUTE = _env_int("WAYMARK_PPRL_PER_MINUTE", 5)
# Candidates at or above this Dice similarity are returned (at most WAYMARK_PPRL_MAX_CANDIDATES).
WAYMARK_PPRL_THRESHOLD = float(os.environ.get("WAYMARK_PPRL_THRESHOLD", "0.7"))
WAYMARK_PPRL_MAX_CANDIDATES = _env_int("WAYMARK_PPRL_MAX_CANDIDATES", 5)
if not 0.0 < WAYMARK_PPRL_THRESHOLD <= 1.0:
    raise ImproperlyConfigured("WAYMARK_PPRL_THRESHOLD must be in (0, 1]")

# --- accounts (allauth) -----------------------------------------------------------------------
# Log in with a username and password, then a second factor (an authenticator app's code, TOTP,
# or a WebAuthn security key) for everyone who has set one up. In production the roles that see
# the most must have one (WAYMARK_REQUIRE_SECOND_FACTOR below): waymark.accounts.middleware sends
# them to the set-up page until they do. Nobody signs
# up: node administrators (or load_federation) create professional accounts. See docs/accounts.md.
ACCOUNT_ADAPTER = "waymark.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "waymark.accounts.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
# No "remember me": the session ends with the browser and after SESSION_COOKIE_AGE idle.
ACCOUNT_SESSION_REMEMBER = False
# Lock-out (django-axes, waymark/accounts/lockout.py, docs/accounts.md): after
# WAYMARK_LOGIN_ATTEMPTS failed passwords for one username from one address, that username is
# refused from that address (even with the right password) for WAYMARK_LOGIN_LOCKOUT_SECONDS; its
# owner elsewhere still gets in. Wrong second-factor codes lock the account's second step, from any
# address (only someone with the password gets that far). The counters are shared by every worker:
# in the database, or in Redis when WAYMARK_REDIS_URL is set.
WAYMARK_LOGIN_ATTEMPTS = _env_int("WAYMARK_LOGIN_ATTEMPTS", 5)
WAYMARK_LOGIN_LOCKOUT_SECONDS = _env_int("WAYMARK_LOGIN_LOCKOUT_SECONDS", 15 * 60)
WAYMARK_REDIS_URL = os.environ.get("WAYMARK_REDIS_URL", "")
if WAYMARK_REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": WAYMARK_REDIS_URL}
    }
AXES_HANDLER = (
    "axes.handlers.cache.AxesCacheHandler"
    if WAYMARK_REDIS_URL
    else "axes.handlers.database.AxesDatabaseHandler"
)
AXES_FAILURE_LIMIT = WAYMARK_LOGIN_ATTEMPTS
AXES_COOLOFF_TIME = dt.timedelta(seconds=WAYMARK_LOGIN_LOCKOUT_SECONDS)
AXES_LOCKOUT_PARAMETERS = "waymark.accounts.lockout.lockout_parameters"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "waymark.accounts.lockout.attempt_username"
AXES_CLIENT_IP_CALLABLE = "waymark.accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "waymark.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True  # a successful login clears that username's failures from that address
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # hammering a locked door does not keep it locked
AXES_DISABLE_ACCESS_LOG = True  # logins are in the audit log already; no second copy of addresses
AXES_ENABLE_ADMIN = False  # waymark.accounts.admin registers the attempts for node administrators only
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "code", "csrfmiddlewaretoken"]
AXES_VERBOSE = False
# allauth's own failed-login limits count in the cache (per process by default); axes replaces them.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
# Behind a reverse proxy every request comes from the proxy: count the proxies you run, or every
# user shares one address (and the lock-out becomes per username again).
ALLAUTH_TRUSTED_PROXY_COUNT = _env_int("WAYMARK_TRUSTED_PROXY_COUNT", 0)

MFA_ADAPTER = "waymark.accounts.adapter.MFAAdapter"
MFA_FORMS = {"authenticate": "waymark.accounts.forms.AuthenticateForm"}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = WAYMARK_NODE_NAME
MFA_TOTP_TOLERANCE = 1  # one 30 s step either side: phones' clocks drift; each code works once
# Accounts are made by node administrators, so an unverified address says nothing about who
# holds the account; without this allauth would refuse to add a factor for such a user.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_PASSKEY_LOGIN_ENABLED = False  # a security key is a second factor here, never the only one
# WebAuthn needs HTTPS, or http://localhost during development. Never in production.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION and _env_bool(
    "WAYMARK_WEBAUTHN_ALLOW_INSECURE_ORIGIN", DEBUG
)
# Who cannot use Waymark before they have a second factor: every role the Cedar policies let read
# special categories or open break-glass, the DPO, the node administrator and admin staff (derived
# from the policies: waymark/policy/reach.py). Always on in production; off by default in
# development and tests (make run, make network, pytest), where every page then says so.
WAYMARK_REQUIRE_SECOND_FACTOR = _env_bool("WAYMARK_REQUIRE_SECOND_FACTOR", PRODUCTION)
if PRODUCTION and not WAYMARK_REQUIRE_SECOND_FACTOR:
    raise ImproperlyConfigured(
        "WAYMARK_REQUIRE_SECOND_FACTOR cannot be turned off in production: the roles that see the "
        "most must log in with a second factor"
    )

# API tokens (manage.py create_api_token) expire after this many days unless issued for fewer,
# and never last longer than the maximum.
WAYMARK_API_TOKEN_DAYS = _env_int("WAYMARK_API_TOKEN_DAYS", 90)
WAYMARK_API_TOKEN_MAX_DAYS = _env_int("WAYMARK_API_TOKEN_MAX_DAYS", 365)

# --- break-glass (policy) ---
# A second person must confirm an emergency opening within this many minutes, or it lapses.
WAYMARK_BREAK_GLASS_CONFIRM_MINUTES = _env_int("WAYMARK_BREAK_GLASS_CONFIRM_MINUTES", 60)
# A confirmed opening ends after this many hours.
WAYMARK_BREAK_GLASS_HOURS = _env_int("WAYMARK_BREAK_GLASS_HOURS", 24)
# On another organisation's child, when no supervisor of that organisation has confirmed after
# this many minutes, its DPO may confirm too.
WAYMARK_BREAK_GLASS_ESCALATE_MINUTES = _env_int("WAYMARK_BREAK_GLASS_ESCALATE_MINUTES", 15)
# At most this many openings per user in 24 hours.
WAYMARK_BREAK_GLASS_PER_DAY = _env_int("WAYMARK_BREAK_GLASS_PER_DAY", 3)
