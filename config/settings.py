"""Settings for the partnership portal.

Everything comes from environment variables. Without any, the portal runs on embedded
defaults for local use: SQLite, tasks run in-process, emails to a local outbox.
With PORTAL_PRODUCTION=true, every secret must be given and the deploy checks pass.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

PRODUCTION = env.bool("PORTAL_PRODUCTION", default=False)


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set when PORTAL_PRODUCTION is true (see README, Configuration)."
        )
    return value


if PRODUCTION:
    SECRET_KEY = _required("SECRET_KEY")
    _required("DATABASE_URL")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list the portal's host names in production.")
    DEBUG = False
else:
    # A fixed key is fine for the embedded, local-only defaults; production refuses to start without one.
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-development-key-not-for-production-use")
    DEBUG = env.bool("DEBUG", default=True)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "portal",
    "accounts",
    "schools",
    "notifications",
    "billing",
    "pricing",
    "memberships",
    "catalogue",
    "events",
    "basket",
    "orders",
    "api",
    "payments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.TrustedProxyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "accounts.audit.AuditRequestMiddleware",  # the audit log's client address and browser
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A few people booking at once on the embedded default must never see "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_portal.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Redis, Celery -----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not bool(REDIS_URL))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE: dict = {
    # Each app registers its periodic jobs here; see docs/0002-background-jobs.md.
    "memberships-send-reminders": {
        "task": "memberships.tasks.send_membership_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "memberships-refresh-statuses": {
        "task": "memberships.tasks.refresh_membership_statuses",
        "schedule": crontab(hour=0, minute=10),
    },
    "payments-release-expired-holds": {
        "task": "payments.tasks.release_expired_holds",
        "schedule": crontab(minute="*"),
    },
}

# --- Auth and security --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.ZxcvbnValidator"},
]
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=["django.contrib.auth.hashers.PBKDF2PasswordHasher"],
)

# django-axes, configured to our rules: ten failures per account *and* client address,
# a 30-minute cool-off, reset on success.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = 0.5  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# The client address: behind one trusted reverse proxy, the last X-Forwarded-For entry
# (set by portal.middleware.TrustedProxyMiddleware); otherwise REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# accounts: one client address for axes and the audit log; "Key@x" and "key@x" are one account;
# attempts while locked do not extend the lock (the page can say when to try again); the CSRF
# token never reaches axes' attempt records.
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"
AXES_USERNAME_CALLABLE = "accounts.security.axes_username"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "new_password", "csrfmiddlewaretoken"]
PASSWORD_RESET_TIMEOUT = 60 * 60  # reset links: 1 hour (set-password links: 3 days, accounts.tokens)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SILENCED_SYSTEM_CHECKS: list[str] = []

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
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

# --- Email --------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="HEP <noreply@hep.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env.str("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
else:
    # Local outbox: readable in the back office and as .eml files under var/outbox/.
    EMAIL_BACKEND = "notifications.backends.OutboxBackend"
OUTBOX_DIR = env.path("OUTBOX_DIR", default=VAR_DIR / "outbox")

# --- Stripe -------------------------------------------------------------------------------
# Without a Stripe key (local use), card payments go to the local stand-in (payments/standin,
# started by `make run`) with its own test keys; with a key, to Stripe.
STRIPE_STANDIN_PORT = env.int("STRIPE_STANDIN_PORT", default=12111)
_STRIPE_STANDIN = not PRODUCTION and not env.str("STRIPE_SECRET_KEY", default="")
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="sk_test_standin" if _STRIPE_STANDIN else "")
STRIPE_PUBLISHABLE_KEY = env.str(
    "STRIPE_PUBLISHABLE_KEY", default="pk_test_standin" if _STRIPE_STANDIN else ""
)
STRIPE_WEBHOOK_SECRET = env.str(
    "STRIPE_WEBHOOK_SECRET", default="whsec_standin_local" if _STRIPE_STANDIN else ""
)
STRIPE_API_BASE = env.str(
    "STRIPE_API_BASE", default=f"http://127.0.0.1:{STRIPE_STANDIN_PORT}" if _STRIPE_STANDIN else ""
)
CARD_PLACES_HOLD_MINUTES = env.int("CARD_PLACES_HOLD_MINUTES", default=30)
if PRODUCTION and env.bool("STRIPE_REQUIRED", default=True):
    _required("STRIPE_SECRET_KEY")
    _required("STRIPE_WEBHOOK_SECRET")

# --- Invoices -------------------------------------------------------------------------------
# The default for the back office's Billing settings: "on_placing" or "by_staff".
INVOICE_ISSUE_MODE = env.str("INVOICE_ISSUE_MODE", default="on_placing")
INVOICE_FINANCIAL_YEAR_START_MONTH = env.int("INVOICE_FINANCIAL_YEAR_START_MONTH", default=4)

# --- The partnership (HEP's values are the defaults) ----------------------------------------
PORTAL_NAME = env.str("PORTAL_NAME", default="Haringey Education Partnership")
PORTAL_SHORT_NAME = env.str("PORTAL_SHORT_NAME", default="HEP")
PORTAL_PHONE = env.str("PORTAL_PHONE", default="020 3967 5100")
PORTAL_EMAIL = env.str("PORTAL_EMAIL", default="admin@hep.example")
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
ORDER_NUMBER_PREFIX = env.str("ORDER_NUMBER_PREFIX", default="HEP")  # order numbers: HEP-000123

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "accounts.security.RedactTokensFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "stripe": {"level": "WARNING"},
        # runserver's access log, through the filter that keeps reset/set-password tokens out
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
