"""Masthead settings: one module, every option read from the environment with a demo-friendly default.

Every variable read here is in README.md's configuration table (tests/core/test_configuration.py holds
the two together), and a setting of Masthead's own has its variable's name. A value that cannot be
right anywhere (an unknown name, a number that is not one) is refused here, as the settings load, and
the code that uses it trusts it; a value that is fine for the demo but wrong in production is a system
check (masthead/core/checks.py).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from masthead.payments.billing import parse_tax_rate  # pure: it imports nothing of Django

BASE_DIR = Path(__file__).resolve().parent.parent
MASTHEAD_VAR_DIR = Path(os.environ.get("MASTHEAD_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """Read a whole number of at least ``minimum``; anything else stops the start with the variable's name."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return number


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """Read one of ``choices`` (case-insensitive); anything else stops the start with the variable's name."""
    value = os.environ.get(name, "").strip().lower() or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be {', '.join(choices[:-1])} or {choices[-1]}, not {value!r}")
    return value


def _secret_key(debug: bool) -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if not debug:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    # Development: a key generated once and kept under var/, so sessions survive restarts.
    MASTHEAD_VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = MASTHEAD_VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _secret_key(DEBUG)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off, e.g. news.example.com")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "masthead.core",
    "masthead.publishing",
    "masthead.paywall",
    "masthead.accounts",
    "masthead.subscriptions",
    "masthead.payments",
    "django_tasks_db",
    "masthead.syndication",
    "masthead.insights",
    "masthead.site",
    "masthead.demo",
]

MIDDLEWARE = [
    "masthead.core.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Just below the session: it sees every use of the session, and marks those answers private.
    "masthead.site.middleware.PrivateReaderMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "masthead.site.middleware.PublicationMiddleware",
]

ROOT_URLCONF = "masthead.site.urls"
WSGI_APPLICATION = "masthead.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "masthead.site.context_processors.site",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{MASTHEAD_VAR_DIR / 'masthead.sqlite3'}",
        conn_max_age=env_int("MASTHEAD_DB_CONN_MAX_AGE", 60),
        # Health checks would cost a round trip at the start of every request; a dead connection is
        # replaced at the next request anyway.
        conn_health_checks=False,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let several worker processes share one SQLite file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file (not in-memory) test database, so threads and worker processes in tests share it.
    DATABASES["default"]["TEST"] = {"NAME": str(MASTHEAD_VAR_DIR / "test-masthead.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# Every key Masthead writes to Redis (cache, sessions, meter) starts with this, so sites can share a server.
MASTHEAD_CACHE_PREFIX = os.environ.get("MASTHEAD_CACHE_PREFIX", "masthead")
if REDIS_URL:
    # Sessions are read from Redis (and kept in the database), so a session read is rarely a query.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": MASTHEAD_CACHE_PREFIX,
        }
    }
else:
    # Django's database sessions, whose row is read with one raw query (masthead.accounts.sessions).
    SESSION_ENGINE = "masthead.accounts.sessions"
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Django's ModelBackend, loading the signed-in user of each request with one raw query.
AUTHENTICATION_BACKENDS = ["masthead.accounts.backends.AccountBackend"]

# Per-process memory (masthead.core.memo) for what every request reads and that may lag a few seconds
# behind an edit: site settings, meter rules and the rendered shells of pages (keyed by article version).
MASTHEAD_LOCAL_CACHE_SECONDS = env_int("MASTHEAD_LOCAL_CACHE_SECONDS", 30)
MASTHEAD_LOCAL_CACHE_ENTRIES = 2000

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "accounts:signin"
LOGIN_REDIRECT_URL = "publishing:front"
LOGOUT_REDIRECT_URL = "publishing:front"

LANGUAGE_CODE = os.environ.get("MASTHEAD_LANGUAGE", "en")
LANGUAGES = [("en", "English"), ("ja", "日本語")]
LOCALE_PATHS = [BASE_DIR / "masthead" / "locale"]
TIME_ZONE = os.environ.get("MASTHEAD_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("MASTHEAD_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MASTHEAD_MEDIA_ROOT", MASTHEAD_VAR_DIR / "media"))
# Serve uploaded media from Django itself (the demo and single-box installs); behind nginx, set 0.
MASTHEAD_SERVE_MEDIA = env_bool("MASTHEAD_SERVE_MEDIA", True)

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "style-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
if not DEBUG:
    _https = env_bool("MASTHEAD_HTTPS", True)
    SECURE_SSL_REDIRECT = env_bool("MASTHEAD_SSL_REDIRECT", _https)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("MASTHEAD_HSTS_SECONDS", 31536000 if _https else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
    SECURE_HSTS_PRELOAD = env_bool("MASTHEAD_HSTS_PRELOAD", _https)
    SESSION_COOKIE_SECURE = _https
    CSRF_COOKIE_SECURE = _https

# Email: the console in development, SMTP in production (EMAIL_HOST and friends), or any backend by name.
_email_backend = os.environ.get("MASTHEAD_EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend"
)
_email_options: dict = {}
if _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25, minimum=1),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": 10,
    }
elif _email_backend.endswith("filebased.EmailBackend"):
    _email_options = {"file_path": os.environ.get("EMAIL_FILE_PATH", str(MASTHEAD_VAR_DIR / "mail"))}
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = os.environ.get("MASTHEAD_FROM_EMAIL", "newsroom@masthead.invalid")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "request": {"format": '{"time":"%(asctime)s","request":%(message)s}'},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "requests": {"class": "logging.StreamHandler", "formatter": "request"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("MASTHEAD_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # One JSON line per request; off in development (runserver logs requests itself).
        "masthead.request": {
            "handlers": ["requests"],
            "level": os.environ.get("MASTHEAD_REQUEST_LOG_LEVEL", "WARNING" if DEBUG else "INFO"),
            "propagate": False,
        },
    },
}

# The paywall. Which store counts meter reads (default: redis when REDIS_URL is set, else database),
# and what happens when it cannot be reached: "open" serves the article, "closed" shows the paywall.
MASTHEAD_METER_STORE = env_choice(
    "MASTHEAD_METER_STORE", "redis" if REDIS_URL else "database", ("database", "redis", "memory")
)
if MASTHEAD_METER_STORE == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("MASTHEAD_METER_STORE=redis needs REDIS_URL, e.g. redis://127.0.0.1:6379/0")
MASTHEAD_METER_FAIL = env_choice("MASTHEAD_METER_FAIL", "open", ("open", "closed"))
# Search engine crawlers allowed to read in full once their address is verified (reverse + forward DNS).
MASTHEAD_CRAWLER_DOMAINS = env_list(
    "MASTHEAD_CRAWLER_DOMAINS", ["googlebot.com", "google.com", "googleusercontent.com"]
)
# Proxies in front of the app (nginx, a load balancer): only requests from these addresses may say,
# in X-Forwarded-For, who the client was. Empty: REMOTE_ADDR is the client.
MASTHEAD_TRUSTED_PROXIES = env_list("MASTHEAD_TRUSTED_PROXIES", [])
for _proxy in MASTHEAD_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"MASTHEAD_TRUSTED_PROXIES must list IP addresses or networks (e.g. 127.0.0.1,10.0.0.0/8), not {_proxy!r}"
        ) from None
MASTHEAD_CRAWLER_AGENTS = env_list("MASTHEAD_CRAWLER_AGENTS", ["Googlebot", "Google-InspectionTool", "GoogleOther"])
# Anonymous readers' id cookie.
MASTHEAD_READER_COOKIE = "mh_reader"
# Insights: each worker adds up its decisions in memory and writes them out every this many seconds
# (and when it stops); a crash loses at most these seconds of counts. 0 writes them within the request
# itself (the tests' setting; in production a system check, masthead.W020, warns).
MASTHEAD_INSIGHTS_FLUSH_SECONDS = env_int("MASTHEAD_INSIGHTS_FLUSH_SECONDS", 5)
if MASTHEAD_INSIGHTS_FLUSH_SECONDS > 3600:
    raise ImproperlyConfigured(
        "MASTHEAD_INSIGHTS_FLUSH_SECONDS must be at most 3600 (a crash loses up to that many seconds of counts), "
        f"not {MASTHEAD_INSIGHTS_FLUSH_SECONDS}"
    )

# Payments: "local" (offline checkout on the site, the demo's default) or "stripe".
MASTHEAD_PAYMENT_PROVIDER = env_choice("MASTHEAD_PAYMENT_PROVIDER", "local", ("local", "stripe"))
# The local provider takes any valid card number for free; with DEBUG off a system check (masthead.E003)
# refuses it unless this says the site is a demo or a test on purpose.
MASTHEAD_ALLOW_LOCAL_PAYMENTS = env_bool("MASTHEAD_ALLOW_LOCAL_PAYMENTS", False)
STRIPE_API_KEY = os.environ.get("STRIPE_API_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")  # e.g. a localstripe server in development
# Tax. Stripe: Stripe Tax on the Checkout page (automatic tax, a billing address and a business's tax ID).
# Local: the one rate it simulates ("VAT 20%", "8.875"; empty or 0: none), inclusive or exclusive as the
# publication's prices are (Publication.prices_include_tax). Each provider ignores the other's setting, which
# a system check points out (masthead.E007, masthead.W005).
MASTHEAD_STRIPE_TAX = env_choice("MASTHEAD_STRIPE_TAX", "off", ("on", "off", "1", "0", "true", "false", "yes", "no"))
MASTHEAD_STRIPE_TAX = MASTHEAD_STRIPE_TAX in {"on", "1", "true", "yes"}
try:
    MASTHEAD_LOCAL_TAX_RATE = parse_tax_rate(os.environ.get("MASTHEAD_LOCAL_TAX_RATE", ""))
except ValueError as _error:
    raise ImproperlyConfigured(f"MASTHEAD_LOCAL_TAX_RATE must be {_error}") from None
# Days of full access after a failed renewal before the subscription expires.
MASTHEAD_GRACE_DAYS = env_int("MASTHEAD_GRACE_DAYS", 7)

# Background work (emails): run at once by default; in production use the database queue and
# `manage.py db_worker`: MASTHEAD_TASKS_BACKEND=django_tasks_db.DatabaseBackend
TASKS = {
    "default": {"BACKEND": os.environ.get("MASTHEAD_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")}
}

# Operator metrics: GET /metrics in Prometheus's format (masthead/insights/metrics.py, docs/deploy.md).
# Off (404) unless a bearer token or an allow-list of client addresses turns it on; with both, a scrape
# needs both. The token travels in a header, so it is ASCII without spaces (RFC 6750's b64token).
MASTHEAD_METRICS_TOKEN = os.environ.get("MASTHEAD_METRICS_TOKEN", "").strip()
if MASTHEAD_METRICS_TOKEN and not re.fullmatch(r"[A-Za-z0-9._~+/-]+=*", MASTHEAD_METRICS_TOKEN):
    raise ImproperlyConfigured(
        "MASTHEAD_METRICS_TOKEN must be letters, digits and - . _ ~ + / only (it is sent as "
        "'Authorization: Bearer <token>'); make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
    )
MASTHEAD_METRICS_ALLOW = env_list("MASTHEAD_METRICS_ALLOW", [])
for _network in MASTHEAD_METRICS_ALLOW:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"MASTHEAD_METRICS_ALLOW must list IP addresses or networks (e.g. 127.0.0.1,10.0.0.0/8), not {_network!r}"
        ) from None
# prometheus_client's own variable, read by the library too: the directory where each worker process writes
# its counts, so that a scrape sums every worker's. It must exist, be writable, and be emptied before the
# workers start (deploy/serve does).
PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
if PROMETHEUS_MULTIPROC_DIR and not (
    os.path.isdir(PROMETHEUS_MULTIPROC_DIR) and os.access(PROMETHEUS_MULTIPROC_DIR, os.W_OK | os.X_OK)
):
    raise ImproperlyConfigured(
        f"PROMETHEUS_MULTIPROC_DIR must be a directory this process can write to, not {PROMETHEUS_MULTIPROC_DIR!r}"
    )

# Publication-wide defaults; the editable values live in the Publication and MeterRules models.
MASTHEAD_SITE_URL = os.environ.get("MASTHEAD_SITE_URL", "")

# Password forms (reader sign-in, the admin's login, password change) share one limiter, django-axes, which
# counts in the database every worker shares and counts an attempt before its password is checked
# (masthead/accounts/limiter.py says how, and why these limits).
INSTALLED_APPS.append("axes")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last: it turns a locked-out answer into the 429 page
AUTHENTICATION_BACKENDS = ["masthead.accounts.limiter.PasswordLimitBackend", *AUTHENTICATION_BACKENDS]
AXES_HANDLER = "masthead.accounts.limiter.PasswordAttemptHandler"
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_FAILURE_LIMIT = 5  # wrong passwords for one account from one address, within the cool-off
MASTHEAD_SIGNIN_ACCOUNT_LIMIT = 20  # ... for one account from any addresses (a guesser spread over many)
MASTHEAD_SIGNIN_ADDRESS_LIMIT = 20  # ... from one address for any accounts (one client trying many)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # axes' own view of the first limit (admin, commands)
AXES_RESET_ON_SUCCESS = False  # the handler forgives only the signed-in account's failures from its address
# A refused attempt checks no password, so it does not count: a guesser held at the first limit cannot go on
# to lock the owner out everywhere.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "masthead.core.client.client_address"  # honours MASTHEAD_TRUSTED_PROXIES
AXES_USERNAME_CALLABLE = "masthead.accounts.limiter.attempt_username"
AXES_LOCKOUT_CALLABLE = "masthead.site.accounts.password_attempts_locked"
AXES_DISABLE_ACCESS_LOG = True  # no row for every successful sign-in, growing without end
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # failures and lockouts, not axes' bookkeeping
