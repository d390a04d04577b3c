"""motcua settings: one module, read from documented environment variables.

Every variable is listed with its purpose in ``.env.example``. Defaults are safe
for production; ``MOTCUA_ENVIRONMENT=development`` (what ``make run`` sets) and
``MOTCUA_ENVIRONMENT=test`` (what the test suite sets) loosen them explicitly:
SQLite, documents on disk, tasks in-process, a generated local secret key.

A missing or malformed variable stops start-up with a message naming it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

SRC_DIR = Path(__file__).resolve().parent.parent  # src/motcua
PROJECT_DIR = SRC_DIR.parent.parent
VAR_DIR = Path(os.environ.get("MOTCUA_VAR_DIR", PROJECT_DIR / "var"))

ENVIRONMENT = os.environ.get("MOTCUA_ENVIRONMENT", "production").strip().lower()
if ENVIRONMENT not in {"production", "development", "test"}:
    raise ImproperlyConfigured(
        f"MOTCUA_ENVIRONMENT must be one of production, development, test (got {ENVIRONMENT!r})."
    )
LOCAL = ENVIRONMENT in {"development", "test"}


def env(name: str, default: str | None = None, *, required_in_production: bool = False) -> str:
    """Read one variable; in production a required variable without value stops start-up."""
    value = os.environ.get(name)
    if value is not None and value.strip() != "":
        return value.strip()
    if required_in_production and not LOCAL:
        raise ImproperlyConfigured(
            f"Environment variable {name} is required in production (see .env.example)."
        )
    if default is None:
        raise ImproperlyConfigured(f"Environment variable {name} is required (see .env.example).")
    return default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"Environment variable {name} must be true or false (got {raw!r}).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"Environment variable {name} must be an integer (got {raw!r})."
        ) from None


def env_list(name: str, default: str = "", *, required_in_production: bool = False) -> list[str]:
    raw = env(name, default, required_in_production=required_in_production)
    return [item.strip() for item in raw.split(",") if item.strip()]


def _local_secret_key() -> str:
    """A random key kept in var/ for development and tests, never committed."""
    path = VAR_DIR / "secret-key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


# --- Core -------------------------------------------------------------------------------
DEBUG = env_bool("MOTCUA_DEBUG", ENVIRONMENT == "development")
if DEBUG and not LOCAL:
    raise ImproperlyConfigured("MOTCUA_DEBUG cannot be on when MOTCUA_ENVIRONMENT=production.")

SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY:
    if not LOCAL:
        raise ImproperlyConfigured(
            "Environment variable SECRET_KEY is required in production (see .env.example)."
        )
    SECRET_KEY = _local_secret_key()
elif len(SECRET_KEY) < 50 and not LOCAL:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]", required_in_production=True)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
PUBLIC_URL = env("MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000", required_in_production=True)
if urlparse(PUBLIC_URL).scheme not in {"http", "https"}:
    raise ImproperlyConfigured("MOTCUA_PUBLIC_URL must start with http:// or https://.")

INSTALLED_APPS = [
    "motcua.core.admin_apps.MotcuaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "motcua.core",
    "motcua.audit",
    "motcua.accounts",
    "motcua.units",
    "motcua.integrations",
    "motcua.notifications",
    "motcua.workflow",
    "motcua.documents",
    "motcua.signatures",
    "motcua.catalog",
    "motcua.dossiers",
    "motcua.feedback",
    "motcua.backoffice",
    "motcua.api",
    "motcua.portal",
    "motcua.demo",
]

MIDDLEWARE = [
    "motcua.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from the application server itself, compressed and cached for a year
    # under their hashed names (docs/deployment.md); a CDN or nginx may sit in front.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "motcua.config.urls"
WSGI_APPLICATION = "motcua.config.wsgi.application"
ASGI_APPLICATION = "motcua.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------
_default_db = f"sqlite:///{VAR_DIR / 'motcua.sqlite3'}"
if ENVIRONMENT == "test":
    _default_db = f"sqlite:///{VAR_DIR / 'test.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            env("DATABASE_URL", _default_db, required_in_production=True),
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"Environment variable DATABASE_URL is malformed: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL + immediate transactions: concurrent readers, writers queue instead of failing.
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: it pays off for long analytic queries, not for a request's
    # short ones. A queue page's plan, costed high by its subqueries, spent 40 ms
    # compiling for 14 ms of work (bench/RESULTS.md). Reports may turn it back on per
    # session.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join(filter(None, [_options.get("options", ""), "-c jit=off"]))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker ------------------------------------------------------------------------
CACHE_URL = env("CACHE_URL", "locmem://", required_in_production=True)
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured("CACHE_URL must be redis://… or locmem:// (development only).")

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "").strip()
# Without a broker, tasks run in-process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
# Apology letters are listed for officers when a dossier has at most this many working
# hours left (and at least 8, the legal minimum notice: docs/processes.md).
MOTCUA_APOLOGY_NOTICE_HOURS = env_int("MOTCUA_APOLOGY_NOTICE_HOURS", 16)
# Seconds a found public look-up answer is kept in the cache; dropped at once when the
# dossier changes (docs/api.md). 0: always read the database.
MOTCUA_LOOKUP_CACHE_SECONDS = env_int("MOTCUA_LOOKUP_CACHE_SECONDS", 60)
# Dotted path of the function that sends one outbox message to the national portal and
# raises on failure; empty: messages stay queued in the outbox.
MOTCUA_NATIONAL_PORTAL_SENDER = env("MOTCUA_NATIONAL_PORTAL_SENDER", "")
# The national portal's sync endpoint for motcua.integrations.national_portal.send
# (docs/national-portal.md): base URL, bearer token, timeout in seconds. Empty URL: the
# in-process simulator (local environments only).
MOTCUA_NATIONAL_PORTAL_URL = env("MOTCUA_NATIONAL_PORTAL_URL", "")
MOTCUA_NATIONAL_PORTAL_TOKEN = env("MOTCUA_NATIONAL_PORTAL_TOKEN", "")
MOTCUA_NATIONAL_PORTAL_TIMEOUT = env_int("MOTCUA_NATIONAL_PORTAL_TIMEOUT", 5)

# --- Authentication ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/admin/"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout policy (docs/security.md): this many consecutive failures lock the account ...
MOTCUA_LOGIN_MAX_FAILURES = env_int("MOTCUA_LOGIN_MAX_FAILURES", 5)
# ... for this many minutes.
MOTCUA_LOGIN_LOCK_MINUTES = env_int("MOTCUA_LOGIN_LOCK_MINUTES", 15)
# And one client address may try at most this many logins per 15 minutes.
MOTCUA_LOGIN_RATE_PER_IP = env_int("MOTCUA_LOGIN_RATE_PER_IP", 30)
OTP_TOTP_ISSUER = "motcua"

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security headers (production-safe; local environments serve plain HTTP) -------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not LOCAL
CSRF_COOKIE_SECURE = not LOCAL
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not LOCAL)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if LOCAL else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not LOCAL
SECURE_HSTS_PRELOAD = not LOCAL
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Internationalisation: Vietnamese first, English too ---------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PROJECT_DIR / "locale", SRC_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"  # legal time; fixed by law, not configurable
USE_I18N = True
USE_TZ = True

# --- Static files and documents ------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("MOTCUA_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env("MOTCUA_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGE_BACKEND = env("MOTCUA_STORAGE", "filesystem")
if STORAGE_BACKEND == "filesystem":
    _documents = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
elif STORAGE_BACKEND == "s3":
    _documents = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("MOTCUA_S3_BUCKET"),
            "endpoint_url": env("MOTCUA_S3_ENDPOINT_URL", ""),
            "access_key": env("MOTCUA_S3_ACCESS_KEY"),
            "secret_key": env("MOTCUA_S3_SECRET_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
else:
    raise ImproperlyConfigured("MOTCUA_STORAGE must be filesystem or s3.")
STORAGES = {
    "default": _documents,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if LOCAL
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# In development and tests, serve static files straight from the apps (no collectstatic).
WHITENOISE_USE_FINDERS = LOCAL
WHITENOISE_AUTOREFRESH = LOCAL
FILE_UPLOAD_PERMISSIONS = 0o640
# Upload checks (docs/citizen-portal.md): size, image pixels, decoded PDF stream bytes.
MOTCUA_UPLOAD_MAX_BYTES = env_int("MOTCUA_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
MOTCUA_UPLOAD_MAX_PIXELS = env_int("MOTCUA_UPLOAD_MAX_PIXELS", 60_000_000)
MOTCUA_PDF_MAX_DECODED_BYTES = env_int("MOTCUA_PDF_MAX_DECODED_BYTES", 512 * 1024 * 1024)
# Optional ClamAV scan of every upload: clamd address (unix:///path or tcp://host:port).
MOTCUA_CLAMD_ADDRESS = env("MOTCUA_CLAMD_ADDRESS", "")
MOTCUA_CLAMD_TIMEOUT = env_int("MOTCUA_CLAMD_TIMEOUT", 30)
# Days a citizen's unsubmitted draft is kept after its last save.
MOTCUA_DRAFT_DAYS = env_int("MOTCUA_DRAFT_DAYS", 30)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- E-mail -------------------------------------------------------------------------------
EMAIL_HOST = env("EMAIL_HOST", "", required_in_production=False)
# Seconds before a silent SMTP server is given up on (the message stays pending and is
# retried): a hung mail server must never hold a request or a worker forever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
elif LOCAL:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
else:
    raise ImproperlyConfigured(
        "Environment variable EMAIL_HOST is required in production (see .env.example)."
    )
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "motcua <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_RATES": {
        "public": env("API_THROTTLE_PUBLIC", "60/min"),
        "anon": env("API_THROTTLE_ANON", "120/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "motcua API",
    "DESCRIPTION": "REST API of the motcua one-stop shop (v1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# --- Outside world ------------------------------------------------------------------------
# The embedded default mounts the simulators (national ID, population database, payment,
# national portal) under /sim/ and points the adapters at them. Never in production.
SIMULATORS_IN_PROCESS = env_bool("MOTCUA_SIMULATORS_IN_PROCESS", LOCAL)
if SIMULATORS_IN_PROCESS and not LOCAL:
    raise ImproperlyConfigured("MOTCUA_SIMULATORS_IN_PROCESS cannot be on in production.")

# National e-ID login (OpenID Connect relying party; docs/oidc.md). Local environments
# default to the in-process simulator.
OIDC_ISSUER = env("OIDC_ISSUER", "", required_in_production=True)
OIDC_CLIENT_ID = env("OIDC_CLIENT_ID", "", required_in_production=True)
OIDC_CLIENT_SECRET = env("OIDC_CLIENT_SECRET", "", required_in_production=True)
OIDC_SCOPES = env("OIDC_SCOPES", "openid profile national_id")
OIDC_TOKEN_AUTH_METHOD = env("OIDC_TOKEN_AUTH_METHOD", "auto")
OIDC_CLAIM_PERSONAL_ID = env("OIDC_CLAIM_PERSONAL_ID", "personal_id")
OIDC_CLAIM_FULL_NAME = env("OIDC_CLAIM_FULL_NAME", "name")
OIDC_CLAIM_DATE_OF_BIRTH = env("OIDC_CLAIM_DATE_OF_BIRTH", "birthdate")
OIDC_CLAIM_ASSURANCE_LEVEL = env("OIDC_CLAIM_ASSURANCE_LEVEL", "acr")
OIDC_ACR_VALUES = env("OIDC_ACR_VALUES", "")
OIDC_ACCEPTED_ACR = env("OIDC_ACCEPTED_ACR", "")
OIDC_ID_TOKEN_ALGORITHMS = env("OIDC_ID_TOKEN_ALGORITHMS", "RS256")
OIDC_HTTP_TIMEOUT = env_int("OIDC_HTTP_TIMEOUT", 10)
OIDC_METADATA_TTL = env_int("OIDC_METADATA_TTL", 3600)
OIDC_LOGIN_REDIRECT_URL = env("OIDC_LOGIN_REDIRECT_URL", "/")
OIDC_LOGOUT_REDIRECT_URL = env("OIDC_LOGOUT_REDIRECT_URL", "/")
OIDC_PROVIDER_LOGOUT = env_bool("OIDC_PROVIDER_LOGOUT", True)
# National population database (docs/population.md). Empty URL: the in-process
# simulator (local environments only); a missing URL in production fails on first use.
POPULATION_URL = env("POPULATION_URL", "")
POPULATION_API_KEY = env("POPULATION_API_KEY", "")
POPULATION_TIMEOUT = env_int("POPULATION_TIMEOUT", 10)

# --- Signatures, verification, OCR (docs/signatures.md) ----------------------------------
MOTCUA_SIGNING_DIR = env("MOTCUA_SIGNING_DIR", str(VAR_DIR / "signing"))
# PEM files of the certification authorities whose signatures are trusted.
MOTCUA_SIGNING_TRUST_ROOTS = env_list("MOTCUA_SIGNING_TRUST_ROOTS", "", required_in_production=True)
MOTCUA_PKCS11_MODULE = env("MOTCUA_PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
MOTCUA_SIGNER_CACHE_SECONDS = env_int("MOTCUA_SIGNER_CACHE_SECONDS", 300)
MOTCUA_VERIFY_RATE_PER_IP = env_int("MOTCUA_VERIFY_RATE_PER_IP", 30)
MOTCUA_OCR_LANGUAGES = env("MOTCUA_OCR_LANGUAGES", "vie")
MOTCUA_OCR_TIMEOUT = env_int("MOTCUA_OCR_TIMEOUT", 600)
MOTCUA_OCR_JOBS = env_int("MOTCUA_OCR_JOBS", 0)  # 0: OCRmyPDF decides

# --- Logging: structured, with a request id, never personal data -----------------------
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOG_FORMAT = env("LOG_FORMAT", "console" if ENVIRONMENT == "development" else "json")
LOGGING_CONFIG = None
from motcua.core.logging import configure_logging  # noqa: E402

configure_logging(level=LOG_LEVEL, fmt=LOG_FORMAT)

if ENVIRONMENT == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; tests
